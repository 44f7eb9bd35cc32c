/// Converts Thrift payloads between the binary and compact protocols on bytes. Both protocols describe their own
/// types, so no schema is needed; values are copied field by field without building objects.
public enum ThriftTranscoder {
    /// Converts one struct (or, with `isMessage`, a whole message: header plus its struct) from one protocol to
    /// another. The input must be exactly one struct or message.
    ///
    /// With `type` (and its schema) the conversion also knows declared types the wire may omit: an empty map in the
    /// compact protocol carries no key/value types, which the binary protocol writes.
    public static func convert(
        _ bytes: [UInt8], from source: ThriftProtocol, to target: ThriftProtocol, isMessage: Bool = false,
        type: ThriftStructDescriptor? = nil, schema: ThriftSchema? = nil, limits: CodecLimits = .default
    ) throws(CodecError) -> [UInt8] {
        let declared = type.map { ThriftType.struct($0.index) }
        guard bytes.count <= limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "input of \(bytes.count) bytes exceeds the limit")
        }
        return try bytes.withCodecBytes { (buffer) throws(CodecError) in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
            let range = 0..<buffer.count
            switch (source, target) {
            case (.binary, .binary):
                return try run(ThriftBinaryReader(base: base, range: range, maxDepth: limits.maxDepth),
                               ThriftBinaryWriter(), isMessage: isMessage, declared: declared, schema: schema)
            case (.binary, .compact):
                return try run(ThriftBinaryReader(base: base, range: range, maxDepth: limits.maxDepth),
                               ThriftCompactWriter(), isMessage: isMessage, declared: declared, schema: schema)
            case (.compact, .binary):
                return try run(ThriftCompactReader(base: base, range: range, maxDepth: limits.maxDepth),
                               ThriftBinaryWriter(), isMessage: isMessage, declared: declared, schema: schema)
            case (.compact, .compact):
                return try run(ThriftCompactReader(base: base, range: range, maxDepth: limits.maxDepth),
                               ThriftCompactWriter(), isMessage: isMessage, declared: declared, schema: schema)
            }
        }
    }

    static func run<Reader: ThriftReading, Writer: ThriftWriting>(
        _ reader: Reader, _ writer: Writer, isMessage: Bool, declared: ThriftType?, schema: ThriftSchema?
    ) throws(CodecError) -> [UInt8] {
        var reader = reader
        var writer = writer
        writer.bytes.reserveCapacity(reader.end)
        if isMessage {
            let header = try reader.readMessageHeader()
            writer.writeMessageHeader(name: header.name, type: header.type, sequenceID: header.sequenceID)
        }
        try copy(.struct, &reader, &writer, depth: 0, declared: declared, schema: schema)
        guard reader.position == reader.end else {
            throw CodecError(.invalidValue, "\(reader.end - reader.position) bytes follow the struct",
                             offset: reader.position)
        }
        return writer.bytes
    }

    /// Copies one value of `type` from `reader` to `writer`; `declared` (with `schema`) is its IDL type when known.
    static func copy<Reader: ThriftReading, Writer: ThriftWriting>(
        _ type: ThriftWireType, _ reader: inout Reader, _ writer: inout Writer, depth: Int,
        declared: ThriftType? = nil, schema: ThriftSchema? = nil
    ) throws(CodecError) {
        guard depth < reader.maxDepth else { throw .depthExceeded(reader.maxDepth, at: reader.position) }
        switch type {
        case .bool: writer.writeBool(try reader.readBool())
        case .byte: writer.writeByte(try reader.readByte())
        case .i16: writer.writeI16(try reader.readI16())
        case .i32: writer.writeI32(try reader.readI32())
        case .i64: writer.writeI64(try reader.readI64())
        case .double: writer.writeDouble(try reader.readDouble())
        case .string:
            let range = try reader.readBinary()
            writer.writeBinary(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))
        case .uuid:
            let range = try reader.readUUID()
            writer.writeUUID(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))
        case .struct:
            try reader.beginStruct()
            writer.beginStruct()
            var descriptor: ThriftStructDescriptor?
            if case .struct(let index)? = declared, let schema { descriptor = schema.structs[index] }
            while let field = try reader.readFieldHeader() {
                if field.type == .bool {
                    writer.writeBoolField(id: field.id, value: try reader.readBool())
                } else {
                    writer.writeFieldHeader(field.type, id: field.id)
                    let fieldType = descriptor?.field(id: field.id)?.type
                    try copy(field.type, &reader, &writer, depth: depth + 1,
                             declared: fieldType?.wireType == field.type ? fieldType : nil, schema: schema)
                }
            }
            writer.writeStop()
            reader.endStruct()
            writer.endStruct()
        case .list, .set:
            let header = try reader.readListHeader()
            writer.writeListHeader(header.element, count: header.count)
            var element: ThriftType?
            switch declared {
            case .list(let declaredElement)?, .set(let declaredElement)?: element = declaredElement
            default: element = nil
            }
            if element?.wireType != header.element { element = nil }
            for _ in 0..<header.count {
                try copy(header.element, &reader, &writer, depth: depth + 1, declared: element, schema: schema)
            }
        case .map:
            let header = try reader.readMapHeader()
            var keyType: ThriftType?
            var valueType: ThriftType?
            if case .map(let key, let value)? = declared { (keyType, valueType) = (key, value) }
            if header.count == 0, let keyType, let valueType {
                // The compact protocol writes no types for an empty map; use the declared ones.
                writer.writeMapHeader(key: keyType.wireType, value: valueType.wireType, count: 0)
            } else {
                writer.writeMapHeader(key: header.key, value: header.value, count: header.count)
            }
            if keyType?.wireType != header.key { keyType = nil }
            if valueType?.wireType != header.value { valueType = nil }
            for _ in 0..<header.count {
                try copy(header.key, &reader, &writer, depth: depth + 1, declared: keyType, schema: schema)
                try copy(header.value, &reader, &writer, depth: depth + 1, declared: valueType, schema: schema)
            }
        case .stop:
            throw CodecError(.invalidWireType, "unexpected STOP type", offset: reader.position)
        }
    }
}
