import DynamicCodec
import HTTPMapping
import GenericCall
import Synchronization

/// Builds route snapshots from services and the registry's active schemas, checking everything a snapshot must
/// satisfy: each schema loads, has the configured service, the framing fits the IDL, no two routes conflict.
struct RouteSnapshotBuilder {
    /// Schemas loaded from files, kept across rebuilds (files are read once per process).
    let fileSchemas: FileSchemaCache
    /// The auth policies of the gateway config, which services and methods may name.
    let authPolicies: Set<String>

    /// The active version of each registry name and its schema.
    typealias RegistrySchemas = [String: (version: Int, schema: LoadedSchema)]

    func build(services: [ServiceConfig], registry: RegistrySchemas, generation: Int) throws(GatewayError)
        -> RouteSnapshot
    {
        var sources: [RouteTable.Source] = []
        var resolved: [ServiceConfig] = []
        var versions: [String: Int] = [:]
        var canonicalNames: [String] = []
        for (index, service) in services.enumerated() {
            // Config services come first, so the index matches the config file.
            let where_ = "services[\(index)]"
            let schema: LoadedSchema
            switch service.schema {
            case .file(let path):
                schema = try fileSchemas.schema(path: path, include: service.include, keyPath: "\(where_).schema")
            case .registry(let name):
                guard let entry = registry[name] else {
                    throw .config(ConfigError("\(where_).schema", "the registry has no descriptors named '\(name)'"))
                }
                schema = entry.schema
                versions[name] = entry.version
            }
            guard let canonical = schema.serviceName(service.service) else {
                throw .config(
                    ConfigError(
                        "\(where_).service",
                        "\"\(service.service)\" is not a service of \(service.schema) (it has: "
                            + "\(schema.serviceNames.joined(separator: ", ")))"))
            }
            try checkAuth(service, at: where_)
            var config = service
            let framing = service.framing ?? (schema.isThrift ? .framed : .grpc)
            // TTHeader carries both: Thrift messages, or Kitex protobuf envelopes as Kitex sends them.
            let framings: Set<Framing> =
                schema.isThrift ? [.buffered, .framed, .ttheader] : [.grpc, .ttheader, .kitexProtobuf]
            guard framings.contains(framing) else {
                throw .config(
                    ConfigError(
                        "\(where_).framing",
                        "\(framing.rawValue) does not carry \(schema.isThrift ? "Thrift" : "Protobuf") messages"))
            }
            if framing == .ttheader, schema.isThrift, service.thriftProtocol == .compact {
                throw .config(
                    ConfigError(
                        "\(where_).protocol",
                        "Thrift compact inside TTHeader is refused by Kitex servers (\"unsupported ProtocolID[2]\"), "
                            + "and no Kitex framing carries compact; use protocol: binary"))
            }
            config.framing = framing
            if let other = canonicalNames.firstIndex(of: canonical) {
                throw .config(
                    ConfigError(
                        "\(where_).service", "\"\(service.service)\" is already served by '\(resolved[other].name)'"))
            }
            resolved.append(config)
            canonicalNames.append(canonical)
            switch schema {
            case .protobuf(let proto): sources.append(.protobuf(proto, services: [canonical]))
            case .thrift(let thrift): sources.append(.thrift(thrift, services: [canonical], inheritedRoutes: true))
            }
        }
        let table: RouteTable
        do {
            table = try RouteTable(sources)
        } catch {
            throw .invalidArgument("the routes conflict: \(error.message)", details: GatewayError.details(of: error))
        }
        return RouteSnapshot(
            table: table, services: resolved, canonicalNames: canonicalNames, generation: generation,
            registryVersions: versions)
    }
}

extension RouteSnapshotBuilder {
    /// Services and methods may only name policies the gateway config defines.
    private func checkAuth(_ service: ServiceConfig, at keyPath: String) throws(GatewayError) {
        func check(_ name: String?, _ key: String) throws(GatewayError) {
            guard let name, !authPolicies.contains(name) else { return }
            let known = authPolicies.isEmpty ? "none is configured" : "known: \(authPolicies.sorted().joined(separator: ", "))"
            throw .config(ConfigError(key, "no auth policy named '\(name)' (\(known))"))
        }
        try check(service.auth, "\(keyPath).auth")
        for (method, settings) in service.methods.sorted(by: { $0.key < $1.key }) {
            try check(settings.auth, "\(keyPath).methods.\(method).auth")
        }
    }
}

/// Schemas read from files, by path and include directories.
final class FileSchemaCache: Sendable {
    private let schemas = Mutex<[String: LoadedSchema]>([:])

    func schema(path: String, include: [String], keyPath: String) throws(GatewayError) -> LoadedSchema {
        let key = ([path] + include).joined(separator: "\u{0}")
        if let cached = schemas.withLock({ $0[key] }) { return cached }
        let loaded: LoadedSchema
        do {
            if path.hasSuffix(".thrift") {
                loaded = .thrift(try ThriftSchema.load(path: path, includeDirectories: include))
            } else {
                loaded = .protobuf(try ProtoSchema.load(path: path, includeDirectories: include))
            }
        } catch {
            throw .config(ConfigError(keyPath, error.description))
        }
        schemas.withLock { $0[key] = loaded }
        return loaded
    }
}
