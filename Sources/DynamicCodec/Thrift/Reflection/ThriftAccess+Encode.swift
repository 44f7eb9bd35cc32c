extension ThriftAccess {
    /// Appends `fieldValue` encoded as `type` (no field header).
    package func encode(_ fieldValue: ThriftFieldValue, as type: ThriftType, into writer: inout Writer, depth: Int = 0)
        throws(CodecError)
    {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: 0) }
        func mismatch() -> CodecError {
            CodecError(.typeMismatch, "this value cannot be written as \(type)")
        }
        switch (type, fieldValue) {
        case (.struct(let index), .struct(let nested)):
            let expected = schema.structs[index]
            guard nested.descriptor.name == expected.name else {
                throw CodecError(.typeMismatch, "expected a \(expected.name), got a \(nested.descriptor.name)")
            }
            if nested.encoding == value.encoding {
                writer.bytes.append(contentsOf: nested.bytes)
            } else {
                writer.bytes.append(contentsOf: try ThriftTranscoder.convert(
                    nested.bytes, from: nested.encoding, to: value.encoding, limits: limits))
            }
        case (.list(let element), .list(let elements)), (.set(let element), .set(let elements)),
            (.list(let element), .set(let elements)), (.set(let element), .list(let elements)):
            writer.writeListHeader(element.wireType, count: elements.count)
            for item in elements { try encode(item, as: element, into: &writer, depth: depth + 1) }
        case (.map(let key, let valueType), .map(let entries)):
            writer.writeMapHeader(key: key.wireType, value: valueType.wireType, count: entries.count)
            for entry in entries {
                try encode(entry.key, as: key, into: &writer, depth: depth + 1)
                try encode(entry.value, as: valueType, into: &writer, depth: depth + 1)
            }
        case (_, .scalar(let scalar)):
            try encode(scalar, as: type, into: &writer)
        default:
            throw mismatch()
        }
    }

    package func encode(_ scalar: ThriftScalar, as type: ThriftType, into writer: inout Writer) throws(CodecError) {
        func mismatch() -> CodecError {
            CodecError(.typeMismatch, "a \(scalar) value cannot be written as \(type)")
        }
        func outOfRange() -> CodecError { CodecError(.invalidValue, "\(scalar) is out of range for \(type)") }
        switch type {
        case .bool:
            guard case .bool(let flag) = scalar else { throw mismatch() }
            writer.writeBool(flag)
        case .byte:
            guard let wide = scalar.integerValue else { throw mismatch() }
            guard let narrow = Int8(exactly: wide) else { throw outOfRange() }
            writer.writeByte(narrow)
        case .i16:
            guard let wide = scalar.integerValue else { throw mismatch() }
            guard let narrow = Int16(exactly: wide) else { throw outOfRange() }
            writer.writeI16(narrow)
        case .i32, .enum:
            guard let wide = scalar.integerValue else { throw mismatch() }
            guard let narrow = Int32(exactly: wide) else { throw outOfRange() }
            writer.writeI32(narrow)
        case .i64:
            guard let wide = scalar.integerValue else { throw mismatch() }
            writer.writeI64(wide)
        case .double:
            switch scalar {
            case .double(let number): writer.writeDouble(number)
            default:
                guard let wide = scalar.integerValue else { throw mismatch() }
                writer.writeDouble(Double(wide))
            }
        case .string, .binary:
            switch scalar {
            case .string(var text): text.withUTF8 { writer.writeBinary(UnsafeRawBufferPointer($0)) }
            case .binary(let bytes): bytes.withUnsafeBytes { writer.writeBinary($0) }
            default: throw mismatch()
            }
        case .uuid:
            guard case .uuid(let bytes) = scalar, bytes.count == 16 else { throw mismatch() }
            bytes.withUnsafeBytes { writer.writeUUID($0) }
        default:
            throw mismatch()
        }
    }

    /// A whole field occurrence (header and value), its header relative to `previousID`.
    package func encodeField(_ field: ThriftFieldDescriptor, _ fieldValue: ThriftFieldValue, previousID: Int16)
        throws(CodecError) -> [UInt8]
    {
        var writer = Writer()
        writer.setPreviousFieldID(previousID)
        if case .bool = field.type, case .scalar(.bool(let flag)) = fieldValue {
            writer.writeBoolField(id: field.id, value: flag)
            return writer.bytes
        }
        writer.writeFieldHeader(field.type.wireType, id: field.id)
        try encode(fieldValue, as: field.type, into: &writer)
        return writer.bytes
    }

    /// A field header re-encoded relative to `previousID` (for the field after an inserted or removed one).
    package func encodeHeader(of span: ThriftFieldSpan, previousID: Int16) throws(CodecError) -> [UInt8] {
        var writer = Writer()
        writer.setPreviousFieldID(previousID)
        if span.type == .bool {
            let flag = try withBase { (base, count) throws(CodecError) in
                var reader = Reader(base: base, range: span.headerStart..<span.end, maxDepth: limits.maxDepth)
                _ = try reader.readFieldHeader()
                return try reader.readBool()
            }
            writer.writeBoolField(id: span.id, value: flag)
            // In the binary protocol the value byte follows the header; keep only the header part.
            return Array(writer.bytes.prefix(span.valueStart - span.headerStart))
        }
        writer.writeFieldHeader(span.type, id: span.id)
        return writer.bytes
    }
}
