import DynamicCodec
import HTTPMapping
import Logging
import Synchronization

/// The control plane: the descriptor registry, the services, and the route snapshot they produce. Changes are
/// serialized by this actor; each one is validated by building the new snapshot first, then persisted, then
/// swapped in — so a failed change leaves everything as it was.
actor GatewayControl {
    let store: any ConfigStore
    let holder: RouteSnapshotHolder
    let builder: RouteSnapshotBuilder
    let metrics: GatewayMetrics
    let logger: Logger
    let invoker: any BackendInvoker
    /// Services from the config file, in order.
    var configServices: [ServiceConfig]
    /// Services added or changed through the admin API (nil: a config service removed).
    var runtimeServices: [String: ServiceConfig?]
    var runtimeOrder: [String]
    var registry: [String: RegistryEntry] {
        didSet { published.withLock { $0 = registry } }
    }
    /// A copy of ``registry`` readable without waiting for the actor (admin GETs).
    private nonisolated let published = Mutex<[String: RegistryEntry]>([:])
    var generation: Int
    /// The store's content as last applied: the change tokens writes are guarded with.
    var storeContent: StoreContent
    /// What `/readyz` reports of the store, readable without waiting for the actor.
    nonisolated let status = Mutex(StoreStatus())

    /// Loads the store and builds the first snapshot. Throws what keeps the gateway from starting: a schema that
    /// does not load, a missing registry name, route conflicts. A shared store that has not been read yet (etcd at
    /// start-up) gives a first snapshot of the config's file-based services; ``storeChanged()`` brings the rest.
    init(
        config: GatewayConfig, store: any ConfigStore, invoker: any BackendInvoker, metrics: GatewayMetrics,
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
        let waiting = (store as? EtcdConfigStore).map { !$0.loaded.load(ordering: .acquiring) } ?? false
        storeContent = waiting ? StoreContent() : store.content()
        for (name, stored) in storeContent.descriptors {
            guard let active = stored.active.flatMap({ stored.versions.contains($0) ? $0 : nil }) ?? stored.versions.last
            else { continue }
            do {
                let bundle = try store.bundle(name, version: active)
                let schema: LoadedSchema
                do {
                    schema = try bundle.load()
                } catch {
                    throw GatewayError(
                        code: "STORE_ERROR", status: 500, "stored descriptors \(name) v\(active): \(error)")
                }
                registry[name] = RegistryEntry(
                    versions: stored.versions, active: active, bundle: bundle, schema: schema, labels: stored.labels)
                metrics.descriptorVersion(name: name, version: active)
            } catch {
                logger.error(
                    "skipping stored descriptors that do not load", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
        let content = storeContent
        (runtimeServices, runtimeOrder) = try Self.storedServices(
            content.serviceNames.map { ($0, content.services[$0]?.json) })
        var services = Self.merge(configServices, runtimeServices, runtimeOrder)
        if waiting {
            services.removeAll { if case .registry = $0.schema { true } else { false } }
        }
        if services.contains(where: { $0.discovery != nil }), !(store is EtcdConfigStore) {
            let name = services.first { $0.discovery != nil }!.name
            throw .config(
                ConfigError("services.\(name).endpoints", "discovery reads etcd: it needs store: etcd://..."))
        }
        let snapshot = try builder.build(services: services, registry: Self.schemas(registry), generation: generation)
        holder = RouteSnapshotHolder(snapshot)
        published.withLock { [registry] in $0 = registry }
        status.withLock { $0.loaded = !waiting }
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
    func candidate(services: [ServiceConfig], registry: [String: RegistryEntry]) throws(GatewayError)
        -> RouteSnapshot
    {
        try builder.build(services: resolved(services), registry: Self.schemas(registry), generation: generation + 1)
    }

    func swap(_ snapshot: RouteSnapshot) async {
        generation = snapshot.generation
        holder.replace(snapshot)
        metrics.snapshotSwapped(generation: generation)
        await invoker.servicesChanged(snapshot.services)
    }

    var currentServices: [ServiceConfig] { Self.merge(configServices, runtimeServices, runtimeOrder) }

    // MARK: Descriptors

    /// Validates and stores a new version of `name`, activates it and switches the services using it.
    /// `label`: kept with the version (`portico publish` gives the commit id). `ifVersion`: the active version
    /// the caller read (0: none), so that of two admins who read the same state only the first one's upload
    /// goes in (409 ABORTED for the other), whichever gateways they use.
    func upload(_ name: String, _ bundle: DescriptorBundle, label: String? = nil, ifVersion: Int? = nil)
        async throws(GatewayError) -> RegistryEntry
    {
        try checkWritable()
        if let ifVersion, ifVersion != (registry[name]?.active ?? 0) {
            throw GatewayError(
                code: "ABORTED", status: 409,
                "the active version of '\(name)' is \(registry[name].map { "v\($0.active)" } ?? "none"), not "
                    + "\(ifVersion == 0 ? "none" : "v\(ifVersion)"); read it again and retry")
        }
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
        let versions = registry[name]?.versions ?? storeContent.descriptors[name]?.versions ?? []
        let version = (versions.last ?? 0) + 1
        var labels = registry[name]?.labels ?? [:]
        labels[version] = label
        var next = registry
        next[name] = RegistryEntry(
            versions: versions + [version], active: version, bundle: bundle, schema: schema, labels: labels)
        let snapshot = try candidate(services: currentServices, registry: next)
        let token = try await store.addVersion(
            name, bundle, version: version, label: label, expected: storeContent.descriptors[name]?.token ?? 0)
        storeContent.descriptors[name] = StoreContent.Descriptors(
            versions: versions + [version], active: version, labels: labels, token: token)
        registry = next
        metrics.descriptorVersion(name: name, version: version)
        await swap(snapshot)
        logger.info("descriptors uploaded", metadata: ["name": "\(name)", "version": "\(version)"])
        return next[name]!
    }

    /// Activates the version before the active one.
    func rollback(_ name: String) async throws(GatewayError) -> RegistryEntry {
        try checkWritable()
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
        next[name] = RegistryEntry(
            versions: entry.versions, active: previous, bundle: bundle, schema: schema, labels: entry.labels)
        let snapshot = try candidate(services: currentServices, registry: next)
        let token = try await store.activate(
            name, version: previous, expected: storeContent.descriptors[name]?.token ?? 0)
        storeContent.descriptors[name]?.active = previous
        storeContent.descriptors[name]?.token = token
        registry = next
        metrics.descriptorVersion(name: name, version: previous)
        await swap(snapshot)
        logger.info("descriptors rolled back", metadata: ["name": "\(name)", "version": "\(previous)"])
        return next[name]!
    }

    /// Removes every version of `name`; refused while a service uses it.
    func deleteDescriptors(_ name: String) async throws(GatewayError) {
        try checkWritable()
        guard registry[name] != nil else { throw .notFound("no descriptors named '\(name)'") }
        let users = currentServices.filter { $0.schema == .registry(name) }.map(\.name)
        guard users.isEmpty else {
            throw .failedPrecondition("'\(name)' is used by the services \(users.joined(separator: ", "))")
        }
        try await store.deleteDescriptors(name, expected: storeContent.descriptors[name]?.token ?? 0)
        storeContent.descriptors[name] = nil
        registry[name] = nil
        metrics.descriptorVersion(name: name, version: 0)
        logger.info("descriptors deleted", metadata: ["name": "\(name)"])
    }

    // MARK: Services

    /// Adds or replaces a service from its JSON (the config's keys).
    func putService(_ name: String, json: [UInt8]) async throws(GatewayError) -> ServiceConfig {
        try checkWritable()
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
        let token = try await store.writeService(name, json: json, expected: storeContent.services[name]?.token ?? 0)
        storeContent.services[name] = StoreContent.Service(json: json, token: token)
        runtimeServices = runtime
        runtimeOrder = order
        await swap(snapshot)
        logger.info("service updated", metadata: ["service": "\(name)"])
        return snapshot.services.first { $0.name == name } ?? service
    }

    func deleteService(_ name: String) async throws(GatewayError) {
        try checkWritable()
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
        let token = try await store.writeService(name, json: nil, expected: storeContent.services[name]?.token ?? 0)
        storeContent.services[name] = StoreContent.Service(json: nil, token: token)
        runtimeServices = runtime
        runtimeOrder = order
        await swap(snapshot)
        logger.info("service removed", metadata: ["service": "\(name)"])
    }
}
