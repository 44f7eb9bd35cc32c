public import DynamicCodec
/// The RPC method a route calls.
public enum RouteTarget: Sendable {
    /// A Protobuf method; `rule` is the google.api.http binding the route came from (nil for the generic route).
    case protobuf(schema: ProtoSchema, service: ProtoServiceDescriptor, method: ProtoMethodDescriptor, rule: HTTPRule?)
    /// A Thrift method of `service` (which may inherit it through `extends`).
    case thrift(schema: ThriftSchema, service: ThriftServiceDescriptor, method: ThriftMethodDescriptor)

    /// `bookstore.v1.Bookstore` / `bookstore.Bookstore`.
    public var serviceName: String {
        switch self {
        case .protobuf(_, let service, _, _): service.fullName
        case .thrift(_, let service, _): service.name
        }
    }

    public var methodName: String {
        switch self {
        case .protobuf(_, _, let method, _): method.name
        case .thrift(_, _, let method): method.name
        }
    }
}

/// One route: an HTTP method and path pattern leading to an RPC method.
public struct Route: Sendable, CustomStringConvertible {
    /// Upper-cased HTTP method.
    public let httpMethod: String
    /// The path pattern as written in the IDL (or `/{service}/{method}` for generic routes).
    public let template: String
    public let target: RouteTarget
    /// Whether this is the `POST /{package.Service}/{Method}` route every method gets.
    public let isGeneric: Bool
    let pattern: RoutePattern
    /// `POST /v1/shelves/{shelf}`: the route's name in metrics and logs, made once with the route.
    public let label: String

    init(httpMethod: String, template: String, target: RouteTarget, isGeneric: Bool, pattern: RoutePattern) {
        self.httpMethod = httpMethod
        self.template = template
        self.target = target
        self.isGeneric = isGeneric
        self.pattern = pattern
        label = "\(httpMethod) \(template)"
    }

    public var description: String {
        "\(httpMethod) \(template) -> \(target.serviceName).\(target.methodName)"
    }
}

/// The result of matching a request: the route and the values of its path variables.
public struct RouteMatch: Sendable {
    public let route: Route
    /// Variables in pattern order: field paths for Protobuf templates, parameter names for Thrift routes.
    public let pathParameters: [HTTPPathParameter]

    /// The value of one path variable.
    public func pathParameter(_ name: String) -> String? { pathParameters.first { $0.name == name }?.value }
}
