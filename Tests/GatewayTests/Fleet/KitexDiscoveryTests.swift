import DynamicCodec
import Foundation
import GenericCall
import Logging
import PorticoTestSupport
import Testing

@testable import Gateway

/// A framed Thrift mock of the bookstore whose GetShelf answers `theme`.
func shelfMock(theme: String) async throws -> (MockServer, Endpoint) {
    let schema = try ServiceSchema.load(path: Fixtures.descriptors + "/bookstore.thrift", service: "Bookstore")
    let mock = MockServer(
        responder: try MockResponder(
            schema: schema,
            responses: try MockResponses(
                json: Array("{\"GetShelf\": {\"reply\": {\"id\": \"5\", \"theme\": \"\(theme)\"}}}".utf8))),
        framing: .framed)
    return (mock, try await mock.start(port: 0))
}

/// The bookstore service with endpoints discovered under `kitex/registry-etcd/bookstore/`.
let discoveredBookstore = """
      - name: books
        schema: \(Fixtures.descriptors)/bookstore.thrift
        service: Bookstore
        framing: framed
        endpoints: { discover: kitex, service: bookstore }
        timeouts: { connect: 200ms, rpc: 2s }
    """

extension FleetTests {
    @Suite("Fleet: Kitex registry-etcd discovery", .serialized)
    struct KitexDiscoveryTests {
        @Test func discoveryNeedsEtcd() throws {
            let config = try Fixtures.config(services: discoveredBookstore)
            #expect(throws: GatewayError.self) { try GatewayServer(config: config, invoker: FakeInvoker()) }
        }

        @Test func hostileRegistryEntriesAreIgnored() {
            #expect(EtcdConfigStore.instance(Data("{bad".utf8), keyAddress: "1.2.3.4:5") == nil)
            #expect(
                EtcdConfigStore.instance(Data(#"{"network":"unix","address":"/tmp/x"}"#.utf8), keyAddress: "x") == nil)
            #expect(EtcdConfigStore.instance(Data(#"{"address":"nohost"}"#.utf8), keyAddress: "x") == nil)
            #expect(EtcdConfigStore.instance(Data(#"{"address":"1.2.3.4:0"}"#.utf8), keyAddress: "x") == nil)
            let plain = EtcdConfigStore.instance(Data(#"{"network":"tcp","weight":-3}"#.utf8), keyAddress: "1.2.3.4:5")
            #expect(plain == KitexInstance(address: "1.2.3.4:5", weight: 10))
            let heavy = EtcdConfigStore.instance(Data(#"{"address":"1.2.3.4:5","weight":99999}"#.utf8), keyAddress: "")
            #expect(heavy?.weight == 1000)
        }

        @Test func registeredInstancesAreDiscoveredWeightedAndLeaveWithTheirLease() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let (heavy, heavyEndpoint) = try await shelfMock(theme: "heavy")
                let (light, lightEndpoint) = try await shelfMock(theme: "light")
                let invoker = GenericCallInvoker()
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL(), services: discoveredBookstore),
                    invoker: invoker)
                try await gateway.waitUntilReady()

                // Nothing registered yet: fast UNAVAILABLE.
                let none = try await gateway.request("GET", "/v1/shelves/5")
                #expect(none.status == 503, "\(none.text)")
                #expect(none.errorCode == "UNAVAILABLE")

                let registration = try KitexRegistration(
                    store: etcd.storeURL(), service: "bookstore", address: "\(heavyEndpoint)", weight: 30, ttl: 5,
                    logger: Logger(label: "test"))
                try await registration.start()
                // The light instance is registered by etcdctl under a 2 s lease that nobody keeps alive.
                let grant = try await etcd.etcdctl(["lease", "grant", "2"]).output
                let lease = try #require(grant.split(separator: " ").dropFirst().first.map(String.init))
                try await etcd.etcdctl([
                    "put", "--lease=\(lease)", "kitex/registry-etcd/bookstore/\(lightEndpoint)",
                    "{\"network\":\"tcp\",\"address\":\"\(lightEndpoint)\",\"weight\":10,\"tags\":{}}",
                ])
                try await etcd.etcdctl(["put", "kitex/registry-etcd/bookstore/junk", "{not json"])
                try await gateway.waitFor("/admin/services/books", admin: true) { $0.text.contains("\(lightEndpoint)") }

                var themes: [String: Int] = [:]
                for _ in 0..<40 {
                    let response = try await gateway.request("GET", "/v1/shelves/5")
                    let theme =
                        response.text.contains("heavy") ? "heavy" : response.text.contains("light") ? "light" : "?"
                    themes[theme, default: 0] += 1
                }
                // 3:1 by weight, whatever the lease timing left for the light one.
                #expect((themes["heavy"] ?? 0) >= 26, "\(themes)")

                // The light instance's lease expires: it leaves the pool without any request failing.
                let start = ContinuousClock.now
                try await gateway.waitFor("/admin/services/books", admin: true, timeout: .seconds(10)) {
                    !$0.text.contains("\(lightEndpoint)")
                }
                let left = ContinuousClock.now - start
                for _ in 0..<10 {
                    let response = try await gateway.request("GET", "/v1/shelves/5")
                    #expect(response.status == 200)
                    #expect(response.text.contains("heavy"))
                }
                print("discovery: an instance whose 2 s lease expired left the pool \(left) after the first requests")

                await registration.stop()
                try await gateway.waitFor("/v1/shelves/5") { $0.status == 503 }
                await gateway.stop()
                await invoker.shutdown()
                await heavy.stop()
                await light.stop()
            }
        }
    }
}
