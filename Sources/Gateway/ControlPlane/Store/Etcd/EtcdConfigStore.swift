import Crypto
import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The registry and the run-time services in etcd, shared by a fleet of gateways (`store: etcd://...`).
///
/// The store keeps a mirror of every key under its prefix, filled by one read and then kept current by a watch
/// (``EtcdPrefixWatcher``); ``content()`` and ``bundle(_:version:)`` answer from the mirror, so the control plane
/// reads without waiting on etcd. Writes are transactions guarded by the revision of the key they change (see
/// ``EtcdKeyLayout`` for the keys), and their result goes into the mirror at once, before the watch echoes it.
final class EtcdConfigStore: ConfigStore {
    let url: EtcdStoreURL
    let client: EtcdClient
    let layout: EtcdKeyLayout
    let logger: Logger
    /// The mirror: value and last-modified revision by key.
    let mirror = Mutex<[Data: Etcd.KeyValue]>([:])
    /// Bundles already assembled and checked, by hash.
    private let bundles = Mutex<[String: DescriptorBundle]>([:])
    private let problem = Mutex<String?>("etcd has not been read yet")
    let loaded = Atomic<Bool>(false)
    /// The Kitex registry has been read once (a gateway is not ready before: discovered services would have no
    /// endpoints yet).
    let discoveryLoaded = Atomic<Bool>(false)
    let tasks = Mutex<[Task<Void, Never>]>([])
    let membership = Mutex<(id: String, lease: Int64)?>(nil)
    /// The Kitex registry's keys (``startDiscovery(changed:)``).
    let kitex = Mutex<[Data: Etcd.KeyValue]>([:])
    /// A version record was deleted: the leader should collect bundles soon.
    let collectionWanted = Atomic<Bool>(false)
    /// Chunks without a bundle record, by hash, as the leader's collection last found them.
    let orphans = Mutex<[String: OrphanMark]>([:])

    init(url: EtcdStoreURL, environment: [String: String], logger: Logger) throws(GatewayError) {
        self.url = url
        self.logger = logger
        client = try EtcdClient(url: url, environment: environment, logger: logger)
        layout = EtcdKeyLayout(prefix: url.prefix)
    }

    var location: String { url.description }

    var unavailableReason: String? { problem.withLock { $0 } }

    /// Starts following etcd: `changed` runs after every change the watch brings (and after the first read).
    func start(changed: @escaping @Sendable () async -> Void) {
        let watcher = EtcdPrefixWatcher(client: client, prefix: layout.root, logger: logger)
        let task = Task { [self] in
            await watcher.run(
                update: { update in
                    self.apply(update)
                    await changed()
                },
                health: { reason in self.setProblem(reason.map { "etcd is unreachable: \($0)" }) })
        }
        tasks.withLock { $0.append(task) }
    }

    /// Stops the watches and keep-alives, revokes the membership lease and closes the connections.
    func shutdown() async {
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in running { task.cancel() }
        if let member = membership.withLock({ $0 }) { try? await client.revokeLease(member.lease) }
        await client.shutdown()
    }

    func setProblem(_ reason: String?) {
        let changed = problem.withLock { problem -> Bool in
            defer { problem = reason }
            return (problem == nil) != (reason == nil)
        }
        if changed {
            if let reason {
                logger.warning("etcd store unavailable; serving the last snapshot", metadata: ["reason": "\(reason)"])
            } else {
                logger.info("etcd store available", metadata: ["store": "\(location)"])
            }
        }
    }

