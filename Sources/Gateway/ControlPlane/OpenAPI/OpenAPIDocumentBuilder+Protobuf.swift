import DynamicCodec

/// Operations of Protobuf routes: google.api.http bindings (path variables, `body`, the query, `response_body`)
/// and the generic `POST /{package.Service}/{Method}` route.
extension OpenAPIDocumentBuilder {
    mutating func protoOperation(
        schema: ProtoSchema, method: ProtoMethodDescriptor, rule: HTTPRule?, path: OpenAPIPath, protoNames: Bool
    ) -> OpenAPIOperation {
        let input = schema.input(of: method)
        let output = schema.output(of: method)
        var operation = OpenAPIOperation()
        guard let rule else {
            operation.requestBody = OpenAPIOperation.jsonBody(
                schemas.proto(input, schema: schema, protoNames: protoNames), required: false,
                description: "The whole \(input.fullName) as proto3 JSON (an empty body is an empty message).")
            protoReply(&operation, schema: schema, method: method, output: output, field: nil, protoNames: protoNames)
            return operation
        }
        var bound: Set<[Int]> = []
        for parameter in path.parameters {
            let chain = parameter.variable.flatMap { Self.resolve($0, in: input, schema: schema) }
            if let chain { bound.insert(chain.map(\.number)) }
            let value: OpenAPIJSON
            let description: String
            if let subPattern = parameter.subPattern, let variable = parameter.variable {
                value = .object(
                    [("type", .string("string"))] + (parameter.isMulti ? [] : [("pattern", .string("^[^/]+$"))]))
                description =
                    "One part of the field `\(variable)`, which the path fills with `\(subPattern)`."
                    + (parameter.isMulti ? " May hold several segments." : "")
            } else if let chain, let leaf = chain.last {
                value = schemas.protoValue(leaf, schema: schema, protoNames: protoNames)
                description = OpenAPIJSON.documented(
                    "The field `\(parameter.variable ?? parameter.name)`.", by: leaf.documentation)
            } else {
                value = .object([("type", .string("string"))])
                description = parameter.isMulti ? "Any number of path segments." : "Any one path segment."
            }
            operation.parameters.append(
                OpenAPIOperation.parameter(
                    parameter.name, in: "path", schema: value, required: true, description: description))
        }
        switch rule.body {
        case "*":
            operation.requestBody = OpenAPIOperation.jsonBody(
                schemas.proto(input, schema: schema, protoNames: protoNames), required: false,
                description: "\(input.fullName) as proto3 JSON; fields bound by the path are taken from the path.")
        case let name?:
            if let field = input.field(named: name) {
                bound.insert([field.number])
                operation.requestBody = OpenAPIOperation.jsonBody(
                    schemas.protoField(field, schema: schema, protoNames: protoNames), required: false,
                    description:
                        "The field `\(name)` of \(input.fullName); the other fields come from the path and the query.")
            }
        case nil:
            break
        }
        if rule.body != "*" {
            var visited: Set<Int> = [input.index]
            protoQuery(
                input, schema: schema, prefix: "", numbers: [], bound: bound, protoNames: protoNames, depth: 0,
                visited: &visited, into: &operation.parameters)
        }
        let field = rule.responseBody.flatMap { output.field(named: $0) }
        protoReply(&operation, schema: schema, method: method, output: output, field: field, protoNames: protoNames)
        return operation
    }

    private mutating func protoReply(
        _ operation: inout OpenAPIOperation, schema: ProtoSchema, method: ProtoMethodDescriptor,
        output: ProtoMessageDescriptor, field: ProtoFieldDescriptor?, protoNames: Bool
    ) {
        let reply =
            field.map { schemas.protoField($0, schema: schema, protoNames: protoNames) }
            ?? schemas.proto(output, schema: schema, protoNames: protoNames)
        if method.serverStreaming {
            operation.isStream = true
            operation.responses.append(("200", OpenAPIOperation.streamResponse(reply, typeName: output.fullName)))
        } else {
            let what = field.map { "The field `\($0.name)` of \(output.fullName)" } ?? output.fullName
            operation.responses.append(
                ("200", OpenAPIOperation.jsonResponse(reply, description: "\(what) as proto3 JSON.")))
        }
    }

    /// Query parameters: every field the path and the body leave, dotted for nested messages, repeated keys for
    /// lists. Maps, lists of messages and JSON-only well-known types cannot come from the query.
    private mutating func protoQuery(
        _ message: ProtoMessageDescriptor, schema: ProtoSchema, prefix: String, numbers: [Int], bound: Set<[Int]>,
        protoNames: Bool, depth: Int, visited: inout Set<Int>, into parameters: inout [OpenAPIJSON]
    ) {
        for field in message.fields where !field.isMap {
            let chain = numbers + [field.number]
            guard !bound.contains(chain) else { continue }
            let name = prefix + OpenAPISchemaSet.protoKey(field, protoNames: protoNames)
            if field.isMessage, let type = schema.messageType(of: field) {
                if let wellKnown = ProtoWellKnownType(type.fullName) {
                    switch wellKnown {
                    case .timestamp, .duration, .fieldMask, .wrapper: break
                    default: continue
                    }
                } else {
                    guard !field.isRepeated, depth < 3, !visited.contains(type.index) else { continue }
                    visited.insert(type.index)
                    protoQuery(
                        type, schema: schema, prefix: name + ".", numbers: chain, bound: bound, protoNames: protoNames,
                        depth: depth + 1, visited: &visited, into: &parameters)
                    visited.remove(type.index)
                    continue
                }
            }
            let value = schemas.protoField(field, schema: schema, protoNames: protoNames)
            parameters.append(
                OpenAPIOperation.parameter(
                    name, in: "query", schema: value, required: false,
                    description: field.isRepeated
                        ? OpenAPIJSON.documented("Repeat the parameter for each value.", by: field.documentation)
                        : field.documentation))
        }
    }

    /// The fields a dotted path (`.proto` or JSON names) walks through, or nil.
    static func resolve(_ path: String, in type: ProtoMessageDescriptor, schema: ProtoSchema) -> [ProtoFieldDescriptor]?
    {
        var chain: [ProtoFieldDescriptor] = []
        var current: ProtoMessageDescriptor? = type
        for name in path.split(separator: ".") {
            guard let message = current,
                let field = message.field(named: String(name)) ?? message.field(jsonName: String(name))
            else { return nil }
            chain.append(field)
            current = schema.messageType(of: field)
        }
        return chain.isEmpty ? nil : chain
    }
}
