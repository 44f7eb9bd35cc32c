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
        /// The auth policy guarding the route's method (the method's own setting, else the service's).
        var auth: String? = nil
    }

    var schemas = OpenAPISchemaSet()
    /// Paths the gateway answers itself before any route (GET and HEAD): `/healthz`, `/readyz`, `/metrics`, and
    /// `/openapi.json` and `/console` when served.
    var ownPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]
    /// Whether the admin API (`/admin/descriptors...`, `/admin/services...`, any method) is served.
    var adminAPI = false
    /// The gateway's PASETO policies: security schemes, and the requirement of each guarded operation.
    var security = OpenAPISecurity(policies: [:])
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
        let methodDocumentation: String?
        let serviceDocumentation: String?
        switch route.target {
        case .protobuf(let schema, let protoService, let method, let rule):
            var built = protoOperation(
                schema: schema, method: method, rule: route.isGeneric ? nil : rule, path: path,
                protoNames: service.protoNames)
            if method.clientStreaming {
                // A stream of requests: one message per line of an NDJSON body (a WebSocket is not described).
                let input = schema.input(of: method)
                built.requestBody = OpenAPIOperation.ndjsonBody(
                    schemas.proto(input, schema: schema, protoNames: service.protoNames), typeName: input.fullName)
            }
            operation = built
            idl = "protobuf"
            deprecated = method.isDeprecated
            methodDocumentation = method.documentation
            serviceDocumentation = protoService.documentation
        case .thrift(let schema, let thriftService, let method):
            operation = thriftOperation(
                schema: schema, method: method, httpMethod: route.httpMethod, generic: route.isGeneric, path: path)
            idl = "thrift"
            deprecated = false
            methodDocumentation = method.documentation
            serviceDocumentation = thriftService.documentation
        }
        let serviceName = route.target.serviceName
        if !tags.contains(where: { $0.0 == serviceName }) {
            let via = service.framing.map { ", \($0) framing" } ?? ""
            tags.append(
                (
                    serviceName,
                    OpenAPIJSON.documented(
                        "\(idl == "thrift" ? "Thrift" : "Protobuf") service `\(serviceName)` "
                            + "(configured as `\(service.name)`\(via)).", by: serviceDocumentation)
                ))
        }
        let guarding = security.guardingPolicy(
            service.auth, httpMethod: route.httpMethod, paths: [route.template, path.text])
        var description = OpenAPIJSON.documented(
            route.isGeneric
                ? "The generic route: the body is the whole request, the reply the whole result."
                : "Mapped by the method's HTTP annotation `\(route.httpMethod) \(route.template)`.",
            by: methodDocumentation)
        if let guarding { description += "\n\n" + OpenAPISecurity.note(guarding.name, policy: guarding.policy) }
        let operationID = uniqueOperationID(
            serviceName + "." + route.target.methodName + (route.isGeneric ? ".generic" : ""))
        var members: [(String, OpenAPIJSON)] = [
            ("tags", .array([.string(serviceName)])),
            ("summary", .string("\(serviceName).\(route.target.methodName)")),
            ("description", .string(description)),
            ("operationId", .string(operationID)),
        ]
        let parameters =
            operation.parameters + [.object([("$ref", .string("#/components/parameters/X-Portico-Timeout"))])]
        members.append(("parameters", .array(parameters)))
        if let body = operation.requestBody { members.append(("requestBody", body)) }
        var responses = operation.responses
        if guarding != nil {
            // A declared exception answered with 401 keeps its response, which accepts any error body too.
            if !responses.contains(where: { $0.0 == "401" }) {
                responses.append(("401", .object([("$ref", .string("#/components/responses/Unauthenticated"))])))
            }
        }
        responses.append(("default", .object([("$ref", .string("#/components/responses/Error"))])))
        members.append(("responses", .object(responses)))
        if let guarding, let requirement = OpenAPISecurity.requirement(guarding.name, policy: guarding.policy) {
            members.append(("security", requirement))
        }
        if deprecated { members.append(("deprecated", .bool(true))) }
        var portico: [(String, OpenAPIJSON)] = [
            ("service", .string(serviceName)), ("method", .string(route.target.methodName)),
            ("configuredService", .string(service.name)), ("idl", .string(idl)),
            ("generic", .bool(route.isGeneric)), ("serverStream", .bool(operation.isStream)),
        ]
        if let guarding { portico.append(("auth", .string(guarding.name))) }
        members.append(("x-portico", .object(portico)))
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
        let requestID: OpenAPIJSON = .object([("$ref", .string("#/components/headers/X-Request-Id"))])
        var responses: [(String, OpenAPIJSON)] = [
            (
                "Error",
                .object([
                    ("description", .string("An error: the body of shared/specs/errors.md with its status.")),
                    ("headers", .object([("X-Request-Id", requestID)])),
                    ("content", .object([("application/json", .object([("schema", error)]))])),
                ])
            )
        ]
        if !security.policies.isEmpty {
            responses.append(("Unauthenticated", OpenAPISecurity.unauthenticatedResponse()))
        }
        let timeout: OpenAPIJSON = .object([
            ("name", .string("X-Portico-Timeout")), ("in", .string("header")),
            (
                "description",
                .string(
                    "The caller's deadline (like 250ms or 2s); the earlier of it and the route's RPC timeout applies. "
                        + "Shorter deadlines are accepted too, and answer 504 TIMEOUT_BY_CALLER when they pass.")
            ),
            (
                "schema",
                .object([
                    ("type", .string("string")), ("pattern", .string("^([1-9][0-9]{2,5}ms|[1-9][0-9]{0,3}s)$")),
                ])
            ),
        ])
        let requestIDHeader: OpenAPIJSON = .object([
            ("description", .string("The request's id: the caller's X-Request-Id, or one the gateway made.")),
            ("schema", .object([("type", .string("string"))])),
        ])
        var components: [(String, OpenAPIJSON)] = [
            ("schemas", schemas.schemas),
            ("responses", .object(responses)),
            ("parameters", .object([("X-Portico-Timeout", timeout)])),
            ("headers", .object([("X-Request-Id", requestIDHeader)])),
        ]
        if !security.policies.isEmpty { components.append(("securitySchemes", security.schemes)) }
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
            ("components", .object(components)),
        ])
    }
}
