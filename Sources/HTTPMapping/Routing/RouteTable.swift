public import DynamicCodec
/// Every HTTP route of a set of loaded services, in a trie: annotated routes (google.api.http, Thrift `api.*`)
/// plus `POST /{package.Service}/{Method}` for every method.
///
/// Immutable and `Sendable`: the gateway builds a new table when descriptors change and swaps it atomically.
/// At each path segment a literal beats a parameter, which beats a rest-of-path wildcard; a custom verb
/// (`:publish`) beats a parameter that would swallow it. Two routes that match exactly the same requests are a
/// conflict, reported when the table is built.
public struct RouteTable: Sendable {
    /// Services to route to.
    public enum Source: Sendable {
        /// Services of a Protobuf schema (nil: all of them).
        case protobuf(ProtoSchema, services: [String]? = nil)
        /// Services of a Thrift schema (nil: all of them). With `inheritedRoutes`, the annotated routes of
        /// methods a service inherits through `extends` are routed to it too; without, only to the service that
        /// declares them. Generic routes always cover inherited methods.
        case thrift(ThriftSchema, services: [String]? = nil, inheritedRoutes: Bool = false)
    }

    public let routes: [Route]
    let trie: RouteTrie
    /// Methods with at least one route, for "wrong method" messages.
    let httpMethods: [String]
    /// Names of the services with generic routes, for METHOD_NOT_FOUND.
    let genericServices: Set<String>

    /// Builds the table. Fails with SCHEMA_ERROR on a template that does not parse or names fields the request
    /// type lacks, and on conflicting routes (naming both).
    public init(_ sources: [Source], genericRoutes: Bool = true) throws(CodecError) {
        var builder = RouteTableBuilder(genericRoutes: genericRoutes)
        for source in sources {
            switch source {
            case .protobuf(let schema, let names):
                for service in schema.services where names?.contains(service.fullName) ?? true {
                    try builder.add(service, schema: schema)
                }
            case .thrift(let schema, let names, let inherited):
                for service in schema.services where names?.contains(service.name) ?? true {
                    try builder.add(service, schema: schema, inheritedRoutes: inherited)
                }
            }
        }
        try builder.checkConflicts()
        routes = builder.routes
        trie = builder.trie
        httpMethods = Array(Set(builder.routes.map(\.httpMethod))).sorted()
        genericServices = builder.genericServices
    }

    /// Every service of each schema.
    public init(protobuf: [ProtoSchema] = [], thrift: [ThriftSchema] = []) throws(CodecError) {
        try self.init(protobuf.map { .protobuf($0) } + thrift.map { .thrift($0) })
    }

    /// The route for a request. Fails with ROUTE_NOT_FOUND (naming the methods the path does have, if any),
    /// METHOD_NOT_FOUND for a generic path naming an unknown service or method, or INVALID_ARGUMENT for a path
    /// that is not valid percent-encoded UTF-8.
    public func match(method: String, path: String) throws(CodecError) -> RouteMatch {
        let method = method.uppercased()
        let raw = try RequestPath.split(path)
        // A last segment with a colon may carry a custom verb; that reading is tried first.
        if let last = raw.last, let colon = last.lastIndex(of: ":") {
            var trimmed = raw
            trimmed[trimmed.count - 1] = last[..<colon]
            let verb = String(last[last.index(after: colon)...])
            if let verbPath = try? RequestPath(raw: trimmed, verb: verb),
                let found = trie.find(verbPath.decoded, verb: verb, method: method)
            {
                return RouteMatch(route: routes[found], pathParameters: try verbPath.values(of: routes[found].pattern))
            }
        }
        let request = try RequestPath(raw: raw, verb: nil)
        if let found = trie.find(request.decoded, verb: nil, method: method) {
            return RouteMatch(route: routes[found], pathParameters: try request.values(of: routes[found].pattern))
        }
        throw notFound(method: method, path: path, request: request)
    }

    /// The route for a request's method and path.
    public func match(_ request: HTTPRequestParts) throws(CodecError) -> RouteMatch {
        try match(method: request.method, path: request.path)
    }

    @inline(never)
    func notFound(method: String, path: String, request: RequestPath) -> CodecError {
        if method == "POST", request.decoded.count == 2 {
            let service = request.decoded[0]
            if genericServices.contains(service) {
                return CodecError(
                    .methodNotFound, "service \(service) has no method '\(request.decoded[1])'",
                    path: path)
            }
            if service.contains(".") {
                return CodecError(.methodNotFound, "no loaded service is named '\(service)'", path: path)
            }
        }
        var allowed = trie.methods(for: request.decoded, verb: nil, candidates: httpMethods)
        if let last = request.raw.last, let colon = last.lastIndex(of: ":"),
            let verbPath = try? RequestPath(
                raw: request.raw.dropLast() + [last[..<colon]],
                verb: String(last[last.index(after: colon)...]))
        {
            allowed += trie.methods(for: verbPath.decoded, verb: verbPath.verb, candidates: httpMethods)
        }
        let hint = allowed.isEmpty ? "" : " (the path has routes for \(Set(allowed).sorted().joined(separator: ", ")))"
        return CodecError(.routeNotFound, "no route for \(method) \(path)\(hint)", path: path)
    }
}
