import DynamicCodec
import Foundation
import GenericCall
import PorticoTestSupport
import Testing

/// Each failure a backend can cause yields its exact code; retries happen only where the rules allow.
@Suite(.serialized)
struct FaultTests {
    static let schema = MockCallTests.thrift
    static let request = Array(#"{"shelf": 1}"#.utf8)

    static func caller(_ configuration: BackendConfiguration) throws -> JSONCaller {
        JSONCaller(schema: schema, client: try RPCClient(configuration))
    }

    /// A port nothing listens on.
    static func closedPort() throws -> Int {
        let server = try PeerServer(["python3", Repo.peers + "/faulty_server.py", "reset"])
        let port = server.port
        server.stop()
        return port
    }

    static func code(_ body: () async throws -> Void) async -> CallError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? CallError
        }
    }

    @Test("a refused connection is UNAVAILABLE, and is retried on another endpoint")
    func refused() async throws {
        let closed = try Self.closedPort()
        let alone = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: closed)], retry: RetryPolicy(maxAttempts: 1)))
        let error = await Self.code { _ = try await alone.call(method: "Reindex", json: Self.request) }
        #expect(error?.code == .unavailable)

        let (server, good) = try await MockCallTests.start(Self.schema, MockCallTests.thriftReplies, framing: .framed)
        let pair = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: closed), good],
            retry: RetryPolicy(maxAttempts: 2, backoff: .none)))
        // Round robin starts on the closed endpoint for one of two calls; both succeed.
        for _ in 0..<2 {
            let reply = try await pair.call(method: "Reindex", json: Self.request)
            #expect(String(decoding: reply.json, as: UTF8.self) == "42")
        }
        await pair.client.shutdown()
        await alone.client.shutdown()
        await server.stop()
    }

    @Test("a server that never answers gives RPC_TIMEOUT, not retried by default; an earlier caller deadline gives TIMEOUT_BY_CALLER")
    func silent() async throws {
        let server = try PeerServer(["python3", Repo.peers + "/faulty_server.py", "silent"])
        defer { server.stop() }
        let caller = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .milliseconds(150),
            retry: RetryPolicy(maxAttempts: 3, backoff: .none, retryableMethods: ["Reindex"])))
        let timeout = await Self.code { _ = try await caller.call(method: "Reindex", json: Self.request) }
        #expect(timeout?.code == .rpcTimeout)
        #expect(timeout?.details["attempts"] == "1", "timeouts are not retried without retry_on_timeout")

        let byCaller = await Self.code {
            _ = try await caller.call(
                method: "Reindex", json: Self.request,
                options: CallOptions(deadline: .now + .milliseconds(50)))
        }
        #expect(byCaller?.code == .timeoutByCaller)

        let retrying = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .milliseconds(100),
            retry: RetryPolicy(maxAttempts: 3, backoff: .none, retryOnTimeout: true, retryableMethods: ["Reindex"])))
        let exhausted = await Self.code { _ = try await retrying.call(method: "Reindex", json: Self.request) }
        #expect(exhausted?.code.name == "RETRY_EXHAUSTED")
        #expect(exhausted?.details["attempts"] == "3")
        #expect(exhausted?.details["last_code"] == "RPC_TIMEOUT")
        #expect(exhausted?.httpStatus == 504)
        await caller.client.shutdown()
        await retrying.client.shutdown()
    }

    @Test("a reply cut short is BACKEND_CLOSED; garbage is BAD_BACKEND_REPLY; neither is retried for a non-idempotent method")
    func brokenReplies() async throws {
        for (mode, expected) in [("close-mid", "BACKEND_CLOSED"), ("garbage", "BAD_BACKEND_REPLY"), ("reset", "BACKEND_CLOSED")] {
            let server = try PeerServer(["python3", Repo.peers + "/faulty_server.py", mode])
            let caller = try Self.caller(BackendConfiguration(
                framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .seconds(2),
                retry: RetryPolicy(maxAttempts: 3, backoff: .none)))
            let error = await Self.code { _ = try await caller.call(method: "Reindex", json: Self.request) }
            #expect(error?.code.name == expected, "\(mode): \(String(describing: error))")
            #expect(error?.details["attempts"] == "1", "\(mode)")
            await caller.client.shutdown()
            server.stop()
        }
    }

    @Test("caller cancellation is CANCELLED_BY_CALLER and never retried")
    func cancellation() async throws {
        let server = try PeerServer(["python3", Repo.peers + "/faulty_server.py", "silent"])
        defer { server.stop() }
        let caller = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .seconds(5),
            retry: RetryPolicy(maxAttempts: 3, backoff: .none, retryOnTimeout: true, retryableMethods: ["Reindex"])))
        let task = Task { await Self.code { _ = try await caller.call(method: "Reindex", json: Self.request) } }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let error = await task.value
        #expect(error?.code == .cancelledByCaller)
        await caller.client.shutdown()
    }

    @Test("injected failures: retried only for retryable methods, within the attempt limit")
    func retryRules() async throws {
        let (server, endpoint) = try await MockCallTests.start(
            Self.schema, MockCallTests.thriftReplies, framing: .framed,
            behavior: MockBehavior(failureRate: 1, failureMode: .close))
        let plain = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [endpoint], retry: RetryPolicy(maxAttempts: 3, backoff: .none)))
        let once = await Self.code { _ = try await plain.call(method: "Reindex", json: Self.request) }
        #expect(once?.code == .backendClosed)
        #expect(server.callCount == 1)

        let idempotent = try Self.caller(BackendConfiguration(
            framing: .framed, endpoints: [endpoint],
            retry: RetryPolicy(maxAttempts: 3, backoff: .fixed(.milliseconds(5)), retryableMethods: ["Reindex"])))
        let exhausted = await Self.code { _ = try await idempotent.call(method: "Reindex", json: Self.request) }
        #expect(exhausted?.details["attempts"] == "3")
        #expect(exhausted?.details["last_code"] == "BACKEND_CLOSED")
        #expect(server.callCount == 4)
        await plain.client.shutdown()
        await idempotent.client.shutdown()
        await server.stop()
    }

    @Test("a late reply after a timeout is never delivered to another call")
    func lateReply() async throws {
        let (server, endpoint) = try await MockCallTests.start(
            Self.schema, MockCallTests.thriftReplies, framing: .ttheader, behavior: MockBehavior(delay: .milliseconds(300)))
        let caller = try Self.caller(BackendConfiguration(
            framing: .ttheader, endpoints: [endpoint], maxConnectionsPerEndpoint: 1))
        let timedOut = await Self.code {
            _ = try await caller.call(method: "GetBook", json: Array(#"{"shelf":1,"id":1}"#.utf8),
                                      options: CallOptions(rpcTimeout: .milliseconds(50)))
        }
        #expect(timedOut?.code == .rpcTimeout)
        // Same (multiplexed) connection: GetBook's reply arrives while Reindex waits, and is dropped.
        let reply = try await caller.call(method: "Reindex", json: Self.request, options: CallOptions(rpcTimeout: .seconds(2)))
        #expect(String(decoding: reply.json, as: UTF8.self) == "42")
        await caller.client.shutdown()
        await server.stop()
    }

    @Test("a backup request to another endpoint wins when the first is slow")
    func backupRequest() async throws {
        let (slow, slowEndpoint) = try await MockCallTests.start(
            Self.schema, MockCallTests.thriftReplies, framing: .framed, behavior: MockBehavior(delay: .seconds(2)))
        let (fast, fastEndpoint) = try await MockCallTests.start(Self.schema, MockCallTests.thriftReplies, framing: .framed)
        let client = try RPCClient(BackendConfiguration(
            framing: .framed, endpoints: [slowEndpoint, fastEndpoint], rpcTimeout: .seconds(5),
            backupRequestDelay: .milliseconds(50)))
        let caller = JSONCaller(schema: Self.schema, client: client)
        let request = try caller.request(method: "Reindex", json: Self.request)
        for _ in 0..<2 {
            let reply = try await client.call(request)
            #expect(reply.endpoint == fastEndpoint)
        }
        await client.shutdown()
        await slow.stop()
        await fast.stop()
    }

    @Test("consistent hashing keeps a key on one endpoint; failing endpoints are ejected")
    func balancing() async throws {
        let (first, one) = try await MockCallTests.start(Self.schema, MockCallTests.thriftReplies, framing: .framed)
        let (second, two) = try await MockCallTests.start(Self.schema, MockCallTests.thriftReplies, framing: .framed)
        let client = try RPCClient(BackendConfiguration(framing: .framed, endpoints: [one, two], balance: .consistentHash))
        let caller = JSONCaller(schema: Self.schema, client: client)
        var seen: [String: Set<Endpoint>] = [:]
        for round in 0..<40 {
            let key = "user-\(round % 8)"
            let reply = try await client.call(try caller.request(method: "Reindex", json: Self.request, hashKey: key))
            seen[key, default: []].insert(reply.endpoint)
        }
        #expect(seen.values.allSatisfy { $0.count == 1 })
        #expect(Set(seen.values.flatMap { $0 }).count == 2, "eight keys spread over both endpoints")
        await client.shutdown()

        let closed = try Self.closedPort()
        let ejecting = try RPCClient(BackendConfiguration(
            framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: closed), one],
            health: HealthPolicy(failureThreshold: 2, ejectionTime: .seconds(30)), retry: RetryPolicy(maxAttempts: 2, backoff: .none)))
        let request = try caller.request(method: "Reindex", json: Self.request)
        var attemptsSeen: [Int] = []
        for _ in 0..<10 { attemptsSeen.append(try await ejecting.call(request).attempts) }
        // Once the dead endpoint is ejected, no call pays for it any more.
        #expect(attemptsSeen.suffix(5).allSatisfy { $0 == 1 }, "\(attemptsSeen)")
        await ejecting.shutdown()
        await first.stop()
        await second.stop()
    }

    @Test("connections and file descriptors are released")
    func noLeaks() async throws {
        let (server, endpoint) = try await MockCallTests.start(Self.schema, MockCallTests.thriftReplies, framing: .framed)
        // Warm up the shared event loops first: they own descriptors for the life of the process.
        let warm = try Self.caller(BackendConfiguration(framing: .framed, endpoints: [endpoint]))
        _ = try await warm.call(method: "Reindex", json: Self.request)
        await warm.client.shutdown()
        try await Task.sleep(for: .milliseconds(100))
        let before = openFileDescriptorCount()
        for _ in 0..<3 {
            let caller = try Self.caller(BackendConfiguration(framing: .framed, endpoints: [endpoint]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await caller.call(method: "Reindex", json: Self.request) }
                }
                try await group.waitForAll()
            }
            await caller.client.shutdown()
        }
        await server.stop()
        var after = openFileDescriptorCount()
        for _ in 0..<50 where after > before {
            try await Task.sleep(for: .milliseconds(20))
            after = openFileDescriptorCount()
        }
        #expect(after <= before, "descriptors before \(before), after \(after)")
    }
}
