import Foundation
import NIOCore
import PorticoTestSupport
import Testing

@testable import GenericCall

/// ``GRPCLoopConnection`` against the `portico mock` gRPC server (swift-nio-http2, answers on the event loop).
@Suite(.serialized)
struct GRPCLoopMockTests {
    static let service = "/bookstore.v1.Bookstore/"

    static func withMock(
        behavior: MockBehavior = MockBehavior(), _ body: (MockServer, GRPCLoopDriver) async throws -> Void
    ) async throws {
        let server = MockServer(
            responder: try MockResponder(schema: MockCallTests.proto, responses: MockCallTests.protoReplies),
            framing: .grpc, behavior: behavior)
        let endpoint = try await server.start(port: 0)
        let driver = try await GRPCLoopDriver.connect(to: endpoint)
        do {
            try await body(server, driver)
        } catch {
            try? await driver.close()
            await server.stop()
            throw error
        }
        try await driver.close()
        await server.stop()
    }

    /// The configured reply of a method, as the mock encodes it.
    static func configured(_ method: String) throws -> [[UInt8]] {
        let responder = try MockResponder(schema: MockCallTests.proto, responses: MockCallTests.protoReplies)
        guard case .payload(let messages) = try responder.answer(method: method) else { return [] }
        return messages
    }

    @Test("unary, streaming, statuses, unknown methods, metadata and grpc-timeout as the server saw them")
    func basics() async throws {
        let getBook = try Self.configured("GetBook")
        let watchShelf = try Self.configured("WatchShelf")
        try await Self.withMock { server, driver in
            let reply = try await driver.call(
                Self.service + "GetBook", message: [0x0A, 1, 0x41], metadata: [RPCHeader("X-Tenant", "blue")],
                timeout: .milliseconds(1500))
            #expect(reply.messages == getBook)
            #expect(reply.error == nil)
            #expect(server.lastRequestHeaders["x-tenant"] == "blue")
            #expect(server.lastRequestHeaders["grpc-timeout"] == "1500000u")

            let watch = try await driver.call(Self.service + "WatchShelf", message: [0x08, 1])
            #expect(watch.messages == watchShelf && watch.messages.count == 2)

            let denied = try await driver.call(Self.service + "DeleteShelf", message: [])
            #expect(denied.error?.code == .grpc(.permissionDenied) && denied.error?.message == "denied")

            let unknown = try await driver.call(Self.service + "NoSuchMethod", message: [])
            #expect(unknown.error?.code == .grpc(.unimplemented))
            let otherService = try await driver.call("/other.Service/GetBook", message: [])
            #expect(otherService.error?.code == .grpc(.unimplemented))
            #expect(server.callCount == 3)
        }
    }

    @Test("delay past the caller's deadline: DEADLINE_EXCEEDED; injected failures: UNAVAILABLE")
    func behaviour() async throws {
        try await Self.withMock(behavior: MockBehavior(delay: .milliseconds(300))) { _, driver in
            let late = try await driver.call(Self.service + "GetBook", message: [], timeout: .milliseconds(50))
            #expect(late.error?.code == .grpc(.deadlineExceeded))
            // (An answer after the delay would have been the configured reply: this one came at the deadline.)
            let slow = try await driver.call(Self.service + "GetBook", message: [], timeout: .seconds(2))
            #expect(slow.error == nil && slow.messages.count == 1)
        }
        try await Self.withMock(behavior: MockBehavior(failureRate: 1, failureMode: .exception)) { _, driver in
            let failed = try await driver.call(Self.service + "GetBook", message: [])
            #expect(failed.error?.code == .grpc(.unavailable))
        }
    }

    @Test("cancel mid-delay: no callback after it, the connection goes on")
    func cancel() async throws {
        try await Self.withMock(behavior: MockBehavior(delay: .milliseconds(800))) { server, driver in
            // Checked after the delay: the mock would have answered (and counted) the call by then.
            let cancelled = try await driver.callAndCancel(
                Self.service + "GetBook", message: [], after: .milliseconds(50), settle: .milliseconds(1_000))
            #expect(cancelled.result == nil && cancelled.lateCallbacks == 0)
            #expect(server.callCount == 0, "the mock dropped the call when the stream was reset")
            let next = try await driver.call(Self.service + "GetBook", message: [])
            #expect(next.error == nil)
        }
    }

    @Test("64 x 16 concurrent calls, every reply byte checked")
    func concurrent() async throws {
        try await Self.withMock { server, driver in
            let expected = try Self.configured("GetBook")[0]
            let report = try await driver.load(concurrency: 64, duration: .seconds(60), total: 64 * 16) { _ in
                GRPCLoadCall(
                    path: Self.service + "GetBook", metadata: [], message: ByteBuffer(bytes: [0x0A, 1, 0x42]),
                    check: { Array($0.readableBytesView) == expected })
            }
            print("mock 64 x 16: \(report)")
            #expect(report.completed == 64 * 16)
            #expect(report.failures == 0 && report.badReplies == 0, "\(report)")
            #expect(server.callCount == 64 * 16)
        }
    }

    @Test("connection refused: UNAVAILABLE; a stopped server: calls fail before they start, requestSent false")
    func refused() async throws {
        let server = MockServer(
            responder: try MockResponder(schema: MockCallTests.proto, responses: MockCallTests.protoReplies),
            framing: .grpc)
        let endpoint = try await server.start(port: 0)
        let driver = try await GRPCLoopDriver.connect(to: endpoint)
        #expect(try await driver.call(Self.service + "GetBook", message: []).error == nil)
        await server.stop()
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await driver.isUsable == false)
        let after = try await driver.call(Self.service + "GetBook", message: [])
        #expect(after.error?.code == .unavailable)
        if case .failure(let failure)? = after.result { #expect(!failure.requestSent) }
        await #expect {
            _ = try await GRPCLoopDriver.connect(to: endpoint)
        } throws: { ($0 as? CallError)?.code == .unavailable }
    }
}

extension GRPCLoopMockTests {
    @Test("over a Unix domain socket")
    func unixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-grpc-\(getpid()).sock").path
        let server = MockServer(
            responder: try MockResponder(schema: MockCallTests.proto, responses: MockCallTests.protoReplies),
            framing: .grpc)
        let endpoint = try await server.start(unixPath: path)
        let driver = try await GRPCLoopDriver.connect(to: endpoint)
        let reply = try await driver.call(Self.service + "GetBook", message: [])
        let expected = try Self.configured("GetBook")
        #expect(reply.error == nil && reply.messages == expected)
        try await driver.close()
        await server.stop()
        try? FileManager.default.removeItem(atPath: path)
    }
}
