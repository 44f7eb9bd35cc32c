extension ProtoJSONDecoder {
    /// Reads the special JSON form of a well-known type and writes its fields.
    package mutating func wellKnown(_ kind: ProtoWellKnownType, _ type: ProtoMessageDescriptor) throws(CodecError) {
        scanner.skipWhitespace()
        let start = scanner.position
        switch kind {
        case .timestamp:
            let text = try expectString("an RFC 3339 timestamp")
            guard let (seconds, nanos) = Self.parseTimestamp(text) else {
                throw invalid("'\(text)' is not an RFC 3339 timestamp in 0001..9999", at: start)
            }
            writeSecondsAndNanos(seconds, nanos)
        case .duration:
            let text = try expectString("a duration like \"1.5s\"")
            guard let (seconds, nanos) = Self.parseDuration(text) else {
                throw invalid("'\(text)' is not a duration like \"1.5s\"", at: start)
            }
            writeSecondsAndNanos(seconds, nanos)
        case .fieldMask:
            let text = try expectString("a field mask like \"a.b,c\"")
            for path in text.split(separator: ",", omittingEmptySubsequences: true) {
                var snake = ""
                for character in path {
                    if character == "_" { throw invalid("field mask path '\(path)' is not lowerCamelCase", at: start) }
                    if character.isUppercase {
                        snake += "_" + character.lowercased()
                    } else {
                        snake.append(character)
                    }
                }
                out.appendVarint(ProtoVarint.tag(1, .lengthDelimited))
                out.appendVarint(UInt64(snake.utf8.count))
                out.append(contentsOf: snake.utf8)
            }
        case .empty:
            try fields(of: type, skippingKey: nil)
        case .wrapper:
            let field = type.field(number: 1)!
            let tagStart = out.count
            out.appendVarint(ProtoVarint.tag(1, field.wireType))
            try scalar(field, field.type)
            // Like any proto3 field without presence, a zero value is not written (empty wrapper). Our
            // encodings of zero values are all-zero bytes (a 0 varint, a 0 length, zero fixed bits).
            let valueStart = tagStart + ProtoVarint.size(ProtoVarint.tag(1, field.wireType))
            if out[valueStart...].allSatisfy({ $0 == 0 }) { out.removeSubrange(tagStart...) }
        case .structValue:
            try structObject()
        case .listValue:
            try listValue()
        case .value:
            try value()
        case .any:
            try any(type)
        }
    }

    package mutating func expectString(_ what: String) throws(CodecError) -> String {
        try expectKind(UInt8(ascii: "\""), what)
        return scanner.string(of: try scanner.readString())
    }

    package mutating func writeSecondsAndNanos(_ seconds: Int64, _ nanos: Int32) {
        if seconds != 0 {
            out.appendVarint(ProtoVarint.tag(1, .varint))
            out.appendVarint(UInt64(bitPattern: seconds))
        }
        if nanos != 0 {
            out.appendVarint(ProtoVarint.tag(2, .varint))
            out.appendVarint(UInt64(bitPattern: Int64(nanos)))
        }
    }

    /// `google.protobuf.Struct`: a JSON object into map<string, Value> fields = 1.
    package mutating func structObject() throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for a Struct")
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        if scanner.consume(UInt8(ascii: "}")) { return }
        var seen = Set<String>()
        repeat {
            let keyToken = try scanner.readString()
            let key = scanner.string(of: keyToken)
            guard seen.insert(key).inserted else {
                throw invalid("key '\(key)' appears twice", at: keyToken.offset).under(key)
            }
            try scanner.expect(UInt8(ascii: ":"))
            out.appendVarint(ProtoVarint.tag(1, .lengthDelimited))
            let entry = out.beginLength()
            try scanner.withBytes(of: keyToken) { (key) throws(CodecError) in
                out.appendVarint(ProtoVarint.tag(1, .lengthDelimited))
                out.appendVarint(UInt64(key.count))
                out.append(contentsOf: key)
            }
            out.appendVarint(ProtoVarint.tag(2, .lengthDelimited))
            let value = out.beginLength()
            do throws(CodecError) {
                try self.value()
            } catch {
                throw error.under(scanner.string(of: keyToken))
            }
            out.endLength(value)
            out.endLength(entry)
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
    }

    /// `google.protobuf.ListValue`: a JSON array into repeated Value values = 1.
    package mutating func listValue() throws(CodecError) {
        try expectKind(UInt8(ascii: "["), "a JSON array for a ListValue")
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        if scanner.consume(UInt8(ascii: "]")) { return }
        var index = 0
        repeat {
            out.appendVarint(ProtoVarint.tag(1, .lengthDelimited))
            let element = out.beginLength()
            do throws(CodecError) {
                try value()
            } catch {
                throw error.under("[\(index)]")
            }
            out.endLength(element)
            index += 1
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
    }

    /// `google.protobuf.Value`: any JSON value into its `kind` oneof.
    package mutating func value() throws(CodecError) {
        let start = scanner.position
        switch try scanner.peek() {
        case UInt8(ascii: "n"):
            try scanner.literal("null")
            out.append(contentsOf: [0x08, 0x00])
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            out.append(contentsOf: [0x20, try scanner.readBool() ? 1 : 0])
        case UInt8(ascii: "\""):
            let token = try scanner.readString()
            try scanner.withBytes(of: token) { (text) throws(CodecError) in
                out.appendVarint(ProtoVarint.tag(3, .lengthDelimited))
                out.appendVarint(UInt64(text.count))
                out.append(contentsOf: text)
            }
        case UInt8(ascii: "{"):
            out.appendVarint(ProtoVarint.tag(5, .lengthDelimited))
            let payload = out.beginLength()
            try structObject()
            out.endLength(payload)
        case UInt8(ascii: "["):
            out.appendVarint(ProtoVarint.tag(6, .lengthDelimited))
            let payload = out.beginLength()
            try listValue()
            out.endLength(payload)
        default:
            let number = try floating(at: start)
            out.appendVarint(ProtoVarint.tag(2, .fixed64))
            withUnsafeBytes(of: number.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
    }

    /// `google.protobuf.Any`: finds "@type" (it may come after other keys), then reads the rest as that type.
    package mutating func any(_ type: ProtoMessageDescriptor) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for an Any")
        let objectStart = scanner.position
        // First pass: locate "@type" without writing anything.
        scanner.position += 1
        var typeURL: String?
        var typeOffset = objectStart
        var keys = 0
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let keyToken = try scanner.readString()
                let key = scanner.string(of: keyToken)
                try scanner.expect(UInt8(ascii: ":"))
                keys += 1
                if key == "@type" {
                    guard typeURL == nil else { throw invalid("\"@type\" appears twice", at: keyToken.offset) }
                    scanner.skipWhitespace()
                    typeOffset = scanner.position
                    typeURL = try expectString("a type URL")
                } else {
                    try scanner.skipValue()
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        guard let typeURL else {
            if keys == 0 { return }
            throw invalid("an Any needs an \"@type\"", at: objectStart)
        }
        let name = typeURL.split(separator: "/").last.map(String.init) ?? typeURL
        guard let inner = schema.message(named: name) else {
            throw CodecError(.unknownType, "Any names '\(typeURL)', which the schema does not define",
                             offset: typeOffset, path: "@type")
        }
        let afterObject = scanner.position
        scanner.position = objectStart
        out.appendVarint(ProtoVarint.tag(1, .lengthDelimited))
        out.appendVarint(UInt64(typeURL.utf8.count))
        out.append(contentsOf: typeURL.utf8)
        out.appendVarint(ProtoVarint.tag(2, .lengthDelimited))
        let payload = out.beginLength()
        if let wellKnown = ProtoWellKnownType(inner.fullName), wellKnown != .empty {
            // {"@type": ..., "value": <special form>}
            scanner.position += 1
            var sawValue = false
            repeat {
                let keyToken = try scanner.readString()
                let key = scanner.string(of: keyToken)
                try scanner.expect(UInt8(ascii: ":"))
                switch key {
                case "@type": try scanner.skipValue()
                case "value":
                    guard !sawValue else { throw invalid("\"value\" appears twice", at: keyToken.offset) }
                    do throws(CodecError) {
                        try self.wellKnown(wellKnown, inner)
                    } catch {
                        throw error.under("value")
                    }
                    sawValue = true
                default:
                    if !options.ignoreUnknownFields {
                        throw CodecError(.unknownField, "an Any of \(name) has no key '\(key)'", offset: keyToken.offset,
                                         path: key)
                    }
                    try scanner.skipValue()
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
            if !sawValue { throw invalid("an Any of \(name) needs a \"value\"", at: objectStart) }
        } else {
            // Plain messages (and Empty, which has no fields) put their fields beside "@type".
            try fields(of: inner, skippingKey: "@type")
        }
        out.endLength(payload)
        scanner.position = max(scanner.position, afterObject)
    }

    /// RFC 3339 with a `Z` or `±hh:mm` offset and 0–9 fractional digits; nil when malformed or out of range.
    package static func parseTimestamp(_ text: String) -> (Int64, Int32)? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int64(bytes[index] - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            year >= 1, (1...12).contains(month), day >= 1, day <= ProtoCivilTime.daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                guard digits < 9 else { return nil }
                nanos = nanos * 10 + Int64(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset: Int64 = 0
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6)),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds =
            ProtoCivilTime.days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
            - offset
        guard seconds >= ProtoWellKnownType.minTimestampSeconds, seconds <= ProtoWellKnownType.maxTimestampSeconds
        else { return nil }
        return (seconds, Int32(nanos))
    }

    /// `[-]S[.F]s` with up to 9 fractional digits, within ±315576000000 s.
    package static func parseDuration(_ text: String) -> (Int64, Int32)? {
        var bytes = Array(text.utf8)
        guard bytes.last == UInt8(ascii: "s") else { return nil }
        bytes.removeLast()
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes.removeFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, let secondsPart = parts.first, !secondsPart.isEmpty, secondsPart.count <= 12,
            secondsPart.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        var seconds: Int64 = 0
        for digit in secondsPart { seconds = seconds * 10 + Int64(digit - 0x30) }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return nil
            }
            for digit in fraction { nanos = nanos * 10 + Int64(digit - 0x30) }
            for _ in fraction.count..<9 { nanos *= 10 }
        }
        guard seconds <= ProtoWellKnownType.maxDurationSeconds else { return nil }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }
}
