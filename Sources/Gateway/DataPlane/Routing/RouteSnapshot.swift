public import DynamicCodec
public import HTTPMapping
import Synchronization

/// Everything a request needs to be routed and mapped, frozen: the route table, the services it leads to and
/// their schemas. Built whole on every descriptor or service change and swapped atomically
/// (``RouteSnapshotHolder``); a request keeps the snapshot it started with until it finishes.
public final class RouteSnapshot: Sendable {
    public let table: RouteTable
    /// Services in configuration order, with their framing decided.
    public let services: [ServiceConfig]
    /// Increases with every swap.
    public let generation: Int
    /// Registry names and the version each service uses.
    public let registryVersions: [String: Int]
    /// Services by IDL service name (what a route target names).
    private let servicesByIDLName: [String: Int]
    private let mappingOptions: [HTTPMappingOptions]

    /// Generic-route service names as configured, when they differ from the descriptor's
    /// (`Bookstore` for the Thrift service `bookstore.Bookstore`).
    private let genericAliases: [String: String]

    /// Paths that reached a route only through ``genericAliases`` (the table, fixed for this snapshot, has no
    /// route for them as sent), with their match: such a path otherwise costs a failed lookup whose error text is
    /// built and dropped on every request. Only successful matches are kept, and at most `aliasCacheLimit`.
    private let aliasMatches = Mutex<[String: RouteMatch]>([:])
    private static let aliasCacheLimit = 1024

    init(
        table: RouteTable, services: [ServiceConfig], canonicalNames: [String], generation: Int,
        registryVersions: [String: Int]
    ) {
        self.table = table
        self.services = services
        self.generation = generation
        self.registryVersions = registryVersions
        servicesByIDLName = Dictionary(
            canonicalNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var aliases: [String: String] = [:]
        for (service, canonical) in zip(services, canonicalNames) where service.service != canonical {
            aliases[service.service] = canonical
        }
        genericAliases = aliases
        mappingOptions = services.map {
            HTTPMappingOptions(
                strict: $0.strict, protoJSON: ProtoJSONOptions(useProtoNames: $0.protoNames),
                thriftProtocol: $0.thriftProtocol)
        }
    }

    /// The configured service a route target belongs to, with its mapping options.
    func service(for target: RouteTarget) -> (config: ServiceConfig, options: HTTPMappingOptions)? {
        guard let index = servicesByIDLName[target.serviceName] else { return nil }
        return (services[index], mappingOptions[index])
    }

    /// The route for a request. `POST /{Service}/{Method}` also works with the service named as configured when
    /// the descriptor qualifies it (`/Bookstore/GetShelf` for `bookstore.Bookstore`), unless a route matches the
    /// path as sent.
    public func match(method: String, path: String) throws(CodecError) -> RouteMatch {
        if method == "POST", !genericAliases.isEmpty, let cached = aliasMatches.withLock({ $0[path] }) {
            return cached
        }
        do {
            return try table.match(method: method, path: path)
        } catch {
            guard error.code == .routeNotFound || error.code == .methodNotFound, method == "POST",
                !genericAliases.isEmpty
            else { throw error }
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count == 3, segments[0].isEmpty, let canonical = genericAliases[String(segments[1])] else {
                throw error
            }
            let match = try table.match(method: method, path: "/\(canonical)/\(segments[2])")
            aliasMatches.withLock { matches in
                if matches.count < Self.aliasCacheLimit { matches[path] = match }
            }
            return match
        }
    }

}
