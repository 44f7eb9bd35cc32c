import Foundation
import Gateway
import Logging
import PorticoTestSupport
import Synchronization

/// A gateway of a fleet test, started in-process and stopped (or "killed") on demand.
final class FleetGateway: Sendable {
    let server: GatewayServer
    let port: Int
    let logs: LogCapture
    private let task: Mutex<Task<Void, any Error>?>

    init(config: GatewayConfig, invoker: any BackendInvoker) async throws {
        let logs = LogCapture()
        let logger = Logger(label: "portico.fleet-test") { _ in logs.handler() }
        let server = try GatewayServer(config: config, invoker: invoker, logger: logger)
        let task = Task { try await server.run() }
        self.server = server
        self.logs = logs
        self.task = Mutex(task)
        port = try await server.listeningPort()
    }

    /// A config sharing `store`, with the admin token `secret`, listening on a free port.
    static func config(store: String, services: String = "  []") throws -> GatewayConfig {
        try GatewayConfig(
            yaml: "listen: 127.0.0.1:0\nstore: \(store)\nadmin: { token: secret }\nservices:\n\(services)\n")
    }

    func stop() async {
        guard let task = task.withLock({ $0.take() }) else { return }
        task.cancel()
        _ = await task.result
    }

    func request(_ method: String, _ target: String, body: String = "", admin: Bool = false) async throws
        -> TestResponse
    {
        var headers = [("Content-Type", "application/json")]
        if admin { headers.append(("Authorization", "Bearer secret")) }
        return try await TestHTTPClient.request(
            port: port, method, target, headers: headers, body: Array(body.utf8), timeout: .seconds(10))
    }

    /// Polls `/readyz` until it answers 200, up to `timeout`.
    func waitUntilReady(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            if let response = try? await request("GET", "/readyz") {
                if response.status == 200 { return }
                last = response.text
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw EtcdFailure(description: "gateway :\(port) not ready: \(last)")
    }

    /// Polls until `condition` holds for a response to `target`; returns the time it took.
    @discardableResult
    func waitFor(
        _ target: String, method: String = "GET", admin: Bool = false, timeout: Duration = .seconds(20),
        _ condition: @Sendable (TestResponse) -> Bool
    ) async throws -> Duration {
        let start = ContinuousClock.now
        var last = ""
        while ContinuousClock.now - start < timeout {
            if let response = try? await request(method, target, admin: admin) {
                if condition(response) { return ContinuousClock.now - start }
                last = "\(response.status) \(response.text)"
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw EtcdFailure(description: "gateway :\(port): \(target) never matched; last: \(last)")
    }
}
