/// Where one occurrence of a field sits in the encoded bytes.
///
/// `tagStart..<end` is the whole occurrence. For length-delimited values `headerEnd..<valueStart` is the length
/// prefix and `valueStart..<valueEnd` the payload; for groups the payload ends before the end tag (`valueEnd < end`);
/// for other wire types `valueStart == headerEnd` and `valueEnd == end`.
package struct ProtoOccurrence {
    package var tagStart: Int
    package var headerEnd: Int
    package var valueStart: Int
    package var valueEnd: Int
    package var end: Int
    package var wireType: ProtoWireType

    package var payload: Range<Int> { valueStart..<valueEnd }
    package var whole: Range<Int> { tagStart..<end }
    /// The length prefix of a length-delimited occurrence.
    package var lengthPrefix: Range<Int>? { wireType == .lengthDelimited ? headerEnd..<valueStart : nil }
}

extension ProtoCursor {
    /// Reads the tag and value at the cursor into an occurrence.
    @inline(__always)
    package mutating func readOccurrence(depth: Int) throws(CodecError) -> (number: Int, occurrence: ProtoOccurrence) {
        let tagStart = position
        let tag = try readTag()
        let headerEnd = position
        var occurrence = ProtoOccurrence(
            tagStart: tagStart, headerEnd: headerEnd, valueStart: headerEnd, valueEnd: headerEnd, end: headerEnd,
            wireType: tag.wireType)
        switch tag.wireType {
        case .lengthDelimited:
            let payload = try readLengthDelimited()
            occurrence.valueStart = payload.lowerBound
            occurrence.valueEnd = payload.upperBound
        case .startGroup:
            try skip(.startGroup, number: tag.number, depth: depth)
            occurrence.valueEnd = position - ProtoVarint.size(ProtoVarint.tag(tag.number, .endGroup))
        default:
            try skip(tag.wireType, number: tag.number)
            occurrence.valueEnd = position
        }
        occurrence.end = position
        return (tag.number, occurrence)
    }
}

/// One element of a repeated field: either a whole occurrence (unpacked, or any message element) or a value inside
/// a packed block.
package struct ProtoElement {
    /// The bytes of the element's value (for unpacked: the whole occurrence including its tag).
    package var range: Range<Int>
    /// The occurrence holding it: the element itself when unpacked, the packed block otherwise.
    package var occurrence: ProtoOccurrence
    package var isPacked: Bool
}

