package import DynamicCodec
/// Where each field of a Thrift request or reply struct goes in HTTP, read from its `api.*` annotations
/// (the CloudWeGo / Hertz convention).
package enum ThriftHTTPBinding {
    package enum RequestSource: Equatable {
        case path(String)
        case query(String)
        case header(String)
        case cookie(String)
        case form(String)
        case rawBody
        /// A key of the JSON body (or a form field of that name when the body is a form).
        case body(String)
    }

    package enum ResponseRole: Equatable {
        case httpCode
        case header(String)
        case cookie(String)
        case none
        case rawBody
        case body(String)
    }

    /// The annotation's value, or the field name when the value is empty.
    package static func name(_ field: ThriftFieldDescriptor, _ key: String) -> String? {
        guard let value = field.annotations[key] else { return nil }
        return value.isEmpty ? field.name : value
    }

    /// Where a request field comes from. Unannotated fields come from the query for GET, HEAD and DELETE and from
    /// the body otherwise.
    package static func requestSource(_ field: ThriftFieldDescriptor, httpMethod: String) -> RequestSource {
        if let name = name(field, "api.path") { return .path(name) }
        if let name = name(field, "api.query") { return .query(name) }
        if let name = name(field, "api.header") { return .header(name) }
        if let name = name(field, "api.cookie") { return .cookie(name) }
        if let name = name(field, "api.form") { return .form(name) }
        if field.annotations["api.raw_body"] != nil { return .rawBody }
        if let key = field.annotations["api.body"], !key.isEmpty { return .body(key) }
        switch httpMethod {
        case "GET", "HEAD", "DELETE": return .query(field.name)
        default: return .body(ThriftJSONStructKeys.jsonKey(field))
        }
    }

    package static func responseRole(_ field: ThriftFieldDescriptor) -> ResponseRole {
        let annotations = field.annotations
        if annotations["api.http_code"] != nil { return .httpCode }
        if let name = name(field, "api.header") { return .header(name) }
        if let name = name(field, "api.cookie") { return .cookie(name) }
        if let none = annotations["api.none"], none != "false" { return .none }
        if annotations["api.raw_body"] != nil { return .rawBody }
        if let key = annotations["api.body"], !key.isEmpty { return .body(key) }
        return .body(ThriftJSONStructKeys.jsonKey(field))
    }

    /// The struct HTTP fills: the single struct argument of the method, or the arguments struct itself when the
    /// method takes no argument, several, or a non-struct one (its fields are then bound by their names).
    package static func requestStruct(of method: ThriftMethodDescriptor, schema: ThriftSchema)
        -> (type: ThriftStructDescriptor, argument: ThriftFieldDescriptor?)
    {
        let arguments = schema.structs[method.argumentsIndex]
        if arguments.fields.count == 1, case .struct(let index) = arguments.fields[0].type {
            return (schema.structs[index], arguments.fields[0])
        }
        return (arguments, nil)
    }
}
