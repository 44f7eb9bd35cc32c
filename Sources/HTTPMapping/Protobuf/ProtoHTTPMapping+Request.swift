public import DynamicCodec
/// The google.api.http mapping between HTTP and Protobuf messages. Pure functions over bytes and descriptors.
public enum ProtoHTTPMapping {}

extension ProtoHTTPMapping {
    /// Builds the encoded request message of `method` from an HTTP request.
    ///
    /// Fields bound by the path come from `pathParameters` (as a route match returns them). With `body: "*"` (and
    /// for the generic route, `rule == nil`) every other field comes from the JSON body; with `body: "field"` that
    /// field comes from the body and the others from the query; without a body, everything not in the path comes
    /// from the query (`a.b=1` for nested fields, repeated keys for lists, `m[k]=v` for map entries). Path values
    /// win over body values for the same field: the parts are encoded body, query, path and concatenated, which
    /// Protobuf merges.
    public static func request(
        _ request: HTTPRequestParts, pathParameters: [HTTPPathParameter] = [], rule: HTTPRule?,
        method: ProtoMethodDescriptor, schema: ProtoSchema, options: HTTPMappingOptions = HTTPMappingOptions()
    ) throws(CodecError) -> [UInt8] {
        let input = schema.input(of: method)
        let bodyField: String? = rule == nil ? "*" : rule?.body
        var out: [UInt8] = []
        if let bodyField, !isBlank(request.body) {
            out = try decodeBody(request.body, field: bodyField, of: input, schema: schema, options: options)
        }
        if let rule, rule.pathTemplate.contains("{") {
            for variable in try HTTPPathTemplate(parsing: rule.pathTemplate).variables
            where !pathParameters.contains(where: { $0.name == variable }) {
                throw CodecError.invalidArgument(.path(variable), "missing (the route binds it)")
            }
        }
        var parameters = ProtoHTTPParameters(schema: schema)
        var bound: [[ProtoFieldDescriptor]] = []
        for parameter in pathParameters {
            guard let chain = ProtoHTTPBinding.resolve(parameter.name[...], in: input, schema: schema) else {
                throw CodecError.invalidArgument(.path(parameter.name), "\(input.fullName) has no such field")
            }
            bound.append(chain)
            parameters.assignments.append(
                .init(
                    chain: chain, mapKey: nil, value: parameter.value,
                    source: .path(parameter.name)))
        }
        if bodyField != "*" {
            let queryAssignments = try queryAssignments(
                try request.queryItems(), input: input, schema: schema, excluding: bound,
                bodyField: bodyField.flatMap { input.field(named: $0) }, strict: options.strict)
            // Path values are written last so that they win over anything else.
            parameters.assignments.insert(contentsOf: queryAssignments, at: 0)
        }
        out += try parameters.encode(as: input)
        guard out.count <= options.limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "request message exceeds \(options.limits.maxMessageSize) bytes")
        }
        return out
    }

    /// The body as the whole message (`*`) or as the value of one top-level field.
    static func decodeBody(
        _ body: [UInt8], field name: String, of input: ProtoMessageDescriptor, schema: ProtoSchema,
        options: HTTPMappingOptions
    ) throws(CodecError) -> [UInt8] {
        let json = options.requestJSON
        if name == "*" {
            do throws(CodecError) {
                return try ProtoJSON.decode(body, as: input, schema: schema, options: json)
            } catch {
                throw bodyError(error, prefix: nil)
            }
        }
        guard let field = input.field(named: name) else {
            throw CodecError(.schemaError, "\(input.fullName) has no body field '\(name)'")
        }
        if field.type == .message, !field.isRepeated, let type = schema.messageType(of: field) {
            var out: [UInt8] = []
            out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
            let payload: [UInt8]
            do throws(CodecError) {
                payload = try ProtoJSON.decode(body, as: type, schema: schema, options: json)
            } catch {
                throw bodyError(error, prefix: nil)
            }
            out.appendVarint(UInt64(payload.count))
            return out + payload
        }
        // Lists, maps and scalars: read as {"field": <body>} so the JSON mapping handles every type.
        let prefix = Array("{\"\(field.name)\":".utf8)
        do throws(CodecError) {
            return try ProtoJSON.decode(prefix + body + [UInt8(ascii: "}")], as: input, schema: schema, options: json)
        } catch {
            throw bodyError(error, prefix: prefix.count)
        }
    }

    /// A body error: INVALID_JSON keeps its code and offset; a value that does not fit its field becomes
    /// INVALID_ARGUMENT naming the JSON path in the body.
    @inline(never)
    static func bodyError(_ error: CodecError, prefix: Int?) -> CodecError {
        var mapped = error
        // Offsets of the wrapped form are moved back to the body's own.
        if let prefix, let offset = error.offset {
            mapped.offset = max(0, offset - prefix)
            let suffix = "at byte \(offset)"
            if mapped.message.hasSuffix(suffix) {
                mapped.message = String(mapped.message.dropLast(suffix.count)) + "at byte \(max(0, offset - prefix))"
            }
        }
        switch error.code {
        case .typeMismatch, .invalidValue, .invalidUTF8:
            mapped.code = .invalidArgument
            mapped.message = "body: " + mapped.message
        default:
            break
        }
        mapped.path = "body" + (mapped.path.map { $0.hasPrefix("[") ? $0 : "." + $0 } ?? "")
        return mapped
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    /// Query parameters as field assignments, skipping those bound by the path or inside the body field.
    static func queryAssignments(
        _ items: [HTTPQueryItem], input: ProtoMessageDescriptor, schema: ProtoSchema,
        excluding bound: [[ProtoFieldDescriptor]], bodyField: ProtoFieldDescriptor?, strict: Bool
    ) throws(CodecError) -> [ProtoHTTPParameters.Assignment] {
        var assignments: [ProtoHTTPParameters.Assignment] = []
        for item in items {
            var path = item.name[...]
            var mapKey: String?
            if let open = path.firstIndex(of: "["), path.hasSuffix("]") {
                mapKey = String(path[path.index(after: open)..<path.index(before: path.endIndex)])
                path = path[..<open]
            }
            guard let chain = ProtoHTTPBinding.resolve(path, in: input, schema: schema) else {
                if strict {
                    throw CodecError(
                        .unknownField, "query parameter '\(item.name)': \(input.fullName) has no such field",
                        path: HTTPSource.query(item.name).description)
                }
                continue
            }
            let numbers = chain.map(\.number)
            if let bodyField, numbers[0] == bodyField.number { continue }
            if bound.contains(where: {
                numbers.starts(with: $0.map(\.number)) || $0.map(\.number).starts(with: numbers)
            }) {
                continue
            }
            assignments.append(.init(chain: chain, mapKey: mapKey, value: item.value, source: .query(item.name)))
        }
        return assignments
    }
}
