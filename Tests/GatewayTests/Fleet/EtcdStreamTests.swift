import Foundation
import Logging
import PorticoTestSupport
import Synchronization
import Testing

@testable import Gateway

/// Keys a test's watchers saw, by prefix.
final class SeenKeys: Sendable {
    let keys = Mutex<[String: [String]]>([:])
}

extension FleetTests {
    @Suite("Fleet: watch and keep-alive on bidirectional etcd streams", .serialized)
    struct EtcdStreamTests {
        /// Two prefixes watched by one client share one Watch stream; when that stream's member dies, both
        /// watches continue on another member from the last revision they saw: every change, once, in order.
        @Test func oneWatchStreamCarriesEveryWatchAndMovesWhenItsMemberDies() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                let client = try EtcdClient(url: try EtcdStoreURL(parsing: etcd.storeURL()), environment: [:])
                let seen = SeenKeys()
                let watchers = ["/a/", "/b/"].map { prefix in
                    let watcher = EtcdPrefixWatcher(
                        client: client, prefix: Data(prefix.utf8), logger: Logger(label: "test"))
                    return Task {
                        await watcher.run(
                            update: { update in
                                let keys: [String]
                                switch update {
                                case .reset(let kvs, _): keys = kvs.map { String(decoding: $0.key, as: UTF8.self) }
                                case .events(let events):
                                    keys = events.filter { !$0.isDelete }.compactMap {
                                        $0.kv.map { String(decoding: $0.key, as: UTF8.self) }
                                    }
                                }
                                seen.keys.withLock { $0[prefix, default: []] += keys }
                            }, health: { _ in })
                    }
                }
                @Sendable func sawAll(_ count: Int) -> Bool {
                    seen.keys.withLock { seen in
                        ["/a/", "/b/"].allSatisfy { prefix in seen[prefix]?.contains("\(prefix)\(count)") == true }
                    }
                }
                try await etcd.etcdctlSucceeding(["put", "/a/1", "x"])
                try await etcd.etcdctlSucceeding(["put", "/b/1", "x"])
                try await fleetWait("both watches to see their first key") { sawAll(1) }
                #expect(client.watchStreamsOpened.load(ordering: .relaxed) == 1)
                let member = try #require(client.watchMember)

                etcd.kill(member)
                let killed = ContinuousClock.now
                let others = [0, 1, 2].filter { $0 != member }
                for index in 2...4 {
                    try await etcd.etcdctlSucceeding(["put", "/a/\(index)", "x"], members: others)
                    try await etcd.etcdctlSucceeding(["put", "/b/\(index)", "x"], members: others)
                }
                try await fleetWait("both watches to see the changes made while the member was dead") { sawAll(4) }
                print("fleet: watches moved off a killed member; changes seen \(ContinuousClock.now - killed) after it")
                let moved = try #require(client.watchMember)
                #expect(moved != member)
                #expect(client.watchStreamsOpened.load(ordering: .relaxed) >= 2)
                // Every change exactly once, in order: the new watches started after the last revision seen.
                seen.keys.withLock { seen in
                    for prefix in ["/a/", "/b/"] {
                        #expect(seen[prefix] == (1...4).map { "\(prefix)\($0)" }, "\(prefix): \(seen[prefix] ?? [])")
                    }
                }
                try etcd.start(member)
                for watcher in watchers { watcher.cancel() }
                for watcher in watchers { await watcher.value }
                await client.shutdown()
            }
        }

        /// A member frozen with SIGSTOP keeps its connections open and says nothing: the gateway's heartbeat
        /// (progress requests after 1 s of silence, the stream dropped after 3 s) moves the watch to another member,
        /// where it catches up with what changed meanwhile.
        @Test func aFrozenMemberIsDetectedAndTheWatchMovesWithinTheBound() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                try await gateway.waitUntilReady()
                let store = try #require(await gateway.server.handler.control.store as? EtcdConfigStore)
                // A quiet stream is kept: the progress requests are answered, nothing is mistaken for silence.
                try await Task.sleep(for: .seconds(4))
                #expect(store.client.watchStreamsOpened.load(ordering: .relaxed) == 1)
                let member = try #require(store.client.watchMember)
                let others = [0, 1, 2].filter { $0 != member }

                etcd.freeze(member)
                let frozen = ContinuousClock.now
                let service = """
                    {"schema": "\(Fixtures.descriptors)/bookstore.thrift", "service": "Bookstore", \
                    "framing": "framed", "endpoints": ["127.0.0.1:9"]}
                    """
                try await etcd.etcdctlSucceeding(["put", "/portico/services/after-freeze", service], members: others)
                try await gateway.waitFor("/admin/services/after-freeze", admin: true, timeout: .seconds(20)) {
                    $0.status == 200
                }
                let caughtUp = ContinuousClock.now - frozen
                print("fleet: a change made just after the watch's member froze was live after \(caughtUp)")
                // Documented bound: 3 s of silence, noticed within the 0.5 s tick, then a new stream elsewhere.
                #expect(caughtUp < .seconds(6), "\(caughtUp)")
                #expect(store.client.watchMember != member)
                #expect(gateway.logs.contains("stopped answering the watch stream"))
                #expect(try await gateway.request("GET", "/readyz").text.contains("\"writes\":\"accepted\""))
                etcd.thaw(member)
                await gateway.stop()
            }
        }

        /// One LeaseKeepAlive stream keeps a registration alive over many TTLs; when its member dies the stream
        /// moves and the key never lapses; a lease revoked behind its back (etcd answers TTL 0) is granted again
        /// and the key rewritten.
        @Test func oneKeepAliveStreamKeepsARegistrationAliveAcrossManyTTLs() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                let registration = try KitexRegistration(
                    store: etcd.storeURL(), service: "kept", address: "127.0.0.1:7", weight: 10, ttl: 2,
                    logger: Logger(label: "test"))
                try await registration.start()
                let key = "kitex/registry-etcd/kept/127.0.0.1:7"
                // Four TTLs.
                for _ in 0..<8 {
                    try await Task.sleep(for: .seconds(1))
                    #expect(try await etcd.keys(key) == [key])
                }
                let steady = registration.keepAlives
                #expect(steady.streams == 1, "\(steady)")
                #expect(steady.answers >= 9, "\(steady)")

                etcd.kill(steady.member)
                let others = [0, 1, 2].filter { $0 != steady.member }
                for _ in 0..<6 {
                    try await Task.sleep(for: .seconds(1))
                    #expect(try await etcd.keys(key, members: others) == [key])
                }
                let moved = registration.keepAlives
                #expect(moved.streams >= 2, "\(moved)")
                #expect(moved.member != steady.member)
                #expect(moved.answers > steady.answers + 6, "\(moved)")

                try await etcd.etcdctlSucceeding(["lease", "revoke", String(moved.lease, radix: 16)], members: others)
                let back = try await fleetWait("the registration under a new lease", timeout: .seconds(10)) {
                    let current = registration.keepAlives.lease
                    guard current != moved.lease, current != 0 else { return false }
                    return try await etcd.keys(key, members: others) == [key]
                }
                print("fleet: a revoked registration was back under a new lease after \(back)")
                try etcd.start(steady.member)
                await registration.stop()
                try await fleetWait("the key to go with the revoked lease") {
                    try await etcd.keys(key, members: others).isEmpty
                }
            }
        }
    }
}
