import NIOCore
import PorticoTestSupport
import Testing

@testable import GenericCall

/// ``GRPCLoopConnection`` against the grpcio (Python) server of GRPCPeerCallTests.
@Suite(.serialized)
struct GRPCLoopPeerTests {
    static func withPeer(_ body: (GRPCLoopDriver) async throws -> Void) async throws {
        let server = try await startPeer([
            "python3", Repo.peers + "/grpc_server.py", "--descriptors", Repo.descriptors + "/bookstore.pb",
        ])
        defer { server.stop() }
        let driver = try await GRPCLoopDriver.connect(to: .tcp(host: "127.0.0.1", port: server.port))
        try await body(driver)
        try await driver.close()
    }

    /// GetBookRequest{name}, encoded by hand (field 1, length-delimited).
    static func getBook(_ name: String) -> [UInt8] { [0x0A, UInt8(name.utf8.count)] + Array(name.utf8) }
    static let getBook = "/bookstore.v1.Bookstore/GetBook"

    /// One grpcio process for the three: starting one costs about a second of CPU.
    @Test("unary (metadata both ways, the deadline the server saw, statuses), streaming, cancel")
    func basics() async throws {
        try await Self.withPeer { driver in
            try await Self.unary(driver)
            try await Self.streaming(driver)
            try await Self.cancel(driver)
        }
    }

    /// Reply, metadata both ways, the deadline the server saw, NOT_FOUND, UNIMPLEMENTED, DEADLINE_EXCEEDED.
    static func unary(_ driver: GRPCLoopDriver) async throws {
        let reply = try await driver.call(
            Self.getBook, message: Self.getBook("shelves/1/books/12"), metadata: [RPCHeader("x-tenant", "blue")],
            timeout: .milliseconds(800))
        #expect(reply.error == nil)
        #expect(reply.messages.count == 1)
        #expect(reply.messages.first.map { String(decoding: $0, as: UTF8.self).contains("Book 12") } == true)
        #expect(reply.header("x-echo-x-tenant") == "blue")
        let deadline = Int(reply.header("x-deadline-ms") ?? "") ?? -1
        #expect((1...800).contains(deadline), "the server saw our deadline: \(deadline) ms")

        let missing = try await driver.call(Self.getBook, message: Self.getBook("shelves/1/books/404"))
        #expect(missing.error?.code == .grpc(.notFound))
        #expect(missing.error?.message == "no book shelves/1/books/404")
        #expect(missing.error?.httpStatus == 404)

        let unknown = try await driver.call("/bookstore.v1.Bookstore/ListShelves", message: [])
        #expect(unknown.error?.code == .grpc(.unimplemented))

        let late = try await driver.call(
            Self.getBook, message: Self.getBook("shelves/1/books/999"), timeout: .milliseconds(200))
        #expect(late.error?.code == .grpc(.deadlineExceeded), "grpcio enforces the grpc-timeout we sent")
    }

    /// Server streaming: messages in order, then ABORTED mid-stream.
    static func streaming(_ driver: GRPCLoopDriver) async throws {
        let watch = "/bookstore.v1.Bookstore/WatchShelf"
        let events = try await driver.call(watch, message: [0x08, 1])
        #expect(events.messages == [[0x08, 1], [0x08, 2], [0x08, 3]])
        #expect(events.error == nil)
        let aborted = try await driver.call(watch, message: [0x08, 13])
        #expect(aborted.messages == [[0x08, 1]])
        #expect(aborted.error?.code == .grpc(.aborted))
        #expect(aborted.lateCallbacks == 0)
    }

    /// Cancel: RST_STREAM, no callback after it, the connection goes on.
    static func cancel(_ driver: GRPCLoopDriver) async throws {
        let cancelled = try await driver.callAndCancel(
            Self.getBook, message: Self.getBook("shelves/1/books/999"), after: .milliseconds(100),
            settle: .milliseconds(300))
        #expect(cancelled.result == nil && cancelled.messages.isEmpty && cancelled.lateCallbacks == 0)
        #expect(try await driver.onLoop { $0.activeStreams } == 0)
        let next = try await driver.call(Self.getBook, message: Self.getBook("shelves/1/books/5"))
        #expect(next.error == nil && next.messages.count == 1)
        #expect(try await driver.isUsable)
    }

    @Test("64 x 20 concurrent calls on one connection, every reply byte checked")
    func concurrent() async throws {
        try await Self.withPeer { driver in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for caller in 0..<64 {
                    group.addTask {
                        var ok = true
                        for index in 0..<20 {
                            let id = 1_000 + caller * 20 + index
                            let reply = try await driver.call(
                                Self.getBook, message: Self.getBook("shelves/1/books/\(id)"))
                            let text = reply.messages.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
                            ok =
                                ok && reply.error == nil && text.contains("shelves/1/books/\(id)")
                                && text.contains("Book \(id)")
                        }
                        return ok
                    }
                }
                var all: [Bool] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 64 && results.allSatisfy { $0 })
        }
    }
}