    /// Applies a watch update to the mirror. A change older than what the mirror holds for a key (a write of this
    /// gateway went in first) is ignored.
    func apply(_ update: EtcdPrefixWatcher.Update) {
        mirror.withLock { mirror in
            switch update {
            case .reset(let kvs, _):
                mirror = Dictionary(kvs.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            case .events(let events):
                for event in events {
                    guard let kv = event.kv else { continue }
                    if event.isDelete {
                        switch layout.entry(kv.key) {
                        case .version: collectionWanted.store(true, ordering: .relaxed)
                        case .bundle(let hash): bundles.withLock { $0[hash] = nil }
                        default: break
                        }
                    }
                    let revision = kv.modRevision?.value ?? 0
                    if let known = mirror[kv.key]?.modRevision?.value, known > revision { continue }
                    if event.isDelete {
                        if let known = mirror[kv.key]?.modRevision?.value, known >= revision { continue }
                        mirror[kv.key] = nil
                    } else {
                        mirror[kv.key] = kv
                    }
                }
            }
        }
        if case .reset = update {
            loaded.store(true, ordering: .releasing)
            setProblem(nil)
        }
    }

    /// Puts the result of this gateway's own write into the mirror.
    func record(puts: [(Data, Data)], deletes: [Data] = [], deletePrefixes: [Data] = [], revision: Int64) {
        for key in deletes {
            if case .bundle(let hash) = layout.entry(key) { bundles.withLock { $0[hash] = nil } }
        }
        mirror.withLock { mirror in
            for key in deletes { mirror[key] = nil }
            for prefix in deletePrefixes {
                for key in mirror.keys where key.starts(with: prefix) { mirror[key] = nil }
            }
            for (key, value) in puts {
                mirror[key] = Etcd.KeyValue(
                    key: key, createRevision: nil, modRevision: Etcd.Int64Value(revision), value: value, lease: nil)
            }
        }
    }

    // MARK: Reading

    /// The version records of each name, its active key and the services, from the mirror. Keys that do not
    /// parse are skipped with a warning (once per read), never trusted.
    func content() -> StoreContent {
        let entries = mirror.withLock { mirror in
            mirror.compactMap { key, kv in layout.entry(key).map { ($0, kv) } }
        }
        var content = StoreContent()
        var actives: [String: (Int, Int64)] = [:]
        var malformed: [String] = []
        for (entry, kv) in entries {
            let value = kv.value ?? Data()
            switch entry {
            case .version(let name, let version):
                guard let record = try? JSONDecoder().decode(VersionRecord.self, from: value),
                    EtcdKeyLayout.isHash(record.bundle)
                else {
                    malformed.append("descriptors/\(name)/versions/\(version)")
                    continue
                }
                content.descriptors[name, default: StoreContent.Descriptors(versions: [])].versions.append(version)
                if let label = record.label { content.descriptors[name]?.labels[version] = label }
            case .active(let name):
                guard let version = Int(String(decoding: value, as: UTF8.self)), version > 0 else {
                    malformed.append("descriptors/\(name)/active")
                    continue
                }
                actives[name] = (version, kv.modRevision?.value ?? 0)
            case .service(let name):
                let bytes = [UInt8](value)
                content.services[name] = StoreContent.Service(
                    json: bytes == DescriptorStore.tombstone ? nil : bytes, token: kv.modRevision?.value ?? 0)
            case .bundle, .chunk, .member, .leader:
                continue
            }
        }
        for name in content.descriptors.keys {
            content.descriptors[name]?.versions.sort()
            if let (active, token) = actives[name] {
                content.descriptors[name]?.active = active
                content.descriptors[name]?.token = token
            }
        }
        if !malformed.isEmpty {
            logger.warning("ignoring malformed keys in etcd", metadata: ["keys": "\(malformed.sorted())"])
        }
        return content
    }

    func bundle(_ name: String, version: Int) throws(GatewayError) -> DescriptorBundle {
        let (record, meta, chunks) = mirror.withLock { mirror -> (VersionRecord?, BundleRecord?, [Data?]) in
            guard let value = mirror[layout.version(name, version)]?.value,
                let record = try? JSONDecoder().decode(VersionRecord.self, from: value)
            else { return (nil, nil, []) }
            guard let metaValue = mirror[layout.bundle(record.bundle)]?.value,
                let meta = try? JSONDecoder().decode(BundleRecord.self, from: metaValue),
                (0...4096).contains(meta.chunks)
            else { return (record, nil, []) }
            return (record, meta, (0..<meta.chunks).map { mirror[layout.chunk(record.bundle, $0)]?.value })
        }
        guard let record else {
            throw GatewayError(code: "STORE_ERROR", status: 500, "etcd has no readable record of \(name) v\(version)")
        }
        if let known = bundles.withLock({ $0[record.bundle] }) { return known }
        guard let meta else {
            throw GatewayError(code: "STORE_ERROR", status: 500, "etcd has no readable bundle \(record.bundle)")
        }
        var bytes: [UInt8] = []
        for (index, chunk) in chunks.enumerated() {
            guard let chunk else {
                throw GatewayError(code: "STORE_ERROR", status: 500, "bundle \(record.bundle) lacks chunk \(index)")
            }
            bytes.append(contentsOf: chunk)
        }
        guard bytes.count == meta.size, Self.hash(bytes) == record.bundle else {
            throw GatewayError(
                code: "STORE_ERROR", status: 500, "bundle \(record.bundle) in etcd does not match its hash")
        }
        let bundle: DescriptorBundle
        do {
            bundle = try DescriptorBundle(storedJSON: bytes)
        } catch {
            throw GatewayError(
                code: "STORE_ERROR", status: 500, "bundle \(record.bundle) is not a stored bundle: \(error)")
        }
        bundles.withLock { $0[record.bundle] = bundle }
        return bundle
    }

    /// Members of the fleet: the gateways whose leases are alive.
    func members() -> [String] {
        mirror.withLock { mirror in
            mirror.keys.compactMap { key -> String? in
                if case .member(let id) = layout.entry(key) { return id }
                return nil
            }.sorted()
        }
    }

    static func hash(_ bytes: [UInt8]) -> String {
        "sha256-"
            + SHA256.hash(data: bytes).map { byte in
                let text = String(byte, radix: 16)
                return byte < 16 ? "0" + text : text
            }.joined()
    }

    /// `P/descriptors/NAME/versions/V`.
    struct VersionRecord: Codable {
        var bundle: String
        var label: String?
    }

    /// `P/bundles/HASH`.
    struct BundleRecord: Codable {
        var chunks: Int
        var size: Int
        var kind: String?
    }
}
