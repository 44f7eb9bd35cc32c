import DynamicCodec
import Foundation
import GenericCall
import Logging
import PorticoTestSupport
import Synchronization
import Testing

@testable import Gateway

/// Requests sent by the closed-loop load, and the failures among them.
final class LoadRecord: Sendable {
    struct Failure: Sendable {
        var at: ContinuousClock.Instant
        var status: Int
        var code: String?
    }

    let sent = Atomic<Int>(0)
    let failures = Mutex<[Failure]>([])
    let running = Atomic<Bool>(true)
    /// The gateways the load goes to (a load balancer's healthy set).
    let live: Mutex<[FleetGateway]>

    init(_ gateways: [FleetGateway]) { live = Mutex(gateways) }
}

extension FleetTests {
    @Suite("Fleet: three etcd members, three gateways", .serialized)
    struct FleetClusterTests {
        /// The whole story of the issue in one run (a few tens of seconds): propagation measured, then chaos under load.
        @Test func fleetSurvivesEtcdGatewayAndBackendDeaths() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                let (first, firstEndpoint) = try await shelfMock(theme: "one")
                let (second, secondEndpoint) = try await shelfMock(theme: "two")
                let logger = Logger(label: "test")
                let firstRegistration = try KitexRegistration(
                    store: etcd.storeURL(), service: "bookstore", address: "\(firstEndpoint)", weight: 10, ttl: 3,
                    logger: logger)
                let secondRegistration = try KitexRegistration(
                    store: etcd.storeURL(), service: "bookstore", address: "\(secondEndpoint)", weight: 10, ttl: 3,
                    logger: logger)
                try await firstRegistration.start()
                try await secondRegistration.start()

                // One backend client per gateway, as in separate processes.
                let invokers = (0..<4).map { _ in GenericCallInvoker() }
                let config = try FleetGateway.config(store: etcd.storeURL())
                var gateways: [FleetGateway] = []
                for index in 0..<3 { gateways.append(try await FleetGateway(config: config, invoker: invokers[index])) }
                for gateway in gateways { try await gateway.waitUntilReady() }
                let (a, b, c) = (gateways[0], gateways[1], gateways[2])

                // Propagation: an upload and a service through A, served by B and C.
                let service = """
                    {"schema": "registry:shop", "service": "Bookstore", "framing": "framed",
                     "endpoints": {"discover": "kitex", "service": "bookstore"}, "timeouts": {"connect": "200ms"}}
                    """
                #expect(
                    try await a.request("POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true).status
                        == 201)
                let put = try await a.request("PUT", "/admin/services/shop", body: service, admin: true)
                #expect(put.status == 200, "\(put.text)")
                for gateway in [b, c] {
                    try await gateway.waitFor("/v1/shelves/5") { $0.status == 200 }
                }
                var propagation: [Duration] = []
                for round in 0..<5 {
                    let path = "/v1/ping\(round)"
                    let bundle = Bundles.thrift {
                        $0.replacingOccurrences(
                            of: "oneway void RecordView",
                            with: "string Ping\(round)() (api.get = \"\(path)\")\n    oneway void RecordView")
                    }
                    let sent = ContinuousClock.now
                    let upload = try await a.request("POST", "/admin/descriptors/shop", body: bundle, admin: true)
                    #expect(upload.status == 201, "\(upload.text)")
                    // Routed (the mock backend, started with the first IDL, answers the new method with an exception).
                    async let onB = b.waitFor(path, timeout: .seconds(5)) { $0.status != 404 }
                    async let onC = c.waitFor(path, timeout: .seconds(5)) { $0.status != 404 }
                    _ = try await (onB, onC)
                    propagation.append(ContinuousClock.now - sent)
                }
                print("fleet: upload through A until served by B and C: \(propagation)")
                #expect(propagation.count == 5)

