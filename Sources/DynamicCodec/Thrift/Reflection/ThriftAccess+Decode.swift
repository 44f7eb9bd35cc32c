extension ThriftAccess {
    /// Decodes the value of a field occurrence (reading its header first: a compact bool lives there).
    func decodeField(_ field: ThriftFieldDescriptor, _ span: ThriftFieldSpan) throws(CodecError) -> ThriftFieldValue {
        try checkType(field, span)
        let end = value.range.upperBound
        return try withBase { (base, count) throws(CodecError) in
            var reader = Reader(base: base, range: span.headerStart..<end, maxDepth: limits.maxDepth)
            _ = try reader.readFieldHeader()
            return try decode(field.type, &reader, depth: 0)
        }
    }

    /// Decodes a bare value (a container element, a map key or value) at `start`.
    func decodeValue(_ type: ThriftType, at start: Int) throws(CodecError) -> ThriftFieldValue {
        let end = value.range.upperBound
        return try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: start..<end, maxDepth: limits.maxDepth)
            return try decode(type, &reader, depth: 0)
        }
    }

    func decode(_ type: ThriftType, _ reader: inout Reader, depth: Int) throws(CodecError) -> ThriftFieldValue {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: reader.position) }
        switch type {
        case .bool: return .scalar(.bool(try reader.readBool()))
        case .byte: return .scalar(.byte(try reader.readByte()))
        case .i16: return .scalar(.i16(try reader.readI16()))
        case .i32, .enum: return .scalar(.i32(try reader.readI32()))
        case .i64: return .scalar(.i64(try reader.readI64()))
        case .double: return .scalar(.double(try reader.readDouble()))
        case .string:
            let start = reader.position
            let range = try reader.readBinary()
            let bytes = UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CodecError(.invalidUTF8, "string holds invalid UTF-8", offset: start)
            }
            return .scalar(.string(text))
        case .binary:
            let range = try reader.readBinary()
            return .scalar(.binary(Array(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))))
        case .uuid:
            let range = try reader.readUUID()
            return .scalar(.uuid(Array(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))))
        case .struct(let index):
            let start = reader.position
            try reader.skip(.struct, depth: depth)
            return .struct(ThriftValue(storage: value.storage, range: start..<reader.position, encoding: value.encoding,
                                       descriptor: schema.structs[index], schema: schema, limits: limits))
        case .list(let element), .set(let element):
            let start = reader.position
            let header = try reader.readListHeader()
            if header.count > 0 && header.element != element.wireType {
                throw CodecError(.invalidWireType, "list elements have wire type \(header.element), expected \(element.wireType)",
                                 offset: start)
            }
            var elements: [ThriftFieldValue] = []
            elements.reserveCapacity(header.count)
            for _ in 0..<header.count { elements.append(try decode(element, &reader, depth: depth + 1)) }
            if case .set = type { return .set(elements) }
            return .list(elements)
        case .map(let key, let valueType):
            let start = reader.position
            let header = try reader.readMapHeader()
            if header.count > 0 && (header.key != key.wireType || header.value != valueType.wireType) {
                throw CodecError(.invalidWireType, "map entries have wire types \(header.key)/\(header.value)", offset: start)
            }
            var entries: [ThriftMapEntry] = []
            entries.reserveCapacity(header.count)
            for _ in 0..<header.count {
                let entryKey = try decode(key, &reader, depth: depth + 1)
                entries.append(ThriftMapEntry(key: entryKey, value: try decode(valueType, &reader, depth: depth + 1)))
            }
            return .map(entries)
        }
    }
}
