import DynamicCodec
import Foundation
import NIOCore
import NIOPosix
import PorticoTestSupport
import Synchronization
import Testing

@testable import GenericCall

/// Client-streaming and bidirectional gRPC calls (``RPCClient/startStream(_:options:on:onMessage:onFinish:)`` and
/// ``RPCClient/openStream(_:options:)``) against grpcio's `portico.test.Streams` (Tests/peers/grpc_server.py, raw
/// bytes) and against our mock's echo, with every byte checked.
@Suite(.serialized)
struct StreamingCallTests {
    static func client(
        _ endpoints: [Endpoint], rpcTimeout: Duration? = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws -> RPCClient {
        try RPCClient(
            BackendConfiguration(
                framing: .grpc, endpoints: endpoints, connectTimeout: .milliseconds(500), rpcTimeout: rpcTimeout,
                retry: RetryPolicy(maxAttempts: 3, backoff: .none), name: "streams-test"),
            group: group)
    }

    static func request(_ method: String, service: String = "portico.test.Streams") -> RPCRequest {
        RPCRequest(service: service, method: method, payload: [])
    }

    /// Random messages of 0 to `maximum` bytes.
    static func messages(count: Int, seed: UInt64, maximum: Int = 2000) -> [[UInt8]] {
        var generator = SplitMix(seed: seed)
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...maximum, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
    }

    /// Collects a stream's replies and its end.
    final class Collector: Sendable {
        let state = Mutex<(messages: [[UInt8]], result: Result<[RPCHeader], CallError>?)>(([], nil))
        func add(_ message: [UInt8]) { state.withLock { $0.messages.append(message) } }
        func end(_ result: Result<[RPCHeader], CallError>) { state.withLock { $0.result = result } }
        var messages: [[UInt8]] { state.withLock { $0.messages } }
        var result: Result<[RPCHeader], CallError>? { state.withLock { $0.result } }

        func waitForEnd() async throws -> Result<[RPCHeader], CallError> {
            let limit = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < limit {
                if let result { return result }
                try await Task.sleep(for: .milliseconds(5))
            }
            throw PeerFailure(description: "the stream did not end")
        }

        func waitFor(count: Int) async throws {
            let limit = ContinuousClock.now + .seconds(90)
            while messages.count < count, result == nil, ContinuousClock.now < limit {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    static func start(
        _ client: RPCClient, _ request: RPCRequest, options: CallOptions = CallOptions(),
        on loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) -> (RPCStreamHandle, Collector) {
        let collector = Collector()
        let handle = client.startStream(
            request, options: options, on: loop,
            onMessage: { collector.add($0) }, onFinish: { collector.end($0) })
        return (handle, collector)
    }

    @Test("grpcio: client streaming, bidi ping-pong, statuses, deadline, cancel, a dead endpoint first")
    func againstGrpcio() async throws {
        let server = try await startPeer([
            "python3", Repo.peers + "/grpc_server.py", "--descriptors", Repo.descriptors + "/bookstore.pb",
        ])
        defer { server.stop() }
        let live = Endpoint.tcp(host: "127.0.0.1", port: server.port)
        let client = try Self.client([live])

        // Client streaming: 200 messages, sent before and after the stream opens; the reply is their concatenation.
        let sent = Self.messages(count: 200, seed: 7)
        let (collect, collected) = Self.start(client, Self.request("Collect"))
        for message in sent { collect.send(message) }
        collect.finishSending()
        let trailers = try (try await collected.waitForEnd()).get()
        #expect(collected.messages.count == 1)
        #expect(collected.messages.first == sent.flatMap { $0 }, "every byte, in order")
        #expect(trailers.first { $0.name == "x-count" }?.value == "200")

        // Bidirectional: each message waits for its echo before the next is sent.
        let (echo, echoed) = Self.start(client, Self.request("Echo"))
        for (index, message) in sent.prefix(50).enumerated() {
            echo.send(message)
            try await echoed.waitFor(count: index + 1)
            #expect(echoed.messages.count == index + 1)
            #expect(echoed.messages.last == message)
        }
        echo.finishSending()
        #expect((try? (try await echoed.waitForEnd()).get()) != nil)

        // Statuses from the server, in the taxonomy.
        let (failing, failed) = Self.start(client, Self.request("Collect"))
        failing.send(Array("fail".utf8))
        failing.finishSending()
        #expect((try await failed.waitForEnd()).failureCode == .grpc(.invalidArgument))
        let (aborting, aborted) = Self.start(client, Self.request("Echo"))
        aborting.send([1, 2, 3])
        aborting.send(Array("abort".utf8))
        let abortResult = try await aborted.waitForEnd()
        #expect(abortResult.failureCode == .grpc(.aborted))
        #expect(aborted.messages == [[1, 2, 3]], "the message before the abort was echoed")

        // A stream that never ends: our RPC timeout, not the server's.
        let short = try Self.client([live], rpcTimeout: .milliseconds(300))
        let (idle, idled) = Self.start(short, Self.request("Echo"))
        idle.send([9])
        #expect((try await idled.waitForEnd()).failureCode == .rpcTimeout)
        // The caller's deadline when it is earlier.
        let (callerBound, callerEnded) = Self.start(
            client, Self.request("Echo"), options: CallOptions(deadline: .now + .milliseconds(200)))
        callerBound.send([9])
        #expect((try await callerEnded.waitForEnd()).failureCode == .timeoutByCaller)
        // Cancel.
        let (cancelled, cancelledEnd) = Self.start(client, Self.request("Echo"))
        cancelled.send([1])
        try await cancelledEnd.waitFor(count: 1)
        cancelled.cancel()
        #expect((try await cancelledEnd.waitForEnd()).failureCode == .cancelledByCaller)
        // A refused endpoint before the live one: the connect failure is retried elsewhere, messages kept.
        let refused = Endpoint.tcp(host: "127.0.0.1", port: 9)
        let twoEndpoints = try Self.client([refused, live])
        for _ in 0..<4 {
            let (retried, retriedEnd) = Self.start(twoEndpoints, Self.request("Collect"))
            retried.send([1, 2])
            retried.send([3])
            retried.finishSending()
            #expect((try? (try await retriedEnd.waitForEnd()).get()) != nil)
            #expect(retriedEnd.messages == [[1, 2, 3]])
        }
        // The async form.
        let stream = client.openStream(Self.request("Echo"))
        stream.send([42])
        stream.finishSending()
        var replies: [[UInt8]] = []
        for try await reply in stream.replies { replies.append(reply) }
        #expect(replies == [[42]])
        await client.shutdown()
        await short.shutdown()
        await twoEndpoints.shutdown()
    }

    @Test("mock: 40 concurrent bidirectional echo streams of 100 messages each, every byte checked")
    func concurrentEchoStreams() async throws {
        let schema = try ServiceSchema.load(
            path: Repo.descriptors + "/demo/inventory.proto", includeDirectories: [Repo.descriptors],
            service: "inventory.v1.Inventory")
        let mock = MockServer(
            responder: try MockResponder(
                schema: schema,
                responses: try MockResponses(json: Array(#"{"Relay": {"echo": true}, "RecordEvents": {"echo": true}}"#.utf8))),
            framing: .grpc)
        let endpoint = try await mock.start(port: 0)
        // The client on loops of its own, and at most 8 messages in flight per stream: this stress must not
        // saturate the shared loops that the suites running beside it time their calls on.
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = try Self.client([endpoint], group: loops)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for stream in 0..<40 {
                group.addTask {
                    let sent = Self.messages(count: 100, seed: UInt64(stream) + 100, maximum: 300)
                    // No deadline to race: on a loaded 2-core machine this stress can take tens of seconds.
                    let (handle, collector) = Self.start(
                        client, Self.request("Relay", service: "inventory.v1.Inventory"),
                        options: CallOptions(rpcTimeout: .seconds(80)), on: loops.next())
                    for (index, message) in sent.enumerated() {
                        if index >= 8 { try await collector.waitFor(count: index - 7) }
                        handle.send(message)
                    }
                    handle.finishSending()
                    let result = try await collector.waitForEnd()
                    #expect((try? result.get()) != nil, "stream \(stream): \(result.failureCode.map { "\($0)" } ?? "ok") \((try? result.get()) == nil ? "\(result)" : "")")
                    let received = collector.messages
                    #expect(received.count == sent.count && received == sent, "stream \(stream): \(received.count) of \(sent.count) messages, first difference at \(Array(zip(received, sent)).firstIndex { $0 != $1 } ?? -1)")
                }
            }
            try await group.waitForAll()
        }
        // Client streaming with echo: the concatenation.
        let (record, recorded) = Self.start(
            client, Self.request("RecordEvents", service: "inventory.v1.Inventory"), on: loops.next())
        record.send([0x08, 0x01])
        record.send([0x10, 0x02])
        record.finishSending()
        _ = try await recorded.waitForEnd()
        #expect(recorded.messages == [[0x08, 0x01, 0x10, 0x02]])
        await client.shutdown()
        await mock.stop()
        try await loops.shutdownGracefully()
    }
}

extension Result where Failure == CallError {
    var failureCode: CallErrorCode? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
