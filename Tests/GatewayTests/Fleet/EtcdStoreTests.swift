import Foundation
import GenericCall
import PorticoTestSupport
import Testing

@testable import Gateway

@Suite("Fleet: the etcd store's URL and API definitions")
struct EtcdStoreUnitTests {
    @Test func storeURLs() throws {
        let url = try EtcdStoreURL(parsing: "etcd://10.0.0.1:2379,localhost:2380/team/gw")
        #expect(url.endpoints == [.tcp(host: "10.0.0.1", port: 2379), .tcp(host: "127.0.0.1", port: 2380)])
        #expect(url.prefix == "/team/gw")
        #expect(try EtcdStoreURL(parsing: "etcd://h:1").prefix == "/portico")
        #expect(try EtcdStoreURL(parsing: "etcd://h:1/p/?user=root&password_env=PW").user == "root")
        for bad in [
            "etcd://", "etcd://h", "etcd://h:1,,h:2", "etcd://h:99999", "etcds://h", "etcd://h:1/a//b",
            "etcd://h:1?user=root", "etcd://h:1?colour=red", "etcd://h:1/p q",
        ] {
            #expect(throws: GatewayError.self, "\(bad)") { try EtcdStoreURL(parsing: bad) }
            do {
                _ = try EtcdStoreURL(parsing: bad)
            } catch {
                #expect(error.code == "STORE_URL_INVALID")
            }
        }
    }

    @Test func aBadStoreURLStopsTheConfig() {
        #expect(throws: ConfigError.self) {
            try GatewayConfig(yaml: "store: etcd://nohost/x\nservices: []\n")
        }
    }

    @Test func embeddedDefinitionsAreTheFilesInDescriptors() throws {
        let rpc = try String(contentsOfFile: Repo.descriptors + "/etcd/rpc.proto", encoding: .utf8)
        let kv = try String(contentsOfFile: Repo.descriptors + "/etcd/mvccpb/kv.proto", encoding: .utf8)
        #expect(EtcdProtos.rpc + "\n" == rpc)
        #expect(EtcdProtos.kv + "\n" == kv)
    }

    @Test func keyLayoutRefusesHostileKeys() {
        let layout = EtcdKeyLayout(prefix: "/p")
        #expect(layout.entry(Data("/p/services/books".utf8)) == .service(name: "books"))
        #expect(layout.entry(Data("/p/descriptors/shop/versions/3".utf8)) == .version(name: "shop", version: 3))
        for hostile in [
            "/p/services/../x", "/p/services/a/b", "/p/descriptors/shop/versions/-1", "/p/descriptors/shop/versions/x",
            "/p/bundles/sha256-zz", "/q/services/books", "/p/descriptors/sh op/active",
        ] {
            #expect(layout.entry(Data(hostile.utf8)) == nil, "\(hostile)")
        }
        #expect(layout.entry(Data([0x2F, 0x70, 0x2F, 0xFF, 0xFE])) == nil)
    }
}

extension FleetTests {
    @Suite("Fleet: gateways sharing one etcd", .serialized)
    struct EtcdStoreTests {
        @Test func changesThroughOneGatewayAreLiveOnTheOther() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let invoker = FakeInvoker()
                invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
                let a = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                let b = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                defer { Task { await a.stop() } }
                defer { Task { await b.stop() } }
                try await a.waitUntilReady()
                try await b.waitUntilReady()

                let upload = try await a.request(
                    "POST", "/admin/descriptors/shop?label=abc123", body: Bundles.thrift(), admin: true)
                #expect(upload.status == 201, "\(upload.text)")
                let put = try await a.request(
                    "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"),
                    admin: true)
                #expect(put.status == 200, "\(put.text)")
                try await b.waitFor("/v1/shelves/5") { $0.status == 200 && $0.text.contains("sea") }
                let listed = try await b.request("GET", "/admin/descriptors/shop", admin: true)
                #expect(listed.text.contains("\"labels\":{\"1\":\"abc123\"}"), "\(listed.text)")

