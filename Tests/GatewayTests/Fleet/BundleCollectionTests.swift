import Foundation
import Logging
import PorticoTestSupport
import Testing

@testable import Gateway

extension FleetTests {
    @Suite("Fleet: garbage collection of bundles in etcd", .serialized)
    struct BundleCollectionTests {
        /// The bundle a name's version points at, read from etcd.
        static func bundleOf(_ name: String, _ etcd: EtcdCluster) async throws -> String {
            let value = try await etcd.etcdctlSucceeding([
                "get", "--print-value-only", "/portico/descriptors/\(name)/versions/1",
            ])
            return try #require(EtcdConfigStore.bundleHashes(in: Data(value.utf8)).first, "\(value)")
        }

        /// Every key of a bundle (record and chunks).
        static func keysOf(_ hash: String, _ etcd: EtcdCluster) async throws -> [String] {
            try await etcd.keys("/portico/bundles/\(hash)")
        }

        /// The leader (one of two gateways, by the leader key) collects a deleted name's bundle a moment after the
        /// deletion, and keeps a bundle another name still uses; when the leader stops, the other gateway takes
        /// the leader key and collects in its turn.
        @Test func deletedNamesLoseTheirUnsharedBundlesAndSharedOnesStay() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let a = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                let b = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                try await a.waitUntilReady()
                try await b.waitUntilReady()
                let firstLeader = try await Self.leader(etcd, among: [a, b])
                let other = firstLeader === a ? b : a

                for (name, body) in [("one", Bundles.thrift()), ("two", Bundles.thrift()), ("solo", Bundles.proto())] {
                    let upload = try await other.request("POST", "/admin/descriptors/\(name)", body: body, admin: true)
                    #expect(upload.status == 201, "\(upload.text)")
                }
                let shared = try await Self.bundleOf("one", etcd)
                #expect(try await Self.bundleOf("two", etcd) == shared)
                let solo = try await Self.bundleOf("solo", etcd)
                #expect(try await Self.keysOf(solo, etcd).count == 2)  // record and one chunk

                // Deleted through the gateway that is not the leader: the leader sees it in its watch.
                #expect(try await other.request("DELETE", "/admin/descriptors/solo", admin: true).status == 200)
                let collected = try await fleetWait("the unshared bundle to be collected", timeout: .seconds(10)) {
                    try await Self.keysOf(solo, etcd).isEmpty
                }
                print("fleet: a deleted name's bundle was collected \(collected) after the delete")
                #expect(firstLeader.logs.contains("collected bundles that no version references"))

                // A bundle another name still uses stays.
                #expect(try await other.request("DELETE", "/admin/descriptors/one", admin: true).status == 200)
                try await Task.sleep(for: .seconds(3))
                #expect(try await Self.keysOf(shared, etcd).count == 2)
                #expect(try await other.request("GET", "/admin/descriptors/two", admin: true).status == 200)

