import Foundation
import Gateway
import GenericCall
import Logging
import Synchronization

/// Paths of the repository's example descriptors.
enum Fixtures {
    static let descriptors: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<4 { url.deleteLastPathComponent() }
        let candidate = url.appendingPathComponent("Descriptors").path
        if FileManager.default.fileExists(atPath: candidate + "/bookstore.proto") { return candidate }
        return "/work/main/Descriptors"
    }()

    /// Stores that ``config(services:token:extra:store:)`` made; ``GatewayFixture/with(_:invoker:backend:_:)`` removes
    /// them when its server has stopped (a store passed in by a test belongs to that test).
    static let ownedStores = Mutex<Set<String>>([])

    static func removeIfOwned(_ store: String) {
        guard ownedStores.withLock({ $0.remove(store) }) != nil else { return }
        try? FileManager.default.removeItem(atPath: store)
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "portico-gateway-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let protoService = """
          - name: books
            schema: \(descriptors)/bookstore.proto
            include: [\(descriptors)]
            service: bookstore.v1.Bookstore
            endpoints: [127.0.0.1:9]
            timeouts: { connect: 50ms, rpc: 2s }
            methods: { GetBook: { timeout: 300ms } }
            forward_headers: [X-Tenant]
        """

    static let thriftService = """
          - name: books-thrift
            schema: \(descriptors)/bookstore.thrift
            service: Bookstore
            framing: framed
            protocol: binary
            endpoints: [127.0.0.1:9]
            balance: consistent-hash
            key: X-User
        """

    /// A config with the given services YAML, a fresh store, port 0.
    static func config(services: String, token: String? = "secret", extra: String = "", store: String? = nil)
        throws -> GatewayConfig
    {
        let directory = store ?? temporaryDirectory()
        if store == nil { ownedStores.withLock { _ = $0.insert(directory) } }
        var yaml = "listen: 127.0.0.1:0\nstore: \(directory)\n"
        if let token { yaml += "admin: { token: \(token) }\n" }
        yaml += extra
        yaml += "services:\n" + services + "\n"
        return try GatewayConfig(yaml: yaml)
    }
}

/// A running gateway on 127.0.0.1 with a fake backend; always stopped when the body returns.
struct GatewayFixture: Sendable {
    let server: GatewayServer
    let invoker: FakeInvoker
    let port: Int
    let logs: LogCapture

    static func with<T: Sendable>(
        _ config: GatewayConfig, invoker: FakeInvoker = FakeInvoker(), backend: (any BackendInvoker)? = nil,
        _ body: @Sendable (GatewayFixture) async throws -> T
    ) async throws -> T {
        let logs = LogCapture()
        let logger = Logger(label: "portico.test") { _ in logs.handler() }
        let server = try GatewayServer(config: config, invoker: backend ?? invoker, logger: logger)
        let task = Task { try await server.run() }
        do {
            let port = try await server.listeningPort()
            let result = try await body(GatewayFixture(server: server, invoker: invoker, port: port, logs: logs))
            task.cancel()
            _ = await task.result
            Fixtures.removeIfOwned(config.store)
            return result
        } catch {
            task.cancel()
            _ = await task.result
            Fixtures.removeIfOwned(config.store)
            throw error
        }
    }

    /// A gateway calling real backends through GenericCall; its invoker and `mocks` are stopped however the body
    /// ends.
    static func withBackends<T: Sendable>(
        _ config: GatewayConfig, stopping mocks: [MockServer], _ body: @Sendable (GatewayFixture) async throws -> T
    ) async throws -> T {
        let invoker = GenericCallInvoker()
        let result: Result<T, any Error>
        do {
            result = .success(try await with(config, backend: invoker, body))
        } catch {
            result = .failure(error)
        }
        await invoker.shutdown()
        for mock in mocks { await mock.stop() }
        return try result.get()
    }

    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String = "",
        timeout: Duration = .seconds(10)
    ) async throws -> TestResponse {
        try await TestHTTPClient.request(
            port: port, method, target, headers: headers, body: Array(body.utf8), timeout: timeout)
    }

    /// An admin request with the fixture's token.
    func admin(_ method: String, _ target: String, body: String = "", contentType: String = "application/json")
        async throws -> TestResponse
    {
        try await request(
            method, target, headers: [("Authorization", "Bearer secret"), ("Content-Type", contentType)], body: body)
    }
}

/// Collects log messages for assertions.
final class LogCapture: Sendable {
    let messages = Mutex<[String]>([])

    func handler() -> some LogHandler { CapturingLogHandler(capture: self) }

    func contains(_ text: String) -> Bool { messages.withLock { $0.contains { $0.contains(text) } } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        let line =
            "\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))"
        capture.messages.withLock { $0.append(line) }
    }
}