                // Closed-loop load through every live gateway while things die.
                let record = LoadRecord(gateways)
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        // Closed loop with a short pause per request, so that the other suites running in parallel
                        // keep some CPU.
                        for worker in 0..<4 {
                            group.addTask {
                                var turn = worker
                                while record.running.load(ordering: .relaxed), !Task.isCancelled {
                                    let targets = record.live.withLock { $0 }
                                    let gateway = targets[turn % targets.count]
                                    turn += 1
                                    record.sent.add(1, ordering: .relaxed)
                                    let response = try? await gateway.request("GET", "/v1/shelves/5")
                                    try? await Task.sleep(for: .milliseconds(2))
                                    if response?.status != 200 {
                                        record.failures.withLock {
                                            $0.append(
                                                .init(
                                                    at: .now, status: response?.status ?? 0, code: response?.errorCode))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                // One etcd member dies and comes back.
                try await Task.sleep(for: .milliseconds(500))
                etcd.kill(0)
                try await Task.sleep(for: .seconds(1))
                try etcd.start(0)
                try await Task.sleep(for: .seconds(1))

                // Gateway B dies; a change is made meanwhile; B comes back with it.
                // Taken out of the load balancer first, so that no request is sent to it while it stops.
                record.live.withLock { $0 = [a, c] }
                try await Task.sleep(for: .milliseconds(300))
                await b.stop()
                let meanwhile = try await c.request(
                    "POST", "/admin/descriptors/shop?label=meanwhile", body: Bundles.thrift(), admin: true)
                #expect(meanwhile.status == 201, "\(meanwhile.text)")
                let restarted = try await FleetGateway(config: config, invoker: invokers[3])
                try await restarted.waitUntilReady()
                let seen = try await restarted.request("GET", "/admin/descriptors/shop", admin: true)
                #expect(seen.text.contains("\"active_version\":7"), "\(seen.text)")
                #expect(seen.text.contains("meanwhile"))
                record.live.withLock { $0 = [a, restarted, c] }
                try await Task.sleep(for: .milliseconds(500))
                let beforeBackendDeath = ContinuousClock.now
                let failuresBefore = record.failures.withLock { $0 }

                // A backend dies without deregistering: its lease (3 s) runs out.
                await secondRegistration.stop(revoke: false)
                await second.stop()
                try await a.waitFor("/admin/services/shop", admin: true, timeout: .seconds(10)) {
                    !$0.text.contains("\(secondEndpoint)")
                }
                let gone = ContinuousClock.now - beforeBackendDeath
                try await Task.sleep(for: .milliseconds(500))
                record.running.store(false, ordering: .relaxed)
                await load.value

                let failures = record.failures.withLock { $0 }
                let sent = record.sent.load(ordering: .relaxed)
                print(
                    "fleet: \(sent) requests under load, \(failures.count) failed; dead backend left the pool after \(gone)"
                )
                #expect(failuresBefore.isEmpty, "\(failuresBefore.prefix(5))")
                var codes: [String: Int] = [:]
                for failure in failures where failure.at >= beforeBackendDeath {
                    codes["\(failure.status) \(failure.code ?? "-")", default: 0] += 1
                    // Refused connections are retried on the other instance; only calls in flight on the dying
                    // backend's connections can fail, and they fail at once.
                    #expect(failure.code == "UNAVAILABLE" || failure.code == "BACKEND_CLOSED", "\(failure)")
                }
                print("fleet: failures after the backend died, by status and code: \(codes)")
                #expect(sent > 100)

                await restarted.stop()
                await a.stop()
                await c.stop()
                await firstRegistration.stop()
                for invoker in invokers { await invoker.shutdown() }
                await first.stop()
            }
        }

        /// A gateway talking to one member only is cut off while changes are made and etcd compacts its history; when
        /// the member returns the gateway re-reads everything, without restarting.
        @Test func cutOffGatewayCatchesUpAfterCompaction() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                let all = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                let lonely = try await FleetGateway(
                    config: try FleetGateway.config(store: "etcd://127.0.0.1:\(etcd.members[2].clientPort)/portico"),
                    invoker: FakeInvoker())
                try await all.waitUntilReady()
                try await lonely.waitUntilReady()
                #expect(
                    try await all.request("POST", "/admin/descriptors/one", body: Bundles.thrift(), admin: true).status
                        == 201)
                try await lonely.waitFor("/admin/descriptors/one", admin: true) { $0.status == 200 }

                etcd.kill(2)
                try await lonely.waitFor("/readyz") { $0.text.contains("\"writes\":\"refused\"") }
                // Writes may be refused (503) while the remaining members elect a leader; then they go through.
                var two = try await all.request("POST", "/admin/descriptors/two", body: Bundles.thrift(), admin: true)
                let deadline = ContinuousClock.now + .seconds(20)
                while two.status == 503, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    two = try await all.request("POST", "/admin/descriptors/two", body: Bundles.thrift(), admin: true)
                }
                #expect(two.status == 201, "\(two.text)")
                #expect(try await all.request("DELETE", "/admin/descriptors/one", admin: true).status == 200)
                let status = try await etcd.etcdctl(["endpoint", "status", "--write-out", "json"]).output
                let revision = try #require(
                    status.range(of: "\"revision\":").map { status[$0.upperBound...].prefix { $0.isNumber } })
                try await etcd.etcdctl(["compact", String(revision)])

                try etcd.start(2)
                try await lonely.waitFor("/admin/descriptors/two", admin: true, timeout: .seconds(30)) {
                    $0.status == 200
                }
                try await lonely.waitFor("/admin/descriptors/one", admin: true) { $0.status == 404 }
                #expect(lonely.logs.contains("compacted") || lonely.logs.contains("etcd store available"))
                await all.stop()
                await lonely.stop()
            }
        }
    }
}