                // The leader goes (its lease is revoked): the other gateway takes over and collects the rest.
                await firstLeader.stop()
                let secondLeader = try await Self.leader(etcd, among: [other])
                #expect(secondLeader === other)
                #expect(try await other.request("DELETE", "/admin/descriptors/two", admin: true).status == 200)
                try await fleetWait("the shared bundle to be collected once unused", timeout: .seconds(10)) {
                    try await Self.keysOf(shared, etcd).isEmpty
                }
                // Uploading it again stores it again.
                #expect(
                    try await other.request("POST", "/admin/descriptors/again", body: Bundles.proto(), admin: true)
                        .status == 201)
                #expect(try await Self.keysOf(solo, etcd).count == 2)
                await other.stop()
            }
        }

        /// The gateway holding `P/leader` (waits until one of `gateways` does, up to 20 s).
        static func leader(_ etcd: EtcdCluster, among gateways: [FleetGateway]) async throws -> FleetGateway {
            let deadline = ContinuousClock.now + .seconds(20)
            var holder = ""
            while ContinuousClock.now < deadline {
                holder = try await etcd.etcdctlSucceeding(["get", "--print-value-only", "/portico/leader"])
                if let leader = gateways.first(where: { holder.contains("-\($0.port)-") }) { return leader }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw EtcdFailure(description: "no leader among the gateways; the key holds '\(holder)'")
        }

        /// The guards that keep a collection and an upload from racing, step by step on two stores: a collection
        /// that read before a version referencing the bundle was written deletes nothing; an upload that relied on
        /// a bundle the collection deleted writes its chunks again; orphaned chunks wait for their grace period.
        @Test func collectionAndUploadCannotRace() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let url = try EtcdStoreURL(parsing: etcd.storeURL())
                func store() async throws -> EtcdConfigStore {
                    let store = try EtcdConfigStore(url: url, environment: [:], logger: Logger(label: "test"))
                    let (kvs, revision) = try await store.client.rangePrefix(store.layout.root)
                    store.apply(.reset(kvs, revision: revision))
                    return store
                }
                let bundle = try DescriptorBundle(
                    main: "bookstore.thrift",
                    files: [
                        "bookstore.thrift": Bundles.file("bookstore.thrift"),
                        "bookstore_common.thrift": Bundles.file("bookstore_common.thrift"),
                    ])
                let hash = EtcdConfigStore.hash(try bundle.storedJSON())
                // The writer never reads again: its mirror goes stale on purpose.
                let writer = try await store()
                let collector = try await store()

                _ = try await writer.addVersion("old", bundle, version: 1, label: nil, expected: 0)
                try await writer.deleteDescriptors("old", expected: writer.content().descriptors["old"]?.token ?? 0)
                let plan = try await collector.planCollection(orphanGrace: .zero)
                #expect(plan.candidates.map(\.hash) == [hash])
                // A new version references the bundle after the collection read: its sweep must leave it.
                _ = try await writer.addVersion("new", bundle, version: 1, label: nil, expected: 0)
                let raced = try await collector.sweep(plan)
                #expect(raced.removed.isEmpty)
                #expect(raced.deferred == 1)
                #expect(try await store().bundle("new", version: 1) == bundle)

                // Unused again: collected. The writer's mirror still lists the bundle's record.
                try await writer.deleteDescriptors("new", expected: writer.content().descriptors["new"]?.token ?? 0)
                #expect(try await collector.collectGarbage(orphanGrace: .zero).removed == [hash])
                #expect(try await Self.keysOf(hash, etcd).isEmpty)
                #expect(writer.mirror.withLock { $0[writer.layout.bundle(hash)] } != nil)
                // An upload relying on it finds its guard broken and stores the chunks again.
                _ = try await writer.addVersion("again", bundle, version: 1, label: nil, expected: 0)
                #expect(try await Self.keysOf(hash, etcd).count == 2)
                #expect(try await store().bundle("again", version: 1) == bundle)

                // Chunks with no record (an upload that died midway) wait for their grace period.
                let orphan = "sha256-" + String(repeating: "ab", count: 32)
                try await etcd.etcdctlSucceeding(["put", "/portico/bundles/\(orphan)/0", "partial"])
                let waiting = try await collector.collectGarbage(orphanGrace: .seconds(3600))
                #expect(waiting.removed.isEmpty)
                #expect(waiting.orphansWaiting == 1)
                #expect(try await collector.collectGarbage(orphanGrace: .zero).removed == [orphan])
                #expect(try await Self.keysOf(orphan, etcd).isEmpty)
                #expect(try await Self.keysOf(hash, etcd).count == 2)
                await writer.shutdown()
                await collector.shutdown()
            }
        }

        @Test func bundleHashesAreFoundInAnyValue() {
            let hash = "sha256-" + String(repeating: "0f", count: 32)
            #expect(EtcdConfigStore.bundleHashes(in: Data("{\"bundle\":\"\(hash)\",\"label\":\"x\"}".utf8)) == [hash])
            #expect(EtcdConfigStore.bundleHashes(in: Data("{broken \(hash)".utf8)) == [hash])
            #expect(EtcdConfigStore.bundleHashes(in: Data("sha256-\(String(repeating: "G", count: 64))".utf8)).isEmpty)
            #expect(EtcdConfigStore.bundleHashes(in: Data("sha256-abc".utf8)).isEmpty)
        }
    }
}
