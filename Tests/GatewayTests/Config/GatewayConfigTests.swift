@testable import Gateway
import GenericCall
import Testing

@Suite("Config")
struct GatewayConfigTests {
    static let full = """
        listen: 127.0.0.1:8080
        admin: { token: "t0ken" }
        store: ./portico-data
        limits: { max_body: 4MiB, max_header: 16KiB, max_concurrent: 64 }
        services:
          - name: records
            schema: idl/records.thrift
            include: [idl]
            service: RecordService
            framing: framed
            protocol: binary
            transport: tcp
            endpoints: [127.0.0.1:9090]
            balance: round-robin
            timeouts: { connect: 50ms, rpc: 1s }
            retry: { max_attempts: 3, backoff: exponential, retry_on_timeout: false, budget_percent: 10 }
            methods: { put: { retry: { max_attempts: 1 } } }
          - name: books
            schema: registry:books
            service: bookstore.v1.Bookstore
            framing: grpc
            endpoints: [10.0.0.1:50051, 10.0.0.2:50051]
            balance: consistent-hash
            key: X-User
            forward_headers: [Authorization, X-Tenant]
        """

    @Test func parsesEveryKeyOfTheIssue() throws {
        let config = try GatewayConfig(yaml: Self.full)
        #expect(config.listen == GatewayConfig.ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.adminToken == "t0ken")
        #expect(config.store == "./portico-data")
        #expect(config.limits.maxBody == 4 << 20)
        #expect(config.limits.maxHeader == 16 << 10)
        #expect(config.limits.maxConcurrent == 64)
        let records = config.services[0]
        #expect(records.name == "records")
        #expect(records.schema == .file("idl/records.thrift"))
        #expect(records.include == ["idl"])
        #expect(records.service == "RecordService")
        #expect(records.framing == .framed)
        #expect(records.thriftProtocol == .binary)
        #expect(records.transport == .tcp)
        #expect(records.endpoints == ["127.0.0.1:9090"])
        #expect(records.balance == .roundRobin)
        #expect(records.timeouts.connect == .milliseconds(50))
        #expect(records.timeouts.rpc == .seconds(1))
        #expect(records.retry.maxAttempts == 3)
        #expect(records.retry.backoff == .exponential)
        #expect(records.retry.retryOnTimeout == false)
        #expect(records.retry.budgetPercent == 10)
        #expect(records.settings(for: "put").retry.maxAttempts == 1)
        #expect(records.settings(for: "put").retry.backoff == .exponential)
        #expect(records.settings(for: "get").retry.maxAttempts == 3)
        let books = config.services[1]
        #expect(books.schema == .registry("books"))
        #expect(books.framing == .grpc)
        #expect(books.balance == .consistentHash(header: "X-User"))
        #expect(books.forwardHeaders == ["Authorization", "X-Tenant"])
    }

    @Test func defaults() throws {
        let config = try GatewayConfig(yaml: "")
        #expect(config.listen.description == "127.0.0.1:8080")
        #expect(config.adminToken == nil)
        #expect(config.store == "./portico-data")
        #expect(config.limits.maxBody == 4 << 20)
        #expect(config.services.isEmpty)
    }

