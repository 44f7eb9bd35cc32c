import DynamicCodec
import HTTPMapping

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The OpenAPI 3.1 document of what a gateway serves: every annotated route and every generic
/// `POST /{Service}/{Method}` route of the configured services, with schemas that follow the gateway's JSON.
/// Served live at `GET /openapi.json` (always true to the current route snapshot) and written offline by
/// `portico openapi`.
public enum OpenAPIDocument {
    /// The document of a route snapshot, and how many operations it has. `authPolicies` are the gateway's PASETO
    /// policies: each becomes security schemes, and the operations they guard say so.
    static func build(
        _ snapshot: RouteSnapshot, console: GatewayConfig.Console = GatewayConfig.Console(),
        adminAPI: Bool = false, authPolicies: [String: AuthPolicy] = [:]
    ) -> (document: OpenAPIJSON, operations: Int) {
        var builder = OpenAPIDocumentBuilder()
        builder.adminAPI = adminAPI
        builder.security = OpenAPISecurity(policies: authPolicies)
        if console.openAPI { builder.ownPaths.insert(ConsoleEndpoints.documentPath) }
        if console.enabled {
            builder.ownPaths.formUnion([ConsoleEndpoints.consolePath, ConsoleEndpoints.consolePath + "/"])
        }
        for route in snapshot.table.routes {
            guard let (config, _) = snapshot.service(for: route.target) else { continue }
            builder.add(
                route,
                service: OpenAPIDocumentBuilder.Service(
                    name: config.name, protoNames: config.protoNames, framing: config.framing?.rawValue,
                    auth: config.methods.isEmpty ? config.auth : config.settings(for: route.target.methodName).auth))
        }
        let names = snapshot.services.map(\.name).joined(separator: ", ")
        let document = builder.document(
            title: "Portico gateway",
            version: "routes generation \(snapshot.generation)",
            description: "The routes Portico serves for \(names.isEmpty ? "no service" : names), generated from the "
                + "loaded descriptors. Errors have the body {\"code\", \"message\", \"details\"}.")
        return (document, builder.operationCount)
    }

    /// The document of what a gateway started with this config would serve, without starting one: the config's
    /// services merged with those the admin API stored in the config's store directory (added, changed or
    /// removed, as the gateway merges them when it starts), registry schemas read from the same store.
    public static func generate(config: GatewayConfig, indent: Int = 2) throws(GatewayError) -> [UInt8] {
        var registry: RouteSnapshotBuilder.RegistrySchemas = [:]
        var services = config.services
        // Opened only when a gateway has used the directory: generating a document creates nothing.
        if FileManager.default.fileExists(atPath: config.store + "/descriptors")
            && FileManager.default.fileExists(atPath: config.store + "/services")
        {
            let store = try DescriptorStore(directory: config.store)
            let stored = try GatewayControl.storedServices(store.storedServices())
            services = GatewayControl.merge(config.services, stored.services, stored.order)
        }
        let usesRegistry = services.contains { if case .registry = $0.schema { true } else { false } }
        if usesRegistry, FileManager.default.fileExists(atPath: config.store + "/descriptors") {
            let store = try DescriptorStore(directory: config.store)
            for name in store.bundleNames() {
                let versions = store.versions(of: name)
                guard let version = store.activeVersion(of: name) ?? versions.last else { continue }
                do {
                    registry[name] = (version, try store.bundle(name, version: version).load())
                } catch {
                    throw GatewayError(
                        code: "STORE_ERROR", status: 500, "stored descriptors \(name) v\(version): \(error)")
                }
            }
        }
        let snapshot = try RouteSnapshotBuilder(fileSchemas: FileSchemaCache(), authPolicies: Set(config.auth.keys))
            .build(services: services, registry: registry, generation: 1)
        return build(snapshot, console: config.console, adminAPI: config.adminToken != nil, authPolicies: config.auth)
            .document.encoded(indent: indent)
    }

    /// Every Protobuf service; the Thrift services no other service extends (the ones that extend serve the
    /// routes of what they extend, which would otherwise be routed twice).
    static func outermostServices(_ schema: LoadedSchema) -> [String] {
        switch schema {
        case .protobuf(let proto): return proto.services.map(\.fullName)
        case .thrift(let thrift):
            let extended = Set(thrift.services.compactMap(\.extendsIndex))
            return thrift.services.filter { !extended.contains($0.index) }.map(\.name)
        }
    }

    /// The document of services of one schema file (when `services` is empty: every Protobuf service, the Thrift
    /// services no other extends), as if each were
    /// configured under its own name. Fails naming the services the schema has when one is unknown.
    public static func generate(schemaPath: String, include: [String] = [], services: [String] = [], indent: Int = 2)
        throws(GatewayError) -> [UInt8]
    {
        let schema = try FileSchemaCache().schema(path: schemaPath, include: include, keyPath: "--schema")
        var names: [String] = []
        for name in services {
            guard let canonical = schema.serviceName(name) else {
                throw GatewayError.invalidArgument(
                    "'\(name)' is not a service of \(schemaPath) (it has: "
                        + "\(schema.serviceNames.isEmpty ? "none" : schema.serviceNames.joined(separator: ", ")))")
            }
            names.append(canonical)
        }
        if names.isEmpty { names = Self.outermostServices(schema) }
        guard !names.isEmpty else { throw GatewayError.invalidArgument("\(schemaPath) declares no service") }
        let configs = names.map { name in
            ServiceConfig(
                name: name, schema: .file(schemaPath), include: include, service: name, endpoints: ["127.0.0.1:1"])
        }
        let snapshot = try RouteSnapshotBuilder(fileSchemas: FileSchemaCache(), authPolicies: [])
            .build(services: configs, registry: [:], generation: 1)
        return build(snapshot).document.encoded(indent: indent)
    }
}
