import DynamicCodec
import HTTPMapping

/// Builds the OpenAPI 3.1 document of a set of routes: one operation per route, schemas that follow the JSON the
/// gateway reads and writes, the error body of shared/specs/errors.md as every operation's default response.
struct OpenAPIDocumentBuilder {
    /// What the document says of the service a route leads to.
    struct Service {
        /// The name in the gateway's configuration.
        var name: String
        /// `.proto` names instead of JSON names in Protobuf JSON.
        var protoNames: Bool = false
        /// The framing toward the backend, for descriptions.
        var framing: String?
    }

    var schemas = OpenAPISchemaSet()
    /// Paths the gateway answers itself before any route (GET and HEAD): `/healthz`, `/readyz`, `/metrics`, and
    /// `/openapi.json` and `/console` when served.
    var ownPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]
    /// Whether the admin API (`/admin/descriptors...`, `/admin/services...`, any method) is served.
    var adminAPI = false
    /// Routes the gateway's own endpoints hide, as `GET /healthz -> Service.Method`.
    private(set) var shadowed: [String] = []
    private var paths: [String: [(String, OpenAPIJSON)]] = [:]
    private var pathsByShape: [String: OpenAPIPath] = [:]
    private var operationIDs: Set<String> = []
    private var tags: [(String, String)] = []
    private(set) var operationCount = 0

    /// Adds the operation of one route. Client-streaming methods are left out: HTTP/JSON routes refuse them.
    mutating func add(_ route: Route, service: Service) {
        guard !isShadowed(route) else {
            shadowed.append(route.description)
            return
        }
        var path: OpenAPIPath
        if route.isGeneric {
            path = OpenAPIPath(text: route.template, parameters: [])
        } else {
            switch route.target {
            case .protobuf: path = OpenAPIPath.google(route.template)
            case .thrift: path = OpenAPIPath.hertz(route.template)
            }
        }
        if let existing = pathsByShape[path.shape] {
            path.adopt(namesOf: existing)
        } else {
            pathsByShape[path.shape] = path
        }
        let operation: OpenAPIOperation
        let idl: String
        let deprecated: Bool
        switch route.target {
        case .protobuf(let schema, _, let method, let rule):
            guard !method.clientStreaming else { return }
            operation = protoOperation(
                schema: schema, method: method, rule: route.isGeneric ? nil : rule, path: path,
                protoNames: service.protoNames)
            idl = "protobuf"
            deprecated = method.isDeprecated
        case .thrift(let schema, _, let method):
            operation = thriftOperation(
                schema: schema, method: method, httpMethod: route.httpMethod, generic: route.isGeneric, path: path)
            idl = "thrift"
            deprecated = false
        }
        let serviceName = route.target.serviceName
        if !tags.contains(where: { $0.0 == serviceName }) {
            let via = service.framing.map { ", \($0) framing" } ?? ""
            tags.append(
                (
                    serviceName,
                    "\(idl == "thrift" ? "Thrift" : "Protobuf") service `\(serviceName)` "
                        + "(configured as `\(service.name)`\(via))."
                ))
        }
        var members: [(String, OpenAPIJSON)] = [
            ("tags", .array([.string(serviceName)])),
            ("summary", .string("\(serviceName).\(route.target.methodName)")),
            (
                "description",
                .string(
                    route.isGeneric
                        ? "The generic route: the body is the whole request, the reply the whole result."
                        : "Mapped by the method's HTTP annotation `\(route.httpMethod) \(route.template)`.")
            ),
            (
                "operationId",
                .string(
                    uniqueOperationID(serviceName + "." + route.target.methodName + (route.isGeneric ? ".generic" : ""))
                )
            ),
        ]
        let parameters =
            operation.parameters + [.object([("$ref", .string("#/components/parameters/X-Portico-Timeout"))])]
        members.append(("parameters", .array(parameters)))
        if let body = operation.requestBody { members.append(("requestBody", body)) }
        var responses = operation.responses
        responses.append(("default", .object([("$ref", .string("#/components/responses/Error"))])))
        members.append(("responses", .object(responses)))
        if deprecated { members.append(("deprecated", .bool(true))) }
        members.append(
            (
                "x-portico",
                .object([
                    ("service", .string(serviceName)), ("method", .string(route.target.methodName)),
                    ("configuredService", .string(service.name)), ("idl", .string(idl)),
                    ("generic", .bool(route.isGeneric)), ("serverStream", .bool(operation.isStream)),
                ])
            ))
        paths[path.text, default: []].append((route.httpMethod.lowercased(), .object(members)))
        operationCount += 1
    }

    /// Whether the gateway's own endpoints take every request of this route.
    func isShadowed(_ route: Route) -> Bool {
        let template = route.template
        if adminAPI,
            ["/admin/descriptors", "/admin/services"].contains(where: { template == $0 || template.hasPrefix($0 + "/") }
            )
        {
            return true
        }
        return (route.httpMethod == "GET" || route.httpMethod == "HEAD") && ownPaths.contains(template)
    }

    private mutating func uniqueOperationID(_ base: String) -> String {
        var candidate = base
        var number = 2
        while !operationIDs.insert(candidate).inserted {
            candidate = "\(base).\(number)"
            number += 1
        }
        return candidate
    }

    /// The whole document.
    mutating func document(title: String, version: String, description: String) -> OpenAPIJSON {
        let error = schemas.errorBody()
        let order = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        let pathItems = paths.keys.sorted().map { text -> (String, OpenAPIJSON) in
            let operations = paths[text]!.sorted {
                (order.firstIndex(of: $0.0) ?? order.count) < (order.firstIndex(of: $1.0) ?? order.count)
            }
            return (text, .object(operations))
        }
        return .object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string(title)), ("version", .string(version)), ("description", .string(description)),
                ])
            ),
            ("x-portico-shadowed-routes", .array(shadowed.map { .string($0) })),
            ("tags", .array(tags.map { .object([("name", .string($0.0)), ("description", .string($0.1))]) })),
            ("paths", .object(pathItems)),
            (
                "components",
                .object([
                    ("schemas", schemas.schemas),
                    (
                        "responses",
                        .object([
                            (
                                "Error",
                                .object([
                                    (
                                        "description",
                                        .string("An error: the body of shared/specs/errors.md with its status.")
                                    ),
                                    (
                                        "headers",
                                        .object([
                                            (
                                                "X-Request-Id",
                                                .object([("$ref", .string("#/components/headers/X-Request-Id"))])
                                            )
                                        ])
                                    ),
                                    ("content", .object([("application/json", .object([("schema", error)]))])),
                                ])
                            )
                        ])
                    ),
                    (
                        "parameters",
                        .object([
                            (
                                "X-Portico-Timeout",
                                .object([
                                    ("name", .string("X-Portico-Timeout")), ("in", .string("header")),
                                    (
                                        "description",
                                        .string(
                                            "The caller's deadline (like 250ms or 2s); the earlier of it and the route's RPC timeout applies. "
                                                + "Shorter deadlines are accepted too, and answer 504 TIMEOUT_BY_CALLER when they pass."
                                        )
                                    ),
                                    (
                                        "schema",
                                        .object([
                                            ("type", .string("string")),
                                            ("pattern", .string("^([1-9][0-9]{2,5}ms|[1-9][0-9]{0,3}s)$")),
                                        ])
                                    ),
                                ])
                            )
                        ])
                    ),
                    (
                        "headers",
                        .object([
                            (
                                "X-Request-Id",
                                .object([
                                    (
                                        "description",
                                        .string("The request's id: the caller's X-Request-Id, or one the gateway made.")
                                    ),
                                    ("schema", .object([("type", .string("string"))])),
                                ])
                            )
                        ])
                    ),
                ])
            ),
        ])
    }
}
