import DynamicCodec
import HTTPMapping
import Logging
import Synchronization

/// The control plane: the descriptor registry, the services, and the route snapshot they produce. Changes are
/// serialized by this actor; each one is validated by building the new snapshot first, then persisted, then
/// swapped in — so a failed change leaves everything as it was.
actor GatewayControl {
    let store: DescriptorStore
    let holder: RouteSnapshotHolder
    let builder: RouteSnapshotBuilder
    let metrics: GatewayMetrics
    let logger: Logger
    let invoker: any BackendInvoker
    /// Services from the config file, in order.
    private var configServices: [ServiceConfig]
    /// Services added or changed through the admin API (nil: a config service removed).
    private var runtimeServices: [String: ServiceConfig?]
    private var runtimeOrder: [String]
    private(set) var registry: [String: RegistryEntry] {
        didSet { published.withLock { $0 = registry } }
    }
    /// A copy of ``registry`` readable without waiting for the actor (admin GETs).
    private nonisolated let published = Mutex<[String: RegistryEntry]>([:])
    private var generation: Int

    /// Loads the store and builds the first snapshot. Throws what keeps the gateway from starting: a schema that
    /// does not load, a missing registry name, route conflicts.
    init(
        config: GatewayConfig, store: DescriptorStore, invoker: any BackendInvoker, metrics: GatewayMetrics,
        logger: Logger
    ) throws(GatewayError) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.invoker = invoker
        builder = RouteSnapshotBuilder(fileSchemas: FileSchemaCache(), authPolicies: Set(config.auth.keys))
        configServices = config.services
        runtimeServices = [:]
        runtimeOrder = []
        registry = [:]
        generation = 1
        for name in store.bundleNames() {
            let versions = store.versions(of: name)
            let active = store.activeVersion(of: name).flatMap { versions.contains($0) ? $0 : nil } ?? versions.last!
            do {
                let bundle = try store.bundle(name, version: active)
                let schema: LoadedSchema
                do {
                    schema = try bundle.load()
                } catch {
                    throw GatewayError(
                        code: "STORE_ERROR", status: 500, "stored descriptors \(name) v\(active): \(error)")
                }
                registry[name] = RegistryEntry(versions: versions, active: active, bundle: bundle, schema: schema)
                metrics.descriptorVersion(name: name, version: active)
            } catch {
                logger.error(
                    "skipping stored descriptors that do not load", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
        (runtimeServices, runtimeOrder) = try Self.storedServices(in: store)
        let services = Self.merge(configServices, runtimeServices, runtimeOrder)
        let snapshot = try builder.build(services: services, registry: Self.schemas(registry), generation: generation)
        holder = RouteSnapshotHolder(snapshot)
        published.withLock { [registry] in $0 = registry }
        metrics.snapshotSwapped(generation: generation)
    }

    /// The registry as of the last change.
    nonisolated func registrySnapshot() -> [String: RegistryEntry] { published.withLock { $0 } }

    /// Config services (replaced or removed by runtime changes), then services added at run time.
    static func merge(
        _ config: [ServiceConfig], _ runtime: [String: ServiceConfig?], _ order: [String]
    ) -> [ServiceConfig] {
        var services: [ServiceConfig] = []
        for service in config {
            if let change = runtime[service.name] {
                if let replacement = change { services.append(replacement) }
            } else {
                services.append(service)
            }
        }
        for name in order where !config.contains(where: { $0.name == name }) {
            if let service = runtime[name] ?? nil { services.append(service) }
        }
        return services
    }

    static func schemas(_ registry: [String: RegistryEntry]) -> RouteSnapshotBuilder.RegistrySchemas {
        registry.mapValues { ($0.active, $0.schema) }
    }

    var services: [ServiceConfig] { holder.snapshot.services }

    /// Builds and swaps a snapshot for these services and registry, or throws leaving everything unchanged.
    private func candidate(services: [ServiceConfig], registry: [String: RegistryEntry]) throws(GatewayError)
        -> RouteSnapshot
    {
        try builder.build(services: services, registry: Self.schemas(registry), generation: generation + 1)
    }

    private func swap(_ snapshot: RouteSnapshot) async {
        generation = snapshot.generation
        holder.replace(snapshot)
        metrics.snapshotSwapped(generation: generation)
        await invoker.servicesChanged(snapshot.services)
    }

    private var currentServices: [ServiceConfig] { Self.merge(configServices, runtimeServices, runtimeOrder) }

    // MARK: Descriptors

    /// Validates and stores a new version of `name`, activates it and switches the services using it.
    func upload(_ name: String, _ bundle: DescriptorBundle) async throws(GatewayError) -> RegistryEntry {
        guard ServiceConfig.isValidName(name) else {
            throw .invalidArgument("'\(name)' is not a valid name (1-64 letters, digits, '.', '_' or '-')")
        }
        let schema: LoadedSchema
        do {
            schema = try bundle.load()
            // The bundle's own routes must not conflict, whether or not a service uses it yet.
            switch schema {
            case .protobuf(let proto): _ = try RouteTable([.protobuf(proto)])
            case .thrift(let thrift): _ = try RouteTable([.thrift(thrift)])
            }
        } catch {
            throw GatewayError(
                code: "INVALID_DESCRIPTOR", status: 400, error.description, details: GatewayError.details(of: error))
        }
        let versions = registry[name]?.versions ?? store.versions(of: name)
        let version = (versions.last ?? 0) + 1
        var next = registry
        next[name] = RegistryEntry(versions: versions + [version], active: version, bundle: bundle, schema: schema)
        let snapshot = try candidate(services: currentServices, registry: next)
        try store.write(bundle, name: name, version: version)
        try store.setActive(name, version: version)
        registry = next
        metrics.descriptorVersion(name: name, version: version)
        await swap(snapshot)
        logger.info("descriptors uploaded", metadata: ["name": "\(name)", "version": "\(version)"])
        return next[name]!
    }

    /// Activates the version before the active one.
    func rollback(_ name: String) async throws(GatewayError) -> RegistryEntry {
        guard let entry = registry[name] else { throw .notFound("no descriptors named '\(name)'") }
        guard let previous = entry.versions.last(where: { $0 < entry.active }) else {
            throw .failedPrecondition("'\(name)' has no version before v\(entry.active)")
        }
        let bundle = try store.bundle(name, version: previous)
        let schema: LoadedSchema
        do {
            schema = try bundle.load()
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "v\(previous) of \(name) does not load: \(error)")
        }
        var next = registry
        next[name] = RegistryEntry(versions: entry.versions, active: previous, bundle: bundle, schema: schema)
        let snapshot = try candidate(services: currentServices, registry: next)
        try store.setActive(name, version: previous)
        registry = next
        metrics.descriptorVersion(name: name, version: previous)
        await swap(snapshot)
        logger.info("descriptors rolled back", metadata: ["name": "\(name)", "version": "\(previous)"])
        return next[name]!
    }

    /// Removes every version of `name`; refused while a service uses it.
    func deleteDescriptors(_ name: String) async throws(GatewayError) {
        guard registry[name] != nil else { throw .notFound("no descriptors named '\(name)'") }
        let users = currentServices.filter { $0.schema == .registry(name) }.map(\.name)
        guard users.isEmpty else {
            throw .failedPrecondition("'\(name)' is used by the services \(users.joined(separator: ", "))")
        }
        try store.delete(name)
        registry[name] = nil
        metrics.descriptorVersion(name: name, version: 0)
        logger.info("descriptors deleted", metadata: ["name": "\(name)"])
    }

    // MARK: Services

    /// Adds or replaces a service from its JSON (the config's keys).
    func putService(_ name: String, json: [UInt8]) async throws(GatewayError) -> ServiceConfig {
        let service: ServiceConfig
        do {
            service = try ServiceConfig(node: try ConfigNode.parse(json: json), path: "", name: name)
        } catch {
            throw .config(error)
        }
        var runtime = runtimeServices
        var order = runtimeOrder
        runtime[name] = .some(service)
        if !order.contains(name) { order.append(name) }
        let snapshot = try candidate(services: Self.merge(configServices, runtime, order), registry: registry)
        try store.writeService(name, json: json)
        runtimeServices = runtime
        runtimeOrder = order
        await swap(snapshot)
        logger.info("service updated", metadata: ["service": "\(name)"])
        return snapshot.services.first { $0.name == name } ?? service
    }

    func deleteService(_ name: String) async throws(GatewayError) {
        guard currentServices.contains(where: { $0.name == name }) else {
            throw .notFound("no service named '\(name)'")
        }
        var runtime = runtimeServices
        var order = runtimeOrder
        if configServices.contains(where: { $0.name == name }) {
            runtime[name] = .some(nil)
            if !order.contains(name) { order.append(name) }
        } else {
            runtime[name] = nil
            order.removeAll { $0 == name }
        }
        let snapshot = try candidate(services: Self.merge(configServices, runtime, order), registry: registry)
        try store.writeService(name, json: nil)
        runtimeServices = runtime
        runtimeOrder = order
        await swap(snapshot)
        logger.info("service removed", metadata: ["service": "\(name)"])
    }
}