    @Test(arguments: [
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1], timeouts: {rpc: fast}}",
            "services[0].timeouts.rpc: \"fast\" is not a duration"
        ),
        ("limits: { max_body: lots }", "limits.max_body: \"lots\" is not a size"),
        ("listen: nowhere", "listen: \"nowhere\" is not host:port"),
        ("lisen: 1.2.3.4:5", "lisen: unknown key"),
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1], framing: smoke}",
            "services[0].framing: \"smoke\" is not one of"
        ),
        ("services:\n  - {name: a, schema: x.proto, service: S}", "services[0].endpoints: at least one endpoint"),
        ("services:\n  - {name: a, schema: x.proto, endpoints: [h:1]}", "services[0].service: is required"),
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1], retry: {max_attempts: many}}",
            "services[0].retry.max_attempts: \"many\" is not an integer"
        ),
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1], balance: consistent-hash}",
            "services[0].key: consistent-hash needs the header"
        ),
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1], methods: {put: {timeout: 5}}}",
            "services[0].methods.put.timeout: \"5\" is not a duration"
        ),
        (
            "services:\n  - {name: a, schema: x.proto, service: S, endpoints: [h:1]}\n  - {name: a, schema: y.proto, service: T, endpoints: [h:1]}",
            "services[1].name: \"a\" is used by another service"
        ),
        ("services: {a: 1}", "services: expected a list"),
        ("admin: [1]", "admin: expected a map"),
        ("websocket_proxies: {a: 1}", "websocket_proxies: expected a list"),
        ("websocket_proxies:\n  - {path: /chat, target: \"http://h:1/\"}", "websocket_proxies[0].target: \"http://h:1/\" is not a ws:// URL"),
        ("websocket_proxies:\n  - {path: /chat, target: \"ws://h/\"}", "websocket_proxies[0].target: \"ws://h/\" has no host:port"),
        ("websocket_proxies:\n  - {path: chat, target: \"ws://h:1\"}", "websocket_proxies[0].path: \"chat\" does not start with /"),
        ("websocket_proxies:\n  - {path: /chat}", "websocket_proxies[0].target: is required"),
        ("websocket_proxies:\n  - {path: /c, target: \"ws://h:1\", timeout: 1s}", "websocket_proxies[0].timeout: unknown key"),
        ("listen: [", "the YAML does not parse"),
    ])
    func invalidConfigNamesTheKey(yaml: String, expected: String) {
        #expect {
            _ = try GatewayConfig(yaml: yaml)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func webSocketProxyRoutesMapPathsToTargets() throws {
        let config = try GatewayConfig(
            yaml: "websocket_proxies:\n  - {path: /chat/*, target: \"ws://10.0.0.7:9000/room\", connect_timeout: 2s}\n"
                + "  - {path: /feed, target: \"ws://[::1]:81\"}\n")
        let chat = try #require(config.webSocketProxies.first)
        #expect(chat.host == "10.0.0.7" && chat.port == 9000 && chat.connectTimeout == .seconds(2))
        #expect(chat.backendTarget(for: "/chat/lobby?user=ann") == "/room/lobby?user=ann")
        #expect(chat.backendTarget(for: "/chat") == "/room")
        #expect(chat.backendTarget(for: "/chatter") == nil)
        let feed = config.webSocketProxies[1]
        #expect(feed.host == "::1" && feed.port == 81)
        #expect(feed.backendTarget(for: "/feed?x=1") == "/?x=1")
        #expect(feed.backendTarget(for: "/feed/more") == nil)
    }

    @Test func environmentTokenAndFlagOverrides() throws {
        let config = try GatewayConfig(yaml: "admin: {token: file}", environment: ["PORTICO_ADMIN_TOKEN": "env"])
        #expect(config.adminToken == "env")
        let overridden = try config.applying(
            GatewayConfigOverrides(listen: ":0", store: "/tmp/s", adminToken: "flag", maxBody: "1KiB"))
        #expect(overridden.listen == GatewayConfig.ListenAddress(host: "0.0.0.0", port: 0))
        #expect(overridden.store == "/tmp/s")
        #expect(overridden.adminToken == "flag")
        #expect(overridden.limits.maxBody == 1024)
        #expect(throws: ConfigError.self) { try config.applying(GatewayConfigOverrides(listen: "x")) }
        #expect(try config.applying(GatewayConfigOverrides(adminToken: "")).adminToken == nil)
    }

    @Test func units() {
        #expect(ConfigUnits.duration("50ms") == .milliseconds(50))
        #expect(ConfigUnits.duration("1.5s") == .milliseconds(1500))
        #expect(ConfigUnits.duration("2m") == .seconds(120))
        #expect(ConfigUnits.duration("250us") == .microseconds(250))
        #expect(ConfigUnits.duration("5") == nil)
        #expect(ConfigUnits.duration("ms") == nil)
        #expect(ConfigUnits.duration("-1s") == nil)
        #expect(ConfigUnits.size("4MiB") == 4 << 20)
        #expect(ConfigUnits.size("512KiB") == 512 << 10)
        #expect(ConfigUnits.size("1MB") == 1_000_000)
        #expect(ConfigUnits.size("1000") == 1000)
        #expect(ConfigUnits.size("4 parsecs") == nil)
        #expect(ConfigUnits.format(.milliseconds(1500)) == "1500ms")
        #expect(ConfigUnits.format(.seconds(2)) == "2s")
    }

    @Test func retrySettingsBecomeARetryPolicy() throws {
        let config = try GatewayConfig(yaml: Self.full)
        let policy = config.services[0].settings(for: "put").retry.policy(method: "put")
        #expect(policy.maxAttempts == 1)
        #expect(policy.retryOnTimeout == false)
        #expect(policy.retryableMethods.isEmpty)
    }
}