extension ProtoValue {
    /// Calls `body` with a cursor over this message.
    @inline(__always)
    package func withCursor<Result>(
        _ range: Range<Int>, _ body: (inout ProtoCursor) throws(CodecError) -> Result
    ) throws(CodecError) -> Result {
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: range)
            return try body(&cursor)
        }
    }

    /// All occurrences of field `number` in `range`, in wire order.
    package func occurrences(of number: Int, in range: Range<Int>) throws(CodecError) -> [ProtoOccurrence] {
        let depth = limits.maxDepth
        return try withCursor(range) { (cursor) throws(CodecError) in
            var found: [ProtoOccurrence] = []
            while !cursor.isAtEnd {
                let (tagNumber, occurrence) = try cursor.readOccurrence(depth: depth)
                if tagNumber == number { found.append(occurrence) }
            }
            return found
        }
    }

    /// The position where a new field `number` goes: before the first field with a higher number, so canonical
    /// (number-ordered) input stays canonical; the end for anything else.
    package func insertionPoint(for number: Int, in range: Range<Int>) throws(CodecError) -> Int {
        let depth = limits.maxDepth
        return try withCursor(range) { (cursor) throws(CodecError) in
            while !cursor.isAtEnd {
                let (tagNumber, occurrence) = try cursor.readOccurrence(depth: depth)
                if tagNumber > number { return occurrence.tagStart }
            }
            return range.upperBound
        }
    }

    /// The elements of repeated field `field` given its occurrences (packed blocks expanded).
    package func elements(of field: ProtoFieldDescriptor, _ occurrences: [ProtoOccurrence]) throws(CodecError)
        -> [ProtoElement]
    {
        var elements: [ProtoElement] = []
        elements.reserveCapacity(occurrences.count)
        let packable = field.type.isPackable
        for occurrence in occurrences {
            if packable && occurrence.wireType == .lengthDelimited {
                try withCursor(occurrence.payload) { (cursor) throws(CodecError) in
                    while !cursor.isAtEnd {
                        let start = cursor.position
                        try cursor.skip(field.wireType, number: field.number)
                        elements.append(
                            ProtoElement(range: start..<cursor.position, occurrence: occurrence, isPacked: true))
                    }
                }
            } else {
                try checkWireType(field, occurrence)
                elements.append(ProtoElement(range: occurrence.whole, occurrence: occurrence, isPacked: false))
            }
        }
        return elements
    }

    package func checkWireType(_ field: ProtoFieldDescriptor, _ occurrence: ProtoOccurrence) throws(CodecError) {
        guard occurrence.wireType == field.wireType else {
            throw CodecError(
                .invalidWireType,
                "field '\(field.name)' (\(field.type.protoName)) has wire type \(occurrence.wireType.rawValue)",
                offset: occurrence.tagStart)
        }
    }

    /// Decodes the key of a map entry (its field 1; absent means the zero value).
    package func mapKey(of entry: ProtoOccurrence, keyField: ProtoFieldDescriptor) throws(CodecError) -> ProtoMapKey {
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            try entryKey(entry, keyField, base: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!)
        }
    }

    /// The map entries of `field` whose key matches `key`.
    package func entries(
        of field: ProtoFieldDescriptor, matching key: ProtoMapKey, _ occurrences: [ProtoOccurrence]
    ) throws(CodecError) -> [ProtoOccurrence] {
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
            var matches: [ProtoOccurrence] = []
            for occurrence in occurrences {
                try checkWireType(field, occurrence)
                let equal: Bool
                if case .bytes(let wanted) = key {
                    equal = try entryKeyEquals(occurrence, wanted, base: base)
                } else {
                    equal = try entryKey(occurrence, field.mapKey!, base: base) == key
                }
                if equal { matches.append(occurrence) }
            }
            return matches
        }
    }

    /// Resolves a field step of a path against a message type.
    package func field(for step: FieldPath.Step, in message: ProtoMessageDescriptor) throws(CodecError)
        -> ProtoFieldDescriptor
    {
        switch step {
        case .name(let name):
            if let field = message.field(named: name) ?? message.field(jsonName: name) { return field }
            throw CodecError(.unknownField, "\(message.fullName) has no field named '\(name)'")
        case .number(let number):
            if let field = message.field(number: number) { return field }
            throw CodecError(.unknownField, "\(message.fullName) has no field number \(number)")
        default:
            throw CodecError(.pathMismatch, "expected a field name or number, found subscript \(step)")
        }
    }
}

extension ProtoValue {
    /// For a member of a real oneof, the occurrences that count: those after the last occurrence of another member
    /// (a later member clears the earlier ones while parsing). Other fields: `found` unchanged.
    package func effective(
        _ found: [ProtoOccurrence], of field: ProtoFieldDescriptor, in message: ProtoMessageDescriptor,
        range: Range<Int>
    ) throws(CodecError) -> [ProtoOccurrence] {
        guard let cutoff = try oneofCutoff(of: field, in: message, range: range) else { return found }
        return found.filter { $0.tagStart >= cutoff }
    }

    /// The end of the last occurrence of another member of `field`'s oneof, or nil when `field` is in no real oneof.
    package func oneofCutoff(of field: ProtoFieldDescriptor, in message: ProtoMessageDescriptor, range: Range<Int>)
        throws(CodecError) -> Int?
    {
        guard let index = field.oneofIndex, !message.oneofs[index].isSynthetic else { return nil }
        let members = message.oneofs[index].fieldNumbers
        let depth = limits.maxDepth
        return try withCursor(range) { (cursor) throws(CodecError) in
            var cutoff = range.lowerBound
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: depth)
                if number != field.number && members.contains(number) { cutoff = occurrence.end }
            }
            return cutoff
        }
    }
}
