internal import DynamicCodec
/// Thrift values parsed from HTTP text (path parameters, query values, headers, cookies, form fields).
///
/// Scalars parse per type (bools as `true`/`false`/`1`/`0`, enums by name or number); lists and sets take every
/// value, each split at commas; structs, maps and lists of them accept JSON text.
struct ThriftHTTPText {
    let schema: ThriftSchema
    let jsonOptions: ThriftJSONOptions

    /// Writes `field` (header and value) from its values (none: nothing); a scalar field takes the first value.
    func writeField<Writer: ThriftCountPatching>(
        _ field: ThriftFieldDescriptor, _ values: [String], source: HTTPSource, jsConv: Bool, into writer: inout Writer
    ) throws(CodecError) {
        guard let first = values.first else { return }
        switch field.type {
        case .bool:
            guard let flag = ProtoHTTPParameters.parseBool(first) else {
                throw expected(first, "a bool (true or false)", field, source)
            }
            writer.writeBoolField(id: field.id, value: flag)
        case .list(let element) where element.isTextScalar, .set(let element) where element.isTextScalar:
            var items: [Substring] = []
            for value in values {
                items += value.split(separator: ",", omittingEmptySubsequences: true).map {
                    Substring($0.trimmingSpaces)
                }
            }
            writer.writeFieldHeader(field.type.wireType, id: field.id)
            writer.writeListHeader(element.wireType, count: items.count)
            for item in items { try writeScalar(String(item), as: element, field, source, into: &writer) }
        case .struct, .map, .list, .set:
            writer.writeFieldHeader(field.type.wireType, id: field.id)
            try writeJSON(first, as: field.type, field, source, jsConv: jsConv, into: &writer)
        default:
            writer.writeFieldHeader(field.type.wireType, id: field.id)
            try writeScalar(first, as: field.type, field, source, into: &writer)
        }
    }

    /// A structured value given as JSON text.
    func writeJSON<Writer: ThriftCountPatching>(
        _ text: String, as type: ThriftType, _ field: ThriftFieldDescriptor, _ source: HTTPSource, jsConv: Bool,
        into writer: inout Writer
    ) throws(CodecError) {
        let json = Array(text.utf8)
        let encoded = try json.withCodecBytes { (buffer) throws(CodecError) -> [UInt8] in
            var decoder = ThriftJSONDecoder(schema: schema, options: jsonOptions, buffer: buffer, writer: Writer())
            do throws(CodecError) {
                try decoder.value(type, jsConv: jsConv)
                try decoder.scanner.expectEnd()
            } catch {
                throw CodecError.invalidArgument(
                    source, "'\(field.name)' (\(field.declaredTypeName)) takes JSON text here: \(error.message)")
            }
            return decoder.writer.bytes
        }
        writer.bytes += encoded
    }

    func writeScalar<Writer: ThriftWriting>(
        _ text: String, as type: ThriftType, _ field: ThriftFieldDescriptor, _ source: HTTPSource,
        into writer: inout Writer
    ) throws(CodecError) {
        switch type {
        case .bool:
            guard let flag = ProtoHTTPParameters.parseBool(text) else {
                throw expected(text, "a bool (true or false)", field, source)
            }
            writer.writeBool(flag)
        case .byte:
            guard let value = Int8(text) else { throw expected(text, "an i8", field, source) }
            writer.writeByte(value)
        case .i16:
            guard let value = Int16(text) else { throw expected(text, "an i16", field, source) }
            writer.writeI16(value)
        case .i32:
            guard let value = Int32(text) else { throw expected(text, "an i32", field, source) }
            writer.writeI32(value)
        case .i64:
            guard let value = Int64(text) else { throw expected(text, "an i64", field, source) }
            writer.writeI64(value)
        case .double:
            guard let value = ProtoHTTPParameters.parseFloating(text) else {
                throw expected(text, "a double", field, source)
            }
            writer.writeDouble(value)
        case .enum(let index):
            let enumType = schema.enums[index]
            if let value = enumType.value(named: text) ?? Int32(text) {
                writer.writeI32(value)
            } else {
                let names = enumType.values.prefix(8).map(\.name).joined(separator: ", ")
                throw expected(text, "a value of \(enumType.name) (\(names))", field, source)
            }
        case .string, .binary:
            var text = text
            text.withUTF8 { writer.writeBinary(UnsafeRawBufferPointer($0)) }
        case .uuid:
            guard let bytes = ThriftUUIDText.parse(Array(text.utf8)) else {
                throw expected(text, "a UUID", field, source)
            }
            bytes.withUnsafeBytes { writer.writeUUID($0) }
        case .struct, .list, .set, .map:
            throw CodecError.invalidArgument(source, "'\(field.name)' (\(field.declaredTypeName)) is not a scalar")
        }
    }

    @inline(never)
    func expected(_ text: String, _ what: String, _ field: ThriftFieldDescriptor, _ source: HTTPSource) -> CodecError {
        CodecError.invalidArgument(
            source, "'\(text)' is not \(what) (field '\(field.name)', \(field.declaredTypeName))")
    }
}

extension ThriftType {
    /// Scalars that parse from one piece of text.
    var isTextScalar: Bool {
        switch self {
        case .struct, .list, .set, .map: false
        default: true
        }
    }
}
