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
    /// The document of a route snapshot, and how many operations it has.
    static func build(
        _ snapshot: RouteSnapshot, console: GatewayConfig.Console = GatewayConfig.Console(),
        adminAPI: Bool = false
    ) -> (document: OpenAPIJSON, operations: Int) {
        var builder = OpenAPIDocumentBuilder()
        builder.adminAPI = adminAPI
        if console.openAPI { builder.ownPaths.insert(ConsoleEndpoints.documentPath) }
        if console.enabled {
            builder.ownPaths.formUnion([ConsoleEndpoints.consolePath, ConsoleEndpoints.consolePath + "/"])
        }
        for route in snapshot.table.routes {
            guard let (config, _) = snapshot.service(for: route.target) else { continue }
            builder.add(
                route,
                service: OpenAPIDocumentBuilder.Service(
                    name: config.name, protoNames: config.protoNames, framing: config.framing?.rawValue))
        }
        let names = snapshot.services.map(\.name).joined(separator: ", ")
        let document = builder.document(
            title: "Portico gateway",
            version: "routes generation \(snapshot.generation)",
            description: "The routes Portico serves for \(names.isEmpty ? "no service" : names), generated from the "
                + "loaded descriptors. Errors have the body {\"code\", \"message\", \"details\"}.")
        return (document, builder.operationCount)
    }

    /// The document of the services a config file names, without starting a gateway. Registry schemas are read
    /// from the config's store; services added through the admin API at run time are only in the live document.
    public static func generate(config: GatewayConfig, indent: Int = 2) throws(GatewayError) -> [UInt8] {
        var registry: RouteSnapshotBuilder.RegistrySchemas = [:]
        let usesRegistry = config.services.contains { if case .registry = $0.schema { true } else { false } }
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
            .build(services: config.services, registry: registry, generation: 1)
        return build(snapshot, console: config.console, adminAPI: config.adminToken != nil).document.encoded(
            indent: indent)
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
