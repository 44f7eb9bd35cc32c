/// Single-pass lookups that do not collect occurrences: the hot path of a get.
extension ProtoValue {
    /// The last occurrence of field `number` in `range` and how many there are.
    @inline(__always)
    func lastOccurrence(of number: Int, in range: Range<Int>) throws(CodecError) -> (last: ProtoOccurrence?, count: Int) {
        let depth = limits.maxDepth
        return try withCursor(range) { (cursor) throws(CodecError) in
            var last: ProtoOccurrence?
            var count = 0
            while !cursor.isAtEnd {
                let (tagNumber, occurrence) = try cursor.readOccurrence(depth: depth)
                if tagNumber == number {
                    last = occurrence
                    count += 1
                }
            }
            return (last, count)
        }
    }

    /// Element `index` of repeated field `field` in `range` (packed blocks expanded), scanning no further than
    /// needed.
    func element(_ index: Int, of field: ProtoFieldDescriptor, in range: Range<Int>) throws(CodecError) -> ProtoElement? {
        guard index >= 0 else { return nil }
        let depth = limits.maxDepth
        let packable = field.type.isPackable
        let fixedSize = field.type.fixedSize
        return try withCursor(range) { (cursor) throws(CodecError) in
            var remaining = index
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: depth)
                guard number == field.number else { continue }
                if packable && occurrence.wireType == .lengthDelimited {
                    if let fixedSize {
                        // Fixed-size elements: jump straight to the one wanted.
                        let count = occurrence.payload.count / fixedSize
                        if remaining < count {
                            let start = occurrence.valueStart + remaining * fixedSize
                            return ProtoElement(range: start..<(start + fixedSize), occurrence: occurrence, isPacked: true)
                        }
                        remaining -= count
                        continue
                    }
                    var inner = ProtoCursor(base: cursor.base, range: occurrence.payload)
                    while !inner.isAtEnd {
                        let start = inner.position
                        try inner.skip(field.wireType, number: field.number)
                        if remaining == 0 {
                            return ProtoElement(range: start..<inner.position, occurrence: occurrence, isPacked: true)
                        }
                        remaining -= 1
                    }
                } else {
                    try checkWireType(field, occurrence)
                    if remaining == 0 {
                        return ProtoElement(range: occurrence.whole, occurrence: occurrence, isPacked: false)
                    }
                    remaining -= 1
                }
            }
            return nil
        }
    }

    /// The last entry of map field `field` in `range` whose key is `key`.
    func lastEntry(of field: ProtoFieldDescriptor, matching key: ProtoMapKey, in range: Range<Int>) throws(CodecError)
        -> ProtoOccurrence?
    {
        let depth = limits.maxDepth
        let keyField = field.mapKey!
        return try withCursor(range) { (cursor) throws(CodecError) in
            var match: ProtoOccurrence?
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: depth)
                guard number == field.number else { continue }
                try checkWireType(field, occurrence)
                if case .bytes(let wanted) = key {
                    // String and bytes keys are compared in place: no copy per entry.
                    if try entryKeyEquals(occurrence, wanted, base: cursor.base) { match = occurrence }
                } else if try entryKey(occurrence, keyField, base: cursor.base) == key {
                    match = occurrence
                }
            }
            return match
        }
    }

    /// Decodes an entry's key (field 1; absent means the zero value) without copying the entry.
    @inline(__always)
    func entryKey(_ entry: ProtoOccurrence, _ keyField: ProtoFieldDescriptor, base: UnsafeRawPointer)
        throws(CodecError) -> ProtoMapKey
    {
        var cursor = ProtoCursor(base: base, range: entry.payload)
        var key: ProtoMapKey?
        while !cursor.isAtEnd {
            let tagStart = cursor.position
            let tag = try cursor.readTag()
            if tag.number == 1 && tag.wireType == keyField.wireType {
                if keyField.type == .string || keyField.type == .bytes {
                    let payload = try cursor.readLengthDelimited()
                    key = .bytes(Array(UnsafeRawBufferPointer(start: base + payload.lowerBound, count: payload.count)))
                } else {
                    key = ProtoMapKey(try ProtoScalar.decode(keyField.type, from: &cursor))
                }
            } else {
                cursor.position = tagStart
                _ = try cursor.readOccurrence(depth: limits.maxDepth)
            }
        }
        return key ?? ProtoMapKey(ProtoScalar.zero(of: keyField.type)!)
    }

    /// Whether the length-delimited key (field 1) of an entry equals `wanted`; an absent key is empty.
    @inline(__always)
    func entryKeyEquals(_ entry: ProtoOccurrence, _ wanted: [UInt8], base: UnsafeRawPointer) throws(CodecError) -> Bool {
        var cursor = ProtoCursor(base: base, range: entry.payload)
        var equal = wanted.isEmpty
        while !cursor.isAtEnd {
            let tagStart = cursor.position
            let tag = try cursor.readTag()
            if tag.number == 1 && tag.wireType == .lengthDelimited {
                let payload = try cursor.readLengthDelimited()
                equal = payload.count == wanted.count && wanted.withUnsafeBytes { wantedBytes in
                    wantedBytes.elementsEqual(UnsafeRawBufferPointer(start: base + payload.lowerBound, count: payload.count))
                }
            } else {
                cursor.position = tagStart
                _ = try cursor.readOccurrence(depth: limits.maxDepth)
            }
        }
        return equal
    }
}
