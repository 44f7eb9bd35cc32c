import DynamicCodec
import HTTPMapping

/// Operations of Thrift routes: the `api.*` bindings of the request struct (path, query, header, cookie, form,
/// raw body, JSON body), the reply's `api.http_code`, headers, cookies and body, declared exceptions; and the
/// generic route, whose body is the whole request struct.
extension OpenAPIDocumentBuilder {
    mutating func thriftOperation(
        schema: ThriftSchema, method: ThriftMethodDescriptor, httpMethod: String, generic: Bool, path: OpenAPIPath
    ) -> OpenAPIOperation {
        let (type, _) = ThriftHTTPBinding.requestStruct(of: method, schema: schema)
        var operation = OpenAPIOperation()
        if generic {
            operation.requestBody = OpenAPIOperation.jsonBody(
                schemas.thrift(struct: type.index, schema: schema), required: false,
                description: "The whole \(type.name) as JSON.")
        } else {
            thriftRequest(&operation, type: type, schema: schema, httpMethod: httpMethod, path: path)
        }
        thriftReply(&operation, method: method, schema: schema, generic: generic)
        return operation
    }

    private mutating func thriftRequest(
        _ operation: inout OpenAPIOperation, type: ThriftStructDescriptor, schema: ThriftSchema, httpMethod: String,
        path: OpenAPIPath
    ) {
        let keys = ThriftJSONStructKeys(type)
        var pathFields: [String: Int] = [:]
        var bodyPositions: [Int] = []
        var bodyKeys = keys.keys
        var formPositions: [Int] = []
        var formNames = keys.keys
        var rawBody: ThriftFieldDescriptor?
        for (position, field) in type.fields.enumerated() {
            let required = field.requiredness == .required
            let value = schemas.thriftValue(field.type, jsConv: keys.jsConv[position], schema: schema)
            let note = OpenAPIJSON.documented("The field `\(field.name)`.", by: field.documentation)
            switch ThriftHTTPBinding.requestSource(field, httpMethod: httpMethod) {
            case .path(let name): pathFields[name] = position
            case .query(let name):
                operation.parameters.append(
                    OpenAPIOperation.parameter(name, in: "query", schema: value, required: required, description: note))
            case .header(let name):
                operation.parameters.append(
                    OpenAPIOperation.parameter(name, in: "header", schema: value, required: required, description: note)
                )
            case .cookie(let name):
                operation.parameters.append(
                    OpenAPIOperation.parameter(name, in: "cookie", schema: value, required: required, description: note)
                )
            case .form(let name):
                formPositions.append(position)
                formNames[position] = name
            case .rawBody: rawBody = field
            case .body(let key):
                bodyPositions.append(position)
                bodyKeys[position] = key
            }
        }
        for parameter in path.parameters {
            let position = parameter.variable.flatMap { pathFields[$0] }
            let value =
                position.map {
                    schemas.thriftValue(type.fields[$0].type, jsConv: keys.jsConv[$0], schema: schema)
                } ?? .object([("type", .string("string"))])
            let description =
                position.map {
                    OpenAPIJSON.documented("The field `\(type.fields[$0].name)`.", by: type.fields[$0].documentation)
                } ?? "Not bound to a field."
            operation.parameters.append(
                OpenAPIOperation.parameter(
                    parameter.name, in: "path", schema: value, required: true,
                    description: description + (parameter.isMulti ? " The rest of the path: may hold '/'." : "")))
        }
        if let rawBody {
            let mediaType = rawBody.type == .string ? "text/plain" : "application/octet-stream"
            operation.requestBody = .object([
                ("description", .string("The whole body is the field `\(rawBody.name)`.")),
                ("content", .object([(mediaType, .object([("schema", .object([("type", .string("string"))]))]))])),
            ])
            return
        }
        let required = (bodyPositions + formPositions).contains { type.fields[$0].requiredness == .required }
        if !formPositions.isEmpty {
            // Body keys are read from the form too when the body is a form.
            let positions = formPositions + bodyPositions
            var names = formNames
            for position in bodyPositions { names[position] = bodyKeys[position] }
            var properties: [(String, OpenAPIJSON)] = []
            for position in positions {
                let field = type.fields[position]
                let value: OpenAPIJSON =
                    field.type == .binary
                    ? .object([("type", .string("string")), ("contentMediaType", .string("application/octet-stream"))])
                    : schemas.thriftValue(field.type, jsConv: keys.jsConv[position], schema: schema)
                properties.append((names[position], value))
            }
            let requiredNames = positions.filter { type.fields[$0].requiredness == .required }.map {
                OpenAPIJSON.string(names[$0])
            }
            var object: [(String, OpenAPIJSON)] = [("type", .string("object")), ("properties", .object(properties))]
            if !requiredNames.isEmpty { object.append(("required", .array(requiredNames))) }
            let form = OpenAPIJSON.object(object)
            operation.requestBody = .object([
                ("description", .string("Form fields of \(type.name).")),
                ("required", .bool(required)),
                (
                    "content",
                    .object([
                        ("application/x-www-form-urlencoded", .object([("schema", form)])),
                        ("multipart/form-data", .object([("schema", form)])),
                    ])
                ),
            ])
        } else if !bodyPositions.isEmpty {
            let object = schemas.thriftObject(
                type, positions: bodyPositions, keys: bodyKeys, jsConv: keys.jsConv, schema: schema)
            operation.requestBody = OpenAPIOperation.jsonBody(
                object, required: required, description: "The body fields of \(type.name).")
        }
    }