                // A second version through B, rolled back through A; the service removed through B.
                let second = try await b.request(
                    "POST", "/admin/descriptors/shop?if_version=1",
                    body: Bundles.thrift {
                        $0.replacingOccurrences(
                            of: "oneway void RecordView",
                            with: "string Ping() (api.get = \"/v1/ping\")\n    oneway void RecordView")
                    },
                    admin: true)
                #expect(second.status == 201, "\(second.text)")
                invoker.reply("Ping", json: #"{"success": "pong"}"#)
                try await a.waitFor("/v1/ping") { $0.status == 200 }
                let rollback = try await a.request("POST", "/admin/descriptors/shop/rollback", admin: true)
                #expect(rollback.status == 200, "\(rollback.text)")
                try await b.waitFor("/v1/ping") { $0.status == 404 }
                #expect(try await b.request("DELETE", "/admin/services/shop", admin: true).status == 200)
                try await a.waitFor("/v1/shelves/5") { $0.status == 404 }

                // A gateway started later reads everything.
                let c = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                defer { Task { await c.stop() } }
                try await c.waitUntilReady()
                let versions = try await c.request("GET", "/admin/descriptors/shop", admin: true)
                #expect(versions.text.contains("\"active_version\":1"), "\(versions.text)")
                #expect(versions.text.contains("\"versions\":[1,2]"), "\(versions.text)")
                await a.stop()
                await b.stop()
                await c.stop()
            }
        }

        @Test func twoAdminsRacingThroughTwoGatewaysOneWins() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let a = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                let b = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                try await a.waitUntilReady()
                try await b.waitUntilReady()
                for round in 0..<3 {
                    // Both admins read version `round` and upload on top of it at the same time.
                    async let first = a.request(
                        "POST", "/admin/descriptors/race?if_version=\(round)", body: Bundles.thrift(), admin: true)
                    async let second = b.request(
                        "POST", "/admin/descriptors/race?if_version=\(round)", body: Bundles.proto(), admin: true)
                    let statuses = [try await first.status, try await second.status].sorted()
                    #expect(statuses == [201, 409], "round \(round)")
                    try await a.waitFor("/admin/descriptors/race", admin: true) {
                        $0.text.contains("\"active_version\":\(round + 1)")
                    }
                    try await b.waitFor("/admin/descriptors/race", admin: true) {
                        $0.text.contains("\"active_version\":\(round + 1)")
                    }
                }
                let (_, keys) = try await etcd.etcdctl([
                    "get", "--prefix", "--keys-only", "/portico/descriptors/race/versions/",
                ])
                #expect(keys.split(separator: "\n").filter { !$0.isEmpty }.count == 3, "\(keys)")
                // Writes without if_version race too: the store's transaction refuses the stale one.
                async let first = a.request("POST", "/admin/descriptors/free", body: Bundles.thrift(), admin: true)
                async let second = b.request("POST", "/admin/descriptors/free", body: Bundles.proto(), admin: true)
                let statuses = [try await first.status, try await second.status].sorted()
                #expect(statuses == [201, 409] || statuses == [201, 201], "\(statuses)")
                await a.stop()
                await b.stop()
            }
        }

        @Test func etcdDownKeepsServingRefusesWritesAndRecovers() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let invoker = FakeInvoker()
                invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                try await gateway.waitUntilReady()
                #expect(
                    try await gateway.request("POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                        .status
                        == 201)
                #expect(
                    try await gateway.request(
                        "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"),
                        admin: true
                    ).status == 200)

                etcd.kill(0)
                try await gateway.waitFor("/readyz") { $0.text.contains("\"writes\":\"refused\"") }
                let ready = try await gateway.request("GET", "/readyz")
                #expect(ready.status == 200)
                #expect(ready.text.contains("etcd is unreachable"), "\(ready.text)")
                #expect(try await gateway.request("GET", "/v1/shelves/5").status == 200)
                let refused = try await gateway.request(
                    "POST", "/admin/descriptors/other", body: Bundles.thrift(), admin: true)
                #expect(refused.status == 503)
                #expect(refused.errorCode == "STORE_UNAVAILABLE")

                try etcd.start(0)
                try await gateway.waitFor("/readyz", timeout: .seconds(30)) {
                    $0.text.contains("\"writes\":\"accepted\"")
                }
                #expect(
                    try await gateway.request("POST", "/admin/descriptors/other", body: Bundles.thrift(), admin: true)
                        .status == 201)
                #expect(try await gateway.request("GET", "/v1/shelves/5").status == 200)
                await gateway.stop()
            }
        }

        @Test func largeBundlesAreChunkedUnderEtcdsRequestLimit() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let invoker = FakeInvoker()
                invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "big"}}"#)
                let a = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                let b = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: invoker)
                try await a.waitUntilReady()
                try await b.waitUntilReady()
                // About 2.5 MiB of comment: three chunks, each under etcd's 1.5 MiB request limit.
                let padding = "// " + String(repeating: "x", count: 1000) + "\n"
                let big = Bundles.thrift { String(repeating: padding, count: 2600) + $0 }
                let upload = try await a.request("POST", "/admin/descriptors/big", body: big, admin: true)
                #expect(upload.status == 201, "\(upload.text.prefix(300))")
                let put = try await a.request(
                    "PUT", "/admin/services/big", body: Bundles.service(registry: "big", service: "Bookstore"),
                    admin: true)
                #expect(put.status == 200)
                try await b.waitFor("/v1/shelves/5") { $0.status == 200 && $0.text.contains("big") }
                let keys = try await etcd.etcdctl(["get", "--prefix", "--keys-only", "/portico/bundles/"]).output
                let chunks = keys.split(separator: "\n").filter { $0.split(separator: "/").count == 4 }
                #expect(chunks.count == 3, "\(keys)")
                // The same bundle under another name is not stored again.
                #expect(try await b.request("POST", "/admin/descriptors/big2", body: big, admin: true).status == 201)
                let again = try await etcd.etcdctl(["get", "--prefix", "--keys-only", "/portico/bundles/"]).output
                #expect(again.split(separator: "\n").filter { $0.split(separator: "/").count == 4 }.count == 3)
                await a.stop()
                await b.stop()
            }
        }

        @Test func malformedValuesInEtcdAreSkipped() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                try await etcd.etcdctl(["put", "/portico/services/broken", "{not json"])
                try await etcd.etcdctl(["put", "/portico/descriptors/ghost/active", "seven"])
                try await etcd.etcdctl(["put", "/portico/descriptors/ghost/versions/1", "{\"bundle\":\"nope\"}"])
                try await etcd.etcdctl([
                    "put", "/portico/descriptors/lost/versions/1",
                    "{\"bundle\":\"sha256-" + String(repeating: "0", count: 64) + "\"}",
                ])
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: etcd.storeURL()), invoker: FakeInvoker())
                try await gateway.waitUntilReady()
                let ready = try await gateway.request("GET", "/readyz")
                #expect(ready.text.contains("store_problem"), "\(ready.text)")
                #expect(
                    try await gateway.request("GET", "/admin/descriptors", admin: true).text == "{\"descriptors\":[]}")
                #expect(
                    try await gateway.request("POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                        .status
                        == 201)
                await gateway.stop()
            }
        }
    }

    @Suite("Fleet: etcd with authentication", .serialized)
    struct EtcdAuthTests {
        /// Users root (rootpw) and portico (gatewaypw, read-write on /portico/, read on the Kitex registry), then
        /// authentication enabled.
        static func enableAuth(_ etcd: EtcdCluster) async throws {
            for command in [
                ["user", "add", "root:rootpw", "--interactive=false"], ["user", "grant-role", "root", "root"],
                ["user", "add", "portico:gatewaypw", "--interactive=false"], ["role", "add", "gateway"],
                ["role", "grant-permission", "gateway", "--prefix=true", "readwrite", "/portico/"],
                ["role", "grant-permission", "gateway", "--prefix=true", "read", "kitex/registry-etcd/"],
                ["user", "grant-role", "portico", "gateway"], ["auth", "enable"],
            ] {
                // Before auth is enabled etcdctl must not log in.
                let result = try await etcd.etcdctl(command)
                #expect(result.status == 0, "\(command): \(result.output)")
            }
        }

        @Test func gatewaysAuthenticateAndAWrongPasswordIsReported() async throws {
            try await EtcdCluster.with(members: 1) { etcd in
                let root = ["--user", "root:rootpw"]
                try await Self.enableAuth(etcd)
                setenv("PORTICO_TEST_ETCD_PASSWORD", "gatewaypw", 1)
                setenv("PORTICO_TEST_ETCD_WRONG", "nope", 1)
                let url = etcd.storeURL() + "?user=portico&password_env=PORTICO_TEST_ETCD_PASSWORD"
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: url), invoker: FakeInvoker())
                try await gateway.waitUntilReady()
                let upload = try await gateway.request(
                    "POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                #expect(upload.status == 201, "\(upload.text)")
                let stored = try await etcd.etcdctl(root + ["get", "--keys-only", "/portico/descriptors/shop/active"])
                    .output
                #expect(stored.contains("/portico/descriptors/shop/active"), "\(stored)")

                let wrong = try await FleetGateway(
                    config: try FleetGateway.config(
                        store: etcd.storeURL() + "?user=portico&password_env=PORTICO_TEST_ETCD_WRONG"),
                    invoker: FakeInvoker())
                try await wrong.waitFor("/readyz") { $0.text.contains("STORE_UNAUTHENTICATED") }
                #expect(try await wrong.request("GET", "/readyz").status == 503)
                await gateway.stop()
                await wrong.stop()
            }
        }

        /// A Watch stream uses its auth token only when it is opened and its watches created, so the token may
        /// be gone by the time the stream moves to another member (etcd forgets a token left unused for
        /// `--auth-token-ttl`, 5 minutes by default, and every token when authentication is disabled). etcd 3.4
        /// refuses the new watches (watch id -1, "invalid auth token"): the gateway authenticates again instead of
        /// retrying with the dead token.
        @Test func aWatchRefusedForAForgottenTokenAuthenticatesAgain() async throws {
            try await EtcdCluster.with(members: 3) { etcd in
                try await Self.enableAuth(etcd)
                setenv("PORTICO_TEST_ETCD_PASSWORD", "gatewaypw", 1)
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(
                        store: etcd.storeURL() + "?user=portico&password_env=PORTICO_TEST_ETCD_PASSWORD"),
                    invoker: FakeInvoker())
                try await gateway.waitUntilReady()
                // Every token is forgotten.
                try await etcd.etcdctlSucceeding(["--user", "root:rootpw", "auth", "disable"])
                try await etcd.etcdctlSucceeding(["auth", "enable"])
                let store = try #require(await gateway.server.handler.control.store as? EtcdConfigStore)
                let member = try #require(store.client.watchMember)
                let others = [0, 1, 2].filter { $0 != member }
                etcd.kill(member)
                let service = """
                    {"schema": "\(Fixtures.descriptors)/bookstore.thrift", "service": "Bookstore", \
                    "framing": "framed", "endpoints": ["127.0.0.1:9"]}
                    """
                try await etcd.etcdctlSucceeding(
                    ["--user", "root:rootpw", "put", "/portico/services/later", service], members: others)
                try await gateway.waitFor("/admin/services/later", admin: true) { $0.status == 200 }
                #expect(gateway.logs.contains("invalid auth token"))
                try await gateway.waitFor("/readyz") { $0.text.contains("\"writes\":\"accepted\"") }
                let upload = try await gateway.request(
                    "POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                #expect(upload.status == 201, "\(upload.text)")
                try etcd.start(member)
                await gateway.stop()
            }
        }
    }
}
