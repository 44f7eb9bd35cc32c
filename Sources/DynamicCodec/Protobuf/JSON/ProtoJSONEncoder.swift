#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProtoValue {
    /// The message as proto3 canonical JSON, converted in one pass over the bytes. Unknown fields are dropped.
    public func json(options: ProtoJSONOptions = ProtoJSONOptions()) throws(CodecError) -> [UInt8] {
        var encoder = ProtoJSONEncoder(schema: schema, options: options)
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            try encoder.message(descriptor, base: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!,
                                range: range, depth: 0)
        }
        return encoder.writer.bytes
    }
}

/// Writes JSON while walking encoded bytes, driven by descriptors.
struct ProtoJSONEncoder {
    let schema: ProtoSchema
    let options: ProtoJSONOptions
    var writer = JSONWriter(capacity: 1024)
    /// Occurrences of the fields of the messages being written, a segment per nesting level.
    var pending: [(position: Int, occurrence: ProtoOccurrence)] = []
    /// Entries of the maps being written (scanned once: key, value, key identity), a segment per nesting level;
    /// reused across maps.
    var mapEntries: [MapEntryParts] = []

    init(schema: ProtoSchema, options: ProtoJSONOptions) {
        self.schema = schema
        self.options = options
    }

    mutating func message(
        _ type: ProtoMessageDescriptor, base: UnsafeRawPointer, range: Range<Int>, depth: Int,
        anyTypeURL: Range<Int>? = nil
    ) throws(CodecError) {
        guard depth < options.limits.maxDepth else { throw .depthExceeded(options.limits.maxDepth, at: range.lowerBound) }
        if let wellKnown = ProtoWellKnownType(type.fullName), anyTypeURL == nil {
            try self.wellKnown(wellKnown, type, base: base, range: range, depth: depth)
            return
        }
        // Gather the occurrences of known fields; repeated fields may be spread over the message.
        let segmentStart = pending.count
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: options.limits.maxDepth - depth)
            let position = type.fieldPosition(number: number)
            if position >= 0 { pending.append((position, occurrence)) }
        }
        writer.beginObject()
        var first = true
        if let anyTypeURL {
            writer.raw("\"@type\":".utf8)
            writer.string(utf8: UnsafeRawBufferPointer(start: base + anyTypeURL.lowerBound, count: anyTypeURL.count))
            first = false
        }
        if type.oneofs.contains(where: { !$0.isSynthetic }) { dropOverriddenOneofMembers(type, from: segmentStart) }
        var emitted = Set<Int>()
        var index = segmentStart
        while index < pending.count {
            let position = pending[index].position
            index += 1
            guard position >= 0 else { continue }
            let field = type.fields[position]
            if !field.hasPresence && !field.isMessage && !field.isMap
                && readsAsUnset(field, base: base, from: index - 1, segmentEnd: pending.count)
            {
                continue
            }
            var start = index - 1
            if field.type == .enum && !field.isMap && schema.enums[field.enumIndex].isClosed {
                guard let known = try dropUnknownClosedEnumValues(field, base: base, from: start, segmentEnd: pending.count)
                else { continue }
                start = known
            }
            if options.emitDefaults { emitted.insert(position) }
            if !first { writer.comma() }
            first = false
            writer.raw(options.useProtoNames ? field.protoKey : field.jsonKey)
            do {
                try fieldValue(field, base: base, from: start, segmentEnd: pending.count, depth: depth)
            } catch {
                throw error.under(field.name)
            }
        }
        pending.removeSubrange(segmentStart...)
        if options.emitDefaults {
            for (position, field) in type.fields.enumerated() where !emitted.contains(position) && !field.hasPresence {
                if !first { writer.comma() }
                first = false
                writer.raw(options.useProtoNames ? field.protoKey : field.jsonKey)
                try defaultValue(field)
            }
        }
        writer.endObject()
    }

    /// Whether a field without presence, whose first occurrence is `pending[first]`, reads as unset: its last value
    /// is the zero value, or (repeated) it has only empty packed blocks. Parsers keep no such field, so it is not
    /// written (as Python's json_format omits it) and, with `emitDefaults`, is written as absent. Its occurrences
    /// are marked done when it is.
    mutating func readsAsUnset(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, from first: Int, segmentEnd: Int
    ) -> Bool {
        let position = pending[first].position
        if field.isRepeated {
            guard field.type.isPackable else { return false }
            for index in first..<segmentEnd where pending[index].position == position {
                let occurrence = pending[index].occurrence
                if occurrence.wireType != .lengthDelimited || !occurrence.payload.isEmpty { return false }
            }
        } else {
            var last = first
            for index in first..<segmentEnd where pending[index].position == position { last = index }
            guard Self.holdsZero(field, pending[last].occurrence, base: base) else { return false }
        }
        for index in first..<segmentEnd where pending[index].position == position { pending[index].position = -1 }
        return true
    }

    /// Drops the occurrences of a closed (proto2) enum field whose number the enum lacks, and packed blocks with no
    /// known number: parsers keep those as unknown fields, so a singular field keeps its last known value (Python's
    /// json_format writes that), and JSON -> binary refuses such numbers. Returns the first occurrence left, if any.
    mutating func dropUnknownClosedEnumValues(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, from first: Int, segmentEnd: Int
    ) throws(CodecError) -> Int? {
        let position = pending[first].position
        let enumType = schema.enums[field.enumIndex]
        var firstKnown: Int?
        for index in first..<segmentEnd where pending[index].position == position {
            let occurrence = pending[index].occurrence
            var cursor = ProtoCursor(base: base, range: occurrence.payload)
            var known = false
            if occurrence.wireType == .varint {
                known = enumType.name(of: Int32(truncatingIfNeeded: try cursor.readVarint())) != nil
            } else if occurrence.wireType == .lengthDelimited {
                while !cursor.isAtEnd && !known {
                    known = enumType.name(of: Int32(truncatingIfNeeded: try cursor.readVarint())) != nil
                }
            } else {
                known = true  // A wrong wire type: left for the writer to report.
            }
            if known {
                if firstKnown == nil { firstKnown = index }
            } else {
                pending[index].position = -1
            }
        }
        return firstKnown
    }

    /// Whether a scalar occurrence of the field's own wire type holds the type's zero value (0, false, "", empty
    /// bytes, +0.0; a varint read as a 32-bit type by its low 32 bits, as parsers read it).
    static func holdsZero(_ field: ProtoFieldDescriptor, _ occurrence: ProtoOccurrence, base: UnsafeRawPointer) -> Bool {
        guard occurrence.wireType == field.wireType else { return false }
        let bytes = UnsafeRawBufferPointer(start: base + occurrence.valueStart, count: occurrence.payload.count)
        switch occurrence.wireType {
        case .varint:
            var value: UInt64 = 0
            var shift: UInt64 = 0
            for byte in bytes {
                if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
                shift += 7
            }
            switch field.type {
            case .int32, .uint32, .sint32, .enum: return UInt32(truncatingIfNeeded: value) == 0
            default: return value == 0
            }
        case .fixed32, .fixed64:
            return bytes.allSatisfy { $0 == 0 }
        case .lengthDelimited:
            return bytes.isEmpty
        default:
            return false
        }
    }

    /// Parsing keeps only the oneof member that appears last on the wire: earlier members of the same oneof are
    /// marked done so they are not written.
    mutating func dropOverriddenOneofMembers(_ type: ProtoMessageDescriptor, from segmentStart: Int) {
        var winner: [Int: Int] = [:]  // oneof index -> field position of its last member on the wire
        for index in segmentStart..<pending.count {
            let field = type.fields[pending[index].position]
            if let oneof = field.oneofIndex, !type.oneofs[oneof].isSynthetic { winner[oneof] = pending[index].position }
        }
        for index in segmentStart..<pending.count {
            let field = type.fields[pending[index].position]
            if let oneof = field.oneofIndex, let position = winner[oneof], position != pending[index].position {
                pending[index].position = -1
            }
        }
    }

    /// Writes the value of the field whose first occurrence is `pending[first]`, taking every later occurrence of
    /// the same field in this segment (and marking them done).
    mutating func fieldValue(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, from first: Int, segmentEnd: Int, depth: Int
    ) throws(CodecError) {
        let position = pending[first].position
        if !field.isRepeated {
            var count = 0
            var last = first
            for index in first..<segmentEnd where pending[index].position == position {
                count += 1
                last = index
            }
            if field.isMessage && count > 1 {
                let matches = (first...last).filter { pending[$0].position == position }.map { pending[$0].occurrence }
                for index in first...last where pending[index].position == position { pending[index].position = -1 }
                try mergedMessage(field, base: base, matches, depth: depth)
            } else {
                for index in first...last where pending[index].position == position { pending[index].position = -1 }
                try single(field, base: base, pending[last].occurrence, depth: depth)
            }
            return
        }
        if field.isMap {
            try mapValue(field, base: base, from: first, segmentEnd: segmentEnd, depth: depth)
            return
        }
        writer.byte(UInt8(ascii: "["))
        var firstElement = true
        for index in first..<segmentEnd where pending[index].position == position {
            pending[index].position = -1
            let occurrence = pending[index].occurrence
            if field.type.isPackable && occurrence.wireType == .lengthDelimited {
                var cursor = ProtoCursor(base: base, range: occurrence.payload)
                let closedEnum = field.type == .enum ? schema.enums[field.enumIndex] : nil
                while !cursor.isAtEnd {
                    if let closedEnum, closedEnum.isClosed {
                        // A number the closed enum lacks is an unknown field to parsers: skipped.
                        var probe = cursor
                        if closedEnum.name(of: Int32(truncatingIfNeeded: try probe.readVarint())) == nil {
                            cursor = probe
                            continue
                        }
                    }
                    if !firstElement { writer.comma() }
                    firstElement = false
                    try scalar(field, field.type, &cursor)
                }
            } else {
                if !firstElement { writer.comma() }
                firstElement = false
                try single(field, base: base, occurrence, depth: depth)
            }
        }
        writer.byte(UInt8(ascii: "]"))
    }

    /// A map as a JSON object. When a key occurs several times the last entry wins, as when parsing.
    mutating func mapValue(_ field: ProtoFieldDescriptor, base: UnsafeRawPointer, from first: Int, segmentEnd: Int,
                           depth: Int) throws(CodecError) {
        let position = pending[first].position
        let keyField = field.mapKey!
        let segmentStart = mapEntries.count
        defer { mapEntries.removeSubrange(segmentStart...) }
        for index in first..<segmentEnd where pending[index].position == position {
            pending[index].position = -1
            let occurrence = pending[index].occurrence
            try expectWireType(field, occurrence)
            mapEntries.append(try entryParts(occurrence, keyField, base: base, depth: depth))
        }
        writer.beginObject()
        var firstEntry = true
        let entriesEnd = mapEntries.count
        for offset in segmentStart..<entriesEnd {
            let item = mapEntries[offset]
            // Skip an entry whose key comes again later (the last one wins when parsing).
            var later = false
            for other in (offset + 1)..<entriesEnd where mapEntries[other].identity.equals(item.identity, base: base) {
                later = true
                break
            }
            if later { continue }
            if !firstEntry { writer.comma() }
            firstEntry = false
            try mapEntry(field, base: base, item, depth: depth)
        }
        writer.endObject()
    }

    /// What identifies a map entry's key: the bits of the decoded integer or bool (all keys of a map have one
    /// type), or the payload bytes of a string key. Trivial, so the entries copy without reference counting.
    enum MapKeyIdentity {
        case scalar(UInt64)
        case bytes(Range<Int>)

        init(_ scalar: ProtoScalar) {
            switch scalar {
            case .bool(let flag): self = .scalar(flag ? 1 : 0)
            case .int32(let number): self = .scalar(UInt64(bitPattern: Int64(number)))
            case .int64(let number): self = .scalar(UInt64(bitPattern: number))
            case .uint32(let number): self = .scalar(UInt64(number))
            case .uint64(let number): self = .scalar(number)
            default: self = .scalar(0)
            }
        }

        func equals(_ other: MapKeyIdentity, base: UnsafeRawPointer) -> Bool {
            switch (self, other) {
            case (.scalar(let mine), .scalar(let theirs)): return mine == theirs
            case (.bytes(let mine), .bytes(let theirs)):
                return mine.count == theirs.count
                    && memcmp(base + mine.lowerBound, base + theirs.lowerBound, mine.count) == 0
            default: return false
            }
        }
    }

    /// A map entry after the one scan of its payload: the last key and value occurrences, and the key's identity.
    struct MapEntryParts {
        let entry: ProtoOccurrence
        /// The last field 1, whatever its wire type (a wrong one is an error when the entry is written).
        var key: ProtoOccurrence?
        /// The last field 2, and how many there were (several occurrences of a message value merge).
        var value: ProtoOccurrence?
        var valueCount = 0
        /// From the last field 1 of the right wire type; absent means the zero value.
        var identity: MapKeyIdentity
    }

    /// Scans a map entry once for its key, its value and the key's identity (for the last-one-wins check).
    func entryParts(_ entry: ProtoOccurrence, _ keyField: ProtoFieldDescriptor, base: UnsafeRawPointer, depth: Int)
        throws(CodecError) -> MapEntryParts
    {
        let isString = keyField.type == .string
        var parts = MapEntryParts(entry: entry, identity: .bytes(0..<0))
        var identityKey: ProtoOccurrence?
        var cursor = ProtoCursor(base: base, range: entry.payload)
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: options.limits.maxDepth - depth)
            if number == 1 {
                parts.key = occurrence
                if occurrence.wireType == keyField.wireType { identityKey = occurrence }
            } else if number == 2 {
                parts.value = occurrence
                parts.valueCount += 1
            }
        }
        if let identityKey {
            if isString {
                parts.identity = .bytes(identityKey.payload)
            } else {
                var valueCursor = ProtoCursor(base: base, range: identityKey.headerEnd..<identityKey.end)
                parts.identity = MapKeyIdentity(try ProtoScalar.decode(keyField.type, from: &valueCursor))
            }
        } else if !isString {
            parts.identity = .scalar(0)
        }
        return parts
    }

    /// Several occurrences of a singular message field merge: converts their concatenated payloads.
    mutating func mergedMessage(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, _ occurrences: [ProtoOccurrence], depth: Int
    ) throws(CodecError) {
        var merged: [UInt8] = []
        for occurrence in occurrences {
            try expectWireType(field, occurrence)
            merged.append(contentsOf: UnsafeRawBufferPointer(start: base + occurrence.valueStart,
                                                             count: occurrence.payload.count))
        }
        let type = schema.messages[field.messageIndex]
        try merged.withCodecBytes { (buffer) throws(CodecError) in
            try message(type, base: buffer.baseAddress ?? base, range: 0..<buffer.count, depth: depth + 1)
        }
    }

    func expectWireType(_ field: ProtoFieldDescriptor, _ occurrence: ProtoOccurrence) throws(CodecError) {
        guard occurrence.wireType == field.wireType else {
            throw CodecError(
                .invalidWireType,
                "field '\(field.name)' (\(field.type.protoName)) has wire type \(occurrence.wireType.rawValue)",
                offset: occurrence.tagStart)
        }
    }

    /// One non-packed value: a message, or a scalar read after the tag.
    mutating func single(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, _ occurrence: ProtoOccurrence, depth: Int
    ) throws(CodecError) {
        try expectWireType(field, occurrence)
        if field.isMessage {
            try message(schema.messages[field.messageIndex], base: base, range: occurrence.payload, depth: depth + 1)
            return
        }
        var cursor = ProtoCursor(base: base, range: occurrence.headerEnd..<occurrence.end)
        try scalar(field, field.type, &cursor)
    }

    /// Writes `"key":value` for an entry scanned by ``entryParts(_:_:base:depth:)``.
    mutating func mapEntry(
        _ field: ProtoFieldDescriptor, base: UnsafeRawPointer, _ parts: MapEntryParts, depth: Int
    ) throws(CodecError) {
        let keyField = field.mapKey!
        let valueField = field.mapValue!
        let key = parts.key
        let value = parts.value
        let valueCount = parts.valueCount
        let entry = parts.entry
        // Keys are always strings in JSON.
        if let key {
            try expectWireType(keyField, key)
            var keyCursor = ProtoCursor(base: base, range: key.headerEnd..<key.end)
            if keyField.type == .string {
                try scalar(keyField, .string, &keyCursor)
            } else {
                let scalar = try ProtoScalar.decode(keyField.type, from: &keyCursor)
                writer.byte(UInt8(ascii: "\""))
                switch scalar {
                case .bool(let flag): writer.bool(flag)
                case .int32(let number): writer.signed(Int64(number))
                case .int64(let number): writer.signed(number)
                case .uint32(let number): writer.unsigned(UInt64(number))
                case .uint64(let number): writer.unsigned(number)
                default: break
                }
                writer.byte(UInt8(ascii: "\""))
            }
        } else {
            writer.raw(keyField.type == .bool ? "\"false\"".utf8 : keyField.type == .string ? "\"\"".utf8 : "\"0\"".utf8)
        }
        writer.colon()
        if let value, valueCount > 1, valueField.isMessage {
            // A message value split over several occurrences merges.
            var pieces: [ProtoOccurrence] = []
            var again = ProtoCursor(base: base, range: entry.payload)
            while !again.isAtEnd {
                let (number, occurrence) = try again.readOccurrence(depth: options.limits.maxDepth - depth)
                if number == 2 { pieces.append(occurrence) }
            }
            _ = value
            try mergedMessage(valueField, base: base, pieces, depth: depth)
        } else if let value {
            try single(valueField, base: base, value, depth: depth)
        } else {
            try defaultValue(valueField, inMap: true)
        }
    }

    /// The JSON of a field that is absent: its zero value (or, in a map, an empty message).
    mutating func defaultValue(_ field: ProtoFieldDescriptor, inMap: Bool = false) throws(CodecError) {
        if field.isMap && !inMap {
            writer.raw("{}".utf8)
            return
        }
        if field.isRepeated && !inMap {
            writer.raw("[]".utf8)
            return
        }
        if field.isMessage {
            let type = schema.messages[field.messageIndex]
            // An empty message of a well-known type still has its special form (e.g. "1970-01-01T00:00:00Z").
            let empty: [UInt8] = []
            try empty.withCodecBytes { (buffer) throws(CodecError) in
                try message(type, base: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!, range: 0..<0,
                            depth: 1)
            }
            return
        }
        var zero: [UInt8] = []
        try ProtoScalar.zero(of: field.type)!.encode(as: field.type, into: &zero)
        try zero.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: 0..<buffer.count)
            try scalar(field, field.type, &cursor)
        }
    }

    /// Reads one scalar of `type` at the cursor and writes its JSON form.
    @inline(__always)
    mutating func scalar(_ field: ProtoFieldDescriptor, _ type: ProtoFieldType, _ cursor: inout ProtoCursor)
        throws(CodecError)
    {
        switch type {
        case .int32: writer.signed(Int64(Int32(truncatingIfNeeded: try cursor.readVarint())))
        case .sint32: writer.signed(Int64(ProtoVarint.unZigZag(UInt32(truncatingIfNeeded: try cursor.readVarint()))))
        case .sfixed32: writer.signed(Int64(Int32(bitPattern: try cursor.readFixed32())))
        case .uint32: writer.unsigned(UInt64(UInt32(truncatingIfNeeded: try cursor.readVarint())))
        case .fixed32: writer.unsigned(UInt64(try cursor.readFixed32()))
        case .int64:
            writer.byte(0x22)
            writer.signed(Int64(bitPattern: try cursor.readVarint()))
            writer.byte(0x22)
        case .sint64:
            writer.byte(0x22)
            writer.signed(ProtoVarint.unZigZag(try cursor.readVarint()))
            writer.byte(0x22)
        case .sfixed64:
            writer.byte(0x22)
            writer.signed(Int64(bitPattern: try cursor.readFixed64()))
            writer.byte(0x22)
        case .uint64:
            writer.byte(0x22)
            writer.unsigned(try cursor.readVarint())
            writer.byte(0x22)
        case .fixed64:
            writer.byte(0x22)
            writer.unsigned(try cursor.readFixed64())
            writer.byte(0x22)
        case .bool: writer.bool(try cursor.readVarint() != 0)
        case .float: writer.float(Float(bitPattern: try cursor.readFixed32()))
        case .double: writer.double(Double(bitPattern: try cursor.readFixed64()))
        case .string:
            let start = cursor.position
            let range = try cursor.readLengthDelimited()
            let text = UnsafeRawBufferPointer(start: cursor.base + range.lowerBound, count: range.count)
            guard UTF8Validation.isValid(text) else {
                throw CodecError(.invalidUTF8, "string field holds invalid UTF-8", offset: start)
            }
            writer.string(utf8: text)
        case .bytes:
            let range = try cursor.readLengthDelimited()
            writer.base64(UnsafeRawBufferPointer(start: cursor.base + range.lowerBound, count: range.count))
        case .enum:
            let number = Int32(truncatingIfNeeded: try cursor.readVarint())
            let enumType = schema.enums[field.enumIndex]
            if enumType.fullName == "google.protobuf.NullValue" {
                writer.null()
            } else if !options.enumsAsInts, let name = enumType.quotedName(of: number) {
                writer.raw(name)
            } else {
                writer.signed(Int64(number))
            }
        case .message, .group:
            throw CodecError(.typeMismatch, "message values are not scalars", offset: cursor.position)
        }
    }
}

/// UTF-8 validation with an ASCII fast path.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        // Eight ASCII bytes at a time.
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: return false
            }
            guard index + length <= count else { return false }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            index += length
        }
        return true
    }
}