    private mutating func thriftReply(
        _ operation: inout OpenAPIOperation, method: ThriftMethodDescriptor, schema: ThriftSchema, generic: Bool
    ) {
        switch method.returnType {
        case nil:
            let empty = OpenAPIJSON.object([("type", .string("object")), ("additionalProperties", .bool(false))])
            let what = method.isOneway ? "oneway: the gateway does not wait for a reply" : "void"
            operation.responses.append(("200", OpenAPIOperation.jsonResponse(empty, description: "`{}` (\(what)).")))
        case .struct(let index)? where !generic:
            thriftStructReply(&operation, type: schema.structs[index], schema: schema)
        case let type?:
            operation.responses.append(
                (
                    "200",
                    OpenAPIOperation.jsonResponse(
                        schemas.thriftValue(type, jsConv: false, schema: schema), description: "The result as JSON.")
                ))
        }
        // Declared exceptions: the error body with the exception as details.value, under its api.http_code.
        let result = schema.structs[method.resultIndex]
        var byStatus: [(String, [OpenAPIJSON])] = []
        for id in method.exceptionIds {
            guard let field = result.field(id: id), case .struct(let index) = field.type else { continue }
            let exception = schema.structs[index]
            let status = Self.httpCodeDefault(exception) ?? 500
            let body = declaredException(exception, schema: schema)
            if let slot = byStatus.firstIndex(where: { $0.0 == String(status) }) {
                byStatus[slot].1.append(body)
            } else {
                byStatus.append((String(status), [body]))
            }
        }
        for (status, bodies) in byStatus where !operation.responses.contains(where: { $0.0 == status }) {
            let content = OpenAPIJSON.object([("anyOf", .array(bodies + [schemas.errorBody()]))])
            operation.responses.append(
                (
                    status,
                    OpenAPIOperation.jsonResponse(
                        content, description: "A declared exception (DECLARED_EXCEPTION), or another error.")
                ))
        }
    }

    /// A struct reply split by its annotations.
    private mutating func thriftStructReply(
        _ operation: inout OpenAPIOperation, type: ThriftStructDescriptor, schema: ThriftSchema
    ) {
        let keys = ThriftJSONStructKeys(type)
        var bodyPositions: [Int] = []
        var bodyKeys = keys.keys
        var headers: [(String, OpenAPIJSON)] = []
        var isRaw = false
        var status = 200
        for (position, field) in type.fields.enumerated() {
            switch ThriftHTTPBinding.responseRole(field) {
            case .httpCode:
                if case .integer(let code)? = field.defaultValue, (100...599).contains(code) { status = Int(code) }
            case .header(let name):
                headers.append(
                    (
                        name,
                        .object([
                            ("description", .string("The field `\(field.name)`.")),
                            ("schema", schemas.thriftValue(field.type, jsConv: keys.jsConv[position], schema: schema)),
                        ])
                    ))
            case .cookie(let name):
                if !headers.contains(where: { $0.0 == "Set-Cookie" }) {
                    headers.append(
                        (
                            "Set-Cookie",
                            .object([
                                ("description", .string("The cookie `\(name)` (the field `\(field.name)`).")),
                                ("schema", .object([("type", .string("string"))])),
                            ])
                        ))
                }
            case .none: break
            case .rawBody: isRaw = true
            case .body(let key):
                bodyPositions.append(position)
                bodyKeys[position] = key
            }
        }
        let description = "\(type.name): its body fields as JSON; header and cookie fields as headers."
        if isRaw {
            operation.responses.append(
                (
                    String(status),
                    .object([
                        (
                            "description",
                            .string("The raw body field of \(type.name); its type is the Content-Type field's.")
                        ),
                        ("headers", .object(headers)),
                        ("content", .object([("*/*", .object([("schema", .object([("type", .string("string"))]))]))])),
                    ])
                ))
            return
        }
        let object = schemas.thriftObject(
            type, positions: bodyPositions, keys: bodyKeys, jsConv: keys.jsConv, schema: schema)
        operation.responses.append(
            (String(status), OpenAPIOperation.jsonResponse(object, description: description, headers: headers)))
    }

    /// The default of an exception's or reply's `api.http_code` field, when it is an HTTP status.
    static func httpCodeDefault(_ type: ThriftStructDescriptor) -> Int? {
        guard let field = type.fields.first(where: { $0.annotations["api.http_code"] != nil }),
            case .integer(let code)? = field.defaultValue, (100...599).contains(code)
        else { return nil }
        return Int(code)
    }

    private mutating func declaredException(_ type: ThriftStructDescriptor, schema: ThriftSchema) -> OpenAPIJSON {
        let value = schemas.thrift(struct: type.index, schema: schema)
        let name = type.name.split(separator: ".").last.map(String.init) ?? type.name
        let key = OpenAPISchemaSet.Key(schema: ObjectIdentifier(schema), kind: 4, index: type.index, variant: 0)
        return schemas.component(key, name: "portico.DeclaredException." + type.name) { _ in
            .object([
                ("type", .string("object")),
                ("description", .string("The error body of the declared exception \(type.name).")),
                ("required", .array([.string("code"), .string("message"), .string("details")])),
                (
                    "properties",
                    .object([
                        ("code", .object([("const", .string("DECLARED_EXCEPTION"))])),
                        ("message", .object([("type", .string("string"))])),
                        (
                            "details",
                            .object([
                                ("type", .string("object")),
                                ("required", .array([.string("name"), .string("value")])),
                                (
                                    "properties",
                                    .object([
                                        ("name", .object([("const", .string(name))])),
                                        ("value", value),
                                    ])
                                ),
                            ])
                        ),
                    ])
                ),
            ])
        }
    }
}
