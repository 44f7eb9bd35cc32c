extension ProtoJSONEncoder {
    /// Writes a well-known type in its special JSON form.
    mutating func wellKnown(
        _ kind: ProtoWellKnownType, _ type: ProtoMessageDescriptor, base: UnsafeRawPointer, range: Range<Int>,
        depth: Int
    ) throws(CodecError) {
        switch kind {
        case .timestamp:
            let (seconds, nanos) = try secondsAndNanos(base: base, range: range)
            try timestamp(seconds: seconds, nanos: nanos, at: range.lowerBound)
        case .duration:
            let (seconds, nanos) = try secondsAndNanos(base: base, range: range)
            try duration(seconds: seconds, nanos: nanos, at: range.lowerBound)
        case .empty:
            writer.raw("{}".utf8)
        case .wrapper:
            let field = type.field(number: 1)!
            if let value = try lastOccurrence(of: 1, base: base, range: range, depth: depth) {
                try single(field, base: base, value, depth: depth)
            } else {
                try defaultValue(field)
            }
        case .fieldMask:
            writer.byte(UInt8(ascii: "\""))
            var first = true
            var cursor = ProtoCursor(base: base, range: range)
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: 1)
                guard number == 1, occurrence.wireType == .lengthDelimited else { continue }
                if !first { writer.comma() }
                first = false
                let path = String(decoding: UnsafeRawBufferPointer(start: base + occurrence.valueStart,
                                                                  count: occurrence.payload.count), as: UTF8.self)
                try fieldMaskPath(path, at: occurrence.valueStart)
            }
            writer.byte(UInt8(ascii: "\""))
        case .structValue:
            // Struct is map<string, Value> fields = 1: its JSON is that map's object.
            try plainFields(type, base: base, range: range, depth: depth, only: 1, fallback: "{}")
        case .listValue:
            try plainFields(type, base: base, range: range, depth: depth, only: 1, fallback: "[]")
        case .value:
            // The kind oneof: the last member present wins; none means null. A struct or list member split over
            // consecutive occurrences (after the last switch of member) merges.
            var chosen: (number: Int, occurrence: ProtoOccurrence)?
            var parts: [ProtoOccurrence] = []
            var cursor = ProtoCursor(base: base, range: range)
            while !cursor.isAtEnd {
                let found = try cursor.readOccurrence(depth: options.limits.maxDepth - depth)
                guard (1...6).contains(found.number) else { continue }
                if found.number != chosen?.number { parts.removeAll() }
                chosen = found
                parts.append(found.occurrence)
            }
            guard let chosen, chosen.number != 1, let field = type.field(number: chosen.number) else {
                writer.null()
                return
            }
            if parts.count > 1 && field.isMessage {
                try mergedMessage(field, base: base, parts, depth: depth)
                return
            }
            if chosen.number == 2 {
                var valueCursor = ProtoCursor(base: base, range: chosen.occurrence.headerEnd..<chosen.occurrence.end)
                let number = Double(bitPattern: try valueCursor.readFixed64())
                guard number.isFinite else {
                    throw CodecError(.invalidValue, "google.protobuf.Value cannot hold \(number) in JSON",
                                     offset: chosen.occurrence.tagStart)
                }
            }
            try single(field, base: base, chosen.occurrence, depth: depth)
        case .any:
            try any(type, base: base, range: range, depth: depth)
        }
    }

    /// Writes the JSON of field `number` of a message (Struct's map, ListValue's list), or `fallback` when absent.
    mutating func plainFields(
        _ type: ProtoMessageDescriptor, base: UnsafeRawPointer, range: Range<Int>, depth: Int, only number: Int,
        fallback: String
    ) throws(CodecError) {
        let field = type.field(number: number)!
        let segmentStart = pending.count
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let (found, occurrence) = try cursor.readOccurrence(depth: options.limits.maxDepth - depth)
            if found == number { pending.append((type.fieldPosition(number: number), occurrence)) }
        }
        if pending.count == segmentStart {
            writer.raw(fallback.utf8)
        } else {
            try fieldValue(field, base: base, from: segmentStart, segmentEnd: pending.count, depth: depth)
        }
        pending.removeSubrange(segmentStart...)
    }

    func lastOccurrence(of number: Int, base: UnsafeRawPointer, range: Range<Int>, depth: Int) throws(CodecError)
        -> ProtoOccurrence?
    {
        var last: ProtoOccurrence?
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let found = try cursor.readOccurrence(depth: options.limits.maxDepth - depth)
            if found.number == number { last = found.occurrence }
        }
        return last
    }

    func secondsAndNanos(base: UnsafeRawPointer, range: Range<Int>) throws(CodecError) -> (Int64, Int32) {
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let tag = try cursor.readTag()
            if tag.number == 1 && tag.wireType == .varint {
                seconds = Int64(bitPattern: try cursor.readVarint())
            } else if tag.number == 2 && tag.wireType == .varint {
                nanos = Int32(truncatingIfNeeded: try cursor.readVarint())
            } else {
                try cursor.skip(tag.wireType, number: tag.number)
            }
        }
        return (seconds, nanos)
    }

    mutating func timestamp(seconds: Int64, nanos: Int32, at offset: Int) throws(CodecError) {
        guard seconds >= ProtoWellKnownType.minTimestampSeconds, seconds <= ProtoWellKnownType.maxTimestampSeconds,
            nanos >= 0, nanos < 1_000_000_000
        else {
            throw CodecError(.invalidValue, "Timestamp \(seconds)s \(nanos)ns is outside 0001-01-01..9999-12-31",
                             offset: offset)
        }
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let date = ProtoCivilTime.date(days: days)
        writer.byte(UInt8(ascii: "\""))
        digits(date.year, 4)
        writer.byte(UInt8(ascii: "-"))
        digits(date.month, 2)
        writer.byte(UInt8(ascii: "-"))
        digits(date.day, 2)
        writer.byte(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        writer.byte(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        writer.byte(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        fraction(nanos)
        writer.raw("Z\"".utf8)
    }

    mutating func duration(seconds: Int64, nanos: Int32, at offset: Int) throws(CodecError) {
        guard abs(seconds) <= ProtoWellKnownType.maxDurationSeconds, abs(nanos) < 1_000_000_000,
            seconds == 0 || nanos == 0 || (seconds < 0) == (nanos < 0)
        else {
            throw CodecError(.invalidValue, "Duration \(seconds)s \(nanos)ns is out of range or has mixed signs",
                             offset: offset)
        }
        writer.byte(UInt8(ascii: "\""))
        if seconds < 0 || nanos < 0 { writer.byte(UInt8(ascii: "-")) }
        writer.unsigned(seconds.magnitude)
        fraction(Int32(nanos.magnitude))
        writer.raw("s\"".utf8)
    }

    /// Writes `.` and 3, 6 or 9 digits of nanoseconds (nothing for whole seconds).
    mutating func fraction(_ nanos: Int32) {
        guard nanos != 0 else { return }
        writer.byte(UInt8(ascii: "."))
        if nanos % 1_000_000 == 0 {
            digits(Int64(nanos / 1_000_000), 3)
        } else if nanos % 1000 == 0 {
            digits(Int64(nanos / 1000), 6)
        } else {
            digits(Int64(nanos), 9)
        }
    }

    mutating func digits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            writer.byte(UInt8(truncatingIfNeeded: remaining / divisor) + 0x30)
            remaining %= divisor
            divisor /= 10
        }
    }

    /// A FieldMask path segment by segment in lowerCamelCase; paths that would not convert back are rejected.
    mutating func fieldMaskPath(_ path: String, at offset: Int) throws(CodecError) {
        var upperNext = false
        for scalar in path.unicodeScalars {
            if scalar == "_" {
                // "a__b" would read back as "a_b".
                if upperNext {
                    throw CodecError(.invalidValue, "FieldMask path '\(path)' cannot be written in JSON", offset: offset)
                }
                upperNext = true
                continue
            }
            if ("A"..."Z").contains(scalar) {
                throw CodecError(.invalidValue, "FieldMask path '\(path)' cannot be written in JSON", offset: offset)
            }
            if upperNext {
                guard ("a"..."z").contains(scalar) else {
                    throw CodecError(.invalidValue, "FieldMask path '\(path)' cannot be written in JSON",
                                     offset: offset)
                }
                writer.byte(UInt8(scalar.value) - 0x20)
                upperNext = false
            } else {
                var utf8 = [UInt8]()
                utf8.append(contentsOf: String(scalar).utf8)
                writer.raw(utf8)
            }
        }
        if upperNext { throw CodecError(.invalidValue, "FieldMask path '\(path)' ends with '_'", offset: offset) }
    }

    /// `{"@type": url, ...fields}`, or `{"@type": url, "value": special}` for well-known types.
    mutating func any(_ type: ProtoMessageDescriptor, base: UnsafeRawPointer, range: Range<Int>, depth: Int)
        throws(CodecError)
    {
        var typeURL: Range<Int>?
        var value: Range<Int> = range.lowerBound..<range.lowerBound
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: 1)
            if number == 1, occurrence.wireType == .lengthDelimited { typeURL = occurrence.payload }
            if number == 2, occurrence.wireType == .lengthDelimited { value = occurrence.payload }
        }
        guard let typeURL else {
            if value.isEmpty {
                writer.raw("{}".utf8)
                return
            }
            throw CodecError(.invalidValue, "google.protobuf.Any has a value but no type_url", offset: range.lowerBound)
        }
        let url = String(decoding: UnsafeRawBufferPointer(start: base + typeURL.lowerBound, count: typeURL.count),
                         as: UTF8.self)
        let name = url.split(separator: "/").last.map(String.init) ?? url
        guard let inner = schema.message(named: name) else {
            throw CodecError(.unknownType, "Any holds '\(url)', which the schema does not define",
                             offset: typeURL.lowerBound)
        }
        if let wellKnown = ProtoWellKnownType(inner.fullName), wellKnown != .empty {
            writer.raw("{\"@type\":".utf8)
            writer.string(utf8: UnsafeRawBufferPointer(start: base + typeURL.lowerBound, count: typeURL.count))
            writer.raw(",\"value\":".utf8)
            try self.wellKnown(wellKnown, inner, base: base, range: value, depth: depth + 1)
            writer.endObject()
        } else {
            try message(inner, base: base, range: value, depth: depth + 1, anyTypeURL: typeURL)
        }
    }
}
