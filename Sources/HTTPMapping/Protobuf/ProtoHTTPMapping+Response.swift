public import DynamicCodec
extension ProtoHTTPMapping {
    /// Maps an encoded reply of `method` to an HTTP response: status 200 and the reply as proto3 JSON, or only the
    /// `response_body` field of the rule when it names one. A reply that does not decode gives BAD_BACKEND_REPLY.
    public static func response(
        _ reply: [UInt8], rule: HTTPRule?, method: ProtoMethodDescriptor, schema: ProtoSchema,
        options: HTTPMappingOptions = HTTPMappingOptions()
    ) throws(CodecError) -> HTTPResponseParts {
        let output = schema.output(of: method)
        var json = options.protoJSON
        json.limits = options.limits
        let body: [UInt8]
        do throws(CodecError) {
            if let name = rule?.responseBody {
                guard let field = output.field(named: name) else {
                    throw CodecError(.schemaError, "\(output.fullName) has no response_body field '\(name)'")
                }
                body = try fieldJSON(reply, field: field, of: output, schema: schema, options: json)
            } else {
                body = try ProtoValue(bytes: reply, descriptor: output, schema: schema, limits: options.limits)
                    .json(options: json)
            }
        } catch {
            guard error.code != .schemaError else { throw error }
            throw CodecError(
                .badBackendReply,
                "the reply of \(method.fullName) does not decode as \(output.fullName): "
                    + error.description)
        }
        return HTTPResponseParts(status: 200, headers: HTTPResponseParts.jsonHeaders, body: body)
    }

    /// The JSON value of one field of the reply: its occurrences are cut out of the bytes, converted as a message
    /// holding only them, and the value is taken from behind the key.
    static func fieldJSON(
        _ reply: [UInt8], field: ProtoFieldDescriptor, of output: ProtoMessageDescriptor, schema: ProtoSchema,
        options: ProtoJSONOptions
    ) throws(CodecError) -> [UInt8] {
        let occurrences = try reply.withCodecBytes { (buffer) throws(CodecError) -> [UInt8] in
            var cursor = ProtoCursor(buffer, range: 0..<buffer.count)
            var selected: [UInt8] = []
            while !cursor.isAtEnd {
                let start = cursor.position
                let tag = try cursor.readTag()
                try cursor.skip(tag.wireType, number: tag.number, depth: options.limits.maxDepth)
                if tag.number == field.number { selected.append(contentsOf: buffer[start..<cursor.position]) }
            }
            return selected
        }
        if occurrences.isEmpty { return emptyJSON(field, schema: schema, options: options) }
        var only = options
        only.emitDefaults = false
        let json = try ProtoValue(bytes: occurrences, descriptor: output, schema: schema, limits: options.limits)
            .json(options: only)
        let key = Array("{\"\(options.useProtoNames ? field.name : field.jsonName)\":".utf8)
        guard json.starts(with: key), json.last == UInt8(ascii: "}") else {
            return emptyJSON(field, schema: schema, options: options)
        }
        return Array(json[key.count..<(json.count - 1)])
    }

    /// The JSON of an absent field: `[]`, `{}`, `null` for well-known types written as JSON scalars, or the zero
    /// value of a scalar.
    static func emptyJSON(_ field: ProtoFieldDescriptor, schema: ProtoSchema, options: ProtoJSONOptions) -> [UInt8] {
        if field.isMap { return Array("{}".utf8) }
        if field.isRepeated { return Array("[]".utf8) }
        if let type = schema.messageType(of: field) {
            switch ProtoWellKnownType(type.fullName) {
            case nil, .empty, .structValue, .any: return Array("{}".utf8)
            default: return Array("null".utf8)
            }
        }
        switch field.type {
        case .bool: return Array("false".utf8)
        case .string, .bytes: return Array("\"\"".utf8)
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: return Array("\"0\"".utf8)
        case .enum:
            guard !options.enumsAsInts, let name = schema.enumType(of: field)?.name(of: 0) else { return [0x30] }
            return Array("\"\(name)\"".utf8)
        default: return [0x30]
        }
    }
}
