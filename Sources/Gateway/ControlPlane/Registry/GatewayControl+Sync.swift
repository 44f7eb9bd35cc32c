import DynamicCodec

/// What `/readyz` tells of the store.
struct StoreStatus: Sendable {
    /// The store's content has been applied at least once.
    var loaded = false
    /// Why the last change from the store could not be applied (a bundle that does not load, routes that
    /// conflict); the gateway keeps serving what it had.
    var applyProblem: String?
}

extension GatewayControl {
    /// The store's state for `/readyz`: loaded, and why writes are refused (nil: they are accepted).
    nonisolated func storeStatus() -> (loaded: Bool, writesRefused: String?, applyProblem: String?) {
        let status = status.withLock { $0 }
        let discovered = (store as? EtcdConfigStore)?.discoveryLoaded.load(ordering: .acquiring) ?? true
        return (status.loaded && discovered, store.unavailableReason, status.applyProblem)
    }

    func checkWritable() throws(GatewayError) {
        if let reason = store.unavailableReason {
            throw GatewayError(code: "STORE_UNAVAILABLE", status: 503, "\(reason); writes resume when it is back")
        }
    }

    /// Brings the registry and the run-time services up to the store's content (a change made through another
    /// gateway, or everything after the first read), then swaps in a new snapshot if anything differs. Bundles
    /// are loaded only for names whose active version changed. A change that does not build leaves the
    /// snapshot as it was and is reported by `/readyz`.
    func storeChanged() async {
        let content = store.content()
        var next: [String: RegistryEntry] = [:]
        var problems: [String] = []
        for (name, stored) in content.descriptors {
            guard
                let active = stored.active.flatMap({ stored.versions.contains($0) ? $0 : nil }) ?? stored.versions.last
            else { continue }
            if var current = registry[name], current.active == active {
                current.versions = stored.versions
                current.labels = stored.labels
                next[name] = current
                continue
            }
            do {
                let bundle = try store.bundle(name, version: active)
                let schema: LoadedSchema
                do {
                    schema = try bundle.load()
                } catch {
                    throw GatewayError(code: "STORE_ERROR", status: 500, "\(name) v\(active) does not load: \(error)")
                }
                next[name] = RegistryEntry(
                    versions: stored.versions, active: active, bundle: bundle, schema: schema, labels: stored.labels)
            } catch {
                problems.append("\(error)")
                if let current = registry[name] { next[name] = current }
            }
        }
        var runtime: [String: ServiceConfig?] = [:]
        var order: [String] = []
        for name in content.serviceNames {
            guard let json = content.services[name]?.json else {
                runtime[name] = .some(nil)
                order.append(name)
                continue
            }
            do {
                runtime[name] = try ServiceConfig(
                    node: try ConfigNode.parse(json: json), path: "store services/\(name)", name: name)
                order.append(name)
            } catch {
                problems.append("the stored service \(name) is not valid: \(error)")
                if let current = runtimeServices[name] {
                    runtime[name] = current
                    order.append(name)
                }
            }
        }
        storeContent = content
        let registryChanged =
            next.count != registry.count
            || next.contains { name, entry in
                registry[name].map { $0.active != entry.active || $0.versions != entry.versions } ?? true
            }
        let wasLoaded = status.withLock { $0.loaded }
        guard registryChanged || runtime != runtimeServices || order != runtimeOrder || !wasLoaded else {
            if registry.contains(where: { next[$0.key]?.labels != $0.value.labels }) { registry = next }
            status.withLock { $0.applyProblem = problems.isEmpty ? nil : problems.joined(separator: "; ") }
            return
        }
        do {
            let snapshot = try candidate(services: Self.merge(configServices, runtime, order), registry: next)
            for (name, entry) in next where registry[name]?.active != entry.active {
                metrics.descriptorVersion(name: name, version: entry.active)
            }
            for name in registry.keys where next[name] == nil { metrics.descriptorVersion(name: name, version: 0) }
            registry = next
            runtimeServices = runtime
            runtimeOrder = order
            await swap(snapshot)
            status.withLock {
                $0.loaded = true
                $0.applyProblem = problems.isEmpty ? nil : problems.joined(separator: "; ")
            }
            logger.info(
                "applied a change from the store",
                metadata: ["generation": "\(snapshot.generation)", "store": "\(store.location)"])
        } catch {
            logger.error(
                "a change from the store does not build; keeping the current routes", metadata: ["error": "\(error)"])
            status.withLock { $0.applyProblem = (problems + ["\(error)"]).joined(separator: "; ") }
        }
    }
}

extension GatewayControl {
    /// Services whose endpoints are discovered get the instances registered now (none yet: calls answer
    /// UNAVAILABLE until one registers). Discovery needs etcd: with a directory store such a service is refused.
    func resolved(_ services: [ServiceConfig]) throws(GatewayError) -> [ServiceConfig] {
        guard services.contains(where: { $0.discovery != nil }) else { return services }
        guard let etcd = store as? EtcdConfigStore else {
            let name = services.first { $0.discovery != nil }!.name
            throw .config(
                ConfigError("services.\(name).endpoints", "discovery reads etcd: it needs store: etcd://..."))
        }
        let instances = etcd.discovered()
        return services.map { service in
            guard case .kitex(let kitexName) = service.discovery else { return service }
            var service = service
            let registered = instances[kitexName] ?? []
            service.endpoints = registered.map(\.address)
            service.weights = registered.map(\.weight)
            return service
        }
    }

    /// Swaps in a snapshot with the instances registered now, if they changed.
    func discoveryChanged() async {
        guard status.withLock({ $0.loaded }) else { return }
        do {
            let snapshot = try candidate(services: currentServices, registry: registry)
            guard snapshot.services != holder.snapshot.services else { return }
            await swap(snapshot)
            logger.info("discovered endpoints changed", metadata: ["generation": "\(snapshot.generation)"])
        } catch {
            logger.error("discovered endpoints do not build a snapshot", metadata: ["error": "\(error)"])
        }
    }
}
