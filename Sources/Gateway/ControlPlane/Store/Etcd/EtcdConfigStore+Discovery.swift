#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One instance a Kitex server registered with registry-etcd.
struct KitexInstance: Sendable, Hashable {
    var address: String
    var weight: Int
}

extension EtcdConfigStore {
    /// Kitex's registry-etcd keys: `kitex/registry-etcd/SERVICE/HOST:PORT`, outside the store's prefix.
    static let kitexPrefix = Data("kitex/registry-etcd/".utf8)
    /// registry-etcd's weight when an instance gives none (Kitex's `discovery.DefaultWeight`).
    static let kitexDefaultWeight = 10

    /// Follows the Kitex registry: `changed` runs after every change of the registered instances.
    func startDiscovery(changed: @escaping @Sendable () async -> Void) {
        let watcher = EtcdPrefixWatcher(client: client, prefix: Self.kitexPrefix, logger: logger)
        let task = Task { [self] in
            await watcher.run(
                update: { update in
                    self.kitex.withLock { registry in
                        switch update {
                        case .reset(let kvs, _):
                            registry = Dictionary(kvs.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
                            self.discoveryLoaded.store(true, ordering: .releasing)
                        case .events(let events):
                            for event in events {
                                guard let kv = event.kv else { continue }
                                registry[kv.key] = event.isDelete ? nil : kv
                            }
                        }
                    }
                    await changed()
                },
                health: { _ in })
        }
        tasks.withLock { $0.append(task) }
    }

    /// Registered instances by Kitex service name, sorted by address. Entries that do not parse (bad JSON, a
    /// network other than TCP, an address that is not HOST:PORT) are left out with a warning.
    func discovered() -> [String: [KitexInstance]] {
        let entries = kitex.withLock { $0 }
        var services: [String: [KitexInstance]] = [:]
        var skipped: [String] = []
        for (key, kv) in entries {
            guard let path = String(data: key.dropFirst(Self.kitexPrefix.count), encoding: .utf8),
                let slash = path.firstIndex(of: "/")
            else { continue }
            let service = String(path[..<slash])
            let keyAddress = String(path[path.index(after: slash)...])
            guard let instance = Self.instance(kv.value ?? Data(), keyAddress: keyAddress) else {
                skipped.append(path)
                continue
            }
            services[service, default: []].append(instance)
        }
        if !skipped.isEmpty {
            logger.warning(
                "ignoring Kitex registry entries that do not parse", metadata: ["keys": "\(skipped.sorted())"])
        }
        return services.mapValues { $0.sorted { $0.address < $1.address } }
    }

    static func instance(_ value: Data, keyAddress: String) -> KitexInstance? {
        struct Info: Decodable {
            var network: String?
            var address: String?
            var weight: Int?
        }
        guard value.count <= 64 << 10, let info = try? JSONDecoder().decode(Info.self, from: value) else { return nil }
        guard info.network == nil || info.network == "tcp" || info.network == "" else { return nil }
        let address = (info.address?.isEmpty ?? true) ? keyAddress : info.address!
        guard let parsed = GatewayConfig.ListenAddress(address), parsed.port > 0, parsed.host != "0.0.0.0",
            !parsed.host.isEmpty
        else { return nil }
        let weight = info.weight.map { $0 > 0 ? min($0, 1000) : kitexDefaultWeight } ?? kitexDefaultWeight
        return KitexInstance(address: parsed.description, weight: weight)
    }
}
