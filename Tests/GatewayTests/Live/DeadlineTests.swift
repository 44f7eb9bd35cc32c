import Dispatch
import GenericCall
import Synchronization
import Testing

@testable import Gateway

@Suite("Live: deadlines and cancellation")
struct DeadlineTests {
    /// Replies after `delay`, or throws CANCELLED_BY_CALLER when cancelled first.
    static func slow(_ invoker: FakeInvoker, _ method: String, delay: Duration, cancelled: Cancelled? = nil) {
        invoker.on(method) { call throws(CallError) in
            do {
                try await Task.sleep(for: delay)
            } catch {
                cancelled?.mark()
                throw CallError(.cancelledByCaller, "cancelled")
            }
            return try FakeInvoker.encodeReply(call, json: "{}")
        }
    }

    final class Cancelled: Sendable {
        let flag = Synchronization.Atomic<Bool>(false)
        func mark() { flag.store(true, ordering: .relaxed) }
        var value: Bool { flag.load(ordering: .relaxed) }
    }

    @Test func callerDeadlineFromGRPCTimeoutAndPorticoHeader() async throws {
        let invoker = FakeInvoker()
        Self.slow(invoker, "GetShelf", delay: .seconds(5))
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            let clock = ContinuousClock()
            var response = try await gateway.request("GET", "/v1/shelves/1", headers: [("grpc-timeout", "100m")])
            #expect(response.status == 504)
            #expect(response.errorCode == "TIMEOUT_BY_CALLER")
            let elapsed = try await clock.measure {
                response = try await gateway.request("GET", "/v1/shelves/1", headers: [("X-Portico-Timeout", "150ms")])
            }
            #expect(response.errorCode == "TIMEOUT_BY_CALLER")
            #expect(elapsed < .seconds(2))
            // The call saw the caller's deadline.
            let call = try #require(invoker.calls.withLock { $0.last })
            #expect(call.deadline != nil)
            #expect(call.callerDeadlineIsEarlier)
        }
    }

    @Test func anInvokerThatIgnoresCancellationCannotHoldTheResponse() async throws {
        let invoker = FakeInvoker()
        invoker.on("GetShelf") { call throws(CallError) in
            // Not cancellable: resumes after 2 s whatever happens.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 2) { continuation.resume() }
            }
            return try FakeInvoker.encodeReply(call, json: "{}")
        }
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            let clock = ContinuousClock()
            var response: TestResponse?
            let elapsed = try await clock.measure {
                response = try await gateway.request("GET", "/v1/shelves/1", headers: [("X-Portico-Timeout", "100ms")])
            }
            #expect(response?.errorCode == "TIMEOUT_BY_CALLER")
            #expect(elapsed < .milliseconds(1500))
        }
    }

    @Test func routeTimeoutWinsWhenEarlier() async throws {
        let invoker = FakeInvoker()
        Self.slow(invoker, "GetBook", delay: .seconds(5))
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            // GetBook has `timeout: 300ms` in the fixture; the caller allows 10s.
            let response = try await gateway.request(
                "GET", "/v1/shelves/1/books/2", headers: [("X-Portico-Timeout", "10s")])
            #expect(response.status == 504)
            #expect(response.errorCode == "RPC_TIMEOUT")
            let call = try #require(invoker.calls.withLock { $0.last })
            #expect(call.rpcTimeout == .milliseconds(300))
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains("portico_timeouts_total{kind=\"rpc\"} 1"))
        }
    }

    @Test func clientDisconnectCancelsTheCall() async throws {
        let invoker = FakeInvoker()
        let cancelled = Cancelled()
        Self.slow(invoker, "GetShelf", delay: .seconds(10), cancelled: cancelled)
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            try await TestHTTPClient.abandon(
                port: gateway.port, TestHTTPClient.encode("GET", "/v1/shelves/1"), after: .milliseconds(200))
            for _ in 0..<100 where !cancelled.value { try await Task.sleep(for: .milliseconds(20)) }
            #expect(cancelled.value)
            for _ in 0..<50 where !gateway.logs.contains("CANCELLED_BY_CALLER") {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(gateway.logs.contains("CANCELLED_BY_CALLER"))
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains("portico_cancelled_by_caller_total{route=\"GET /v1/shelves/{shelf}\"} 1"))
        }
    }
}
