internal import DynamicCodec
/// How a google.api.http rule binds request fields: resolution of variable and query field paths.
enum ProtoHTTPBinding {
    /// Resolves a dotted field path (`.proto` names or JSON names) in `type`; nil when a step is unknown or
    /// passes through a field that is not a singular message.
    static func resolve(_ path: Substring, in type: ProtoMessageDescriptor, schema: ProtoSchema)
        -> [ProtoFieldDescriptor]?
    {
        var chain: [ProtoFieldDescriptor] = []
        var current = type
        for (position, name) in path.split(separator: ".", omittingEmptySubsequences: false).enumerated() {
            if position > 0 {
                let previous = chain[position - 1]
                guard previous.type == .message, !previous.isRepeated, let next = schema.messageType(of: previous),
                    ProtoWellKnownType(next.fullName) == nil
                else { return nil }
                current = next
            }
            let key = String(name)
            guard let field = current.field(named: key) ?? current.field(jsonName: key) else { return nil }
            chain.append(field)
        }
        return chain.isEmpty ? nil : chain
    }

    /// Whether a leaf field can take its value from one string (a path variable).
    static func isStringSettable(_ field: ProtoFieldDescriptor, schema: ProtoSchema) -> Bool {
        guard field.isMessage else { return field.type != .group }
        guard let type = schema.messageType(of: field) else { return false }
        switch ProtoWellKnownType(type.fullName) {
        case .timestamp, .duration, .fieldMask, .wrapper: return true
        default: return false
        }
    }

    /// Checks a rule against the method's types when routes are built.
    static func validate(
        _ rule: HTTPRule, template: HTTPPathTemplate, method: ProtoMethodDescriptor, schema: ProtoSchema
    ) throws(CodecError) {
        let input = schema.input(of: method)
        func failure(_ problem: String) -> CodecError {
            CodecError(.schemaError, "\(method.fullName): google.api.http '\(rule.pathTemplate)': \(problem)")
        }
        for variable in template.variables {
            guard let chain = resolve(variable[...], in: input, schema: schema) else {
                throw failure("\(input.fullName) has no field '\(variable)'")
            }
            let leaf = chain[chain.count - 1]
            guard !leaf.isRepeated, isStringSettable(leaf, schema: schema) else {
                throw failure("'\(variable)' must be a singular scalar field to be bound by the path")
            }
        }
        if let body = rule.body, body != "*", input.field(named: body) == nil {
            throw failure("the body field '\(body)' is not a field of \(input.fullName)")
        }
        if let responseBody = rule.responseBody, schema.output(of: method).field(named: responseBody) == nil {
            throw failure(
                "the response_body field '\(responseBody)' is not a field of \(schema.output(of: method).fullName)")
        }
    }
}
