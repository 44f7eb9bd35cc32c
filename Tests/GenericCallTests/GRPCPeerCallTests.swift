import DynamicCodec
import Foundation
import GenericCall
import PorticoTestSupport
import Testing

/// Calls to a real grpcio server (Python, no generated code).
@Suite(.serialized)
struct GRPCPeerCallTests {
    static func withServer(_ body: (JSONCaller, RPCClient) async throws -> Void) async throws {
        let server = try PeerServer([
            "python3", Repo.peers + "/grpc_server.py", "--descriptors", Repo.descriptors + "/bookstore.pb",
        ])
        defer { server.stop() }
        let client = try RPCClient(BackendConfiguration(
            framing: .grpc, endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .seconds(5)))
        let caller = JSONCaller(schema: MockCallTests.proto, client: client)
        do {
            try await body(caller, client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    @Test("unary: the computed reply, the deadline the server saw, metadata, status codes")
    func unary() async throws {
        try await Self.withServer { caller, client in
            let reply = try await caller.call(method: "GetBook", json: Array(#"{"name": "shelves/1/books/12"}"#.utf8))
            let text = String(decoding: reply.json, as: UTF8.self)
            #expect(text.contains(#""title":"Book 12""#), "\(text)")
            #expect(text.contains(#""id":"12""#), "\(text)")

            let request = try caller.request(
                method: "GetBook", json: Array(#"{"name": "shelves/1/books/3"}"#.utf8), headers: [RPCHeader("x-tenant", "blue")])
            let raw = try await client.call(request, options: CallOptions(rpcTimeout: .milliseconds(800)))
            let deadline = Int(raw.header("x-deadline-ms") ?? "") ?? -1
            #expect((1...800).contains(deadline), "the server saw our deadline: \(deadline) ms")
            #expect(raw.header("x-echo-x-tenant") == "blue")

            await #expect {
                _ = try await caller.call(method: "GetBook", json: Array(#"{"name": "shelves/1/books/404"}"#.utf8))
            } throws: { error in
                guard let error = error as? CallError else { return false }
                return error.code == .grpc(.notFound) && error.httpStatus == 404 && error.json().contains(#""grpc_code":"5""#)
            }
            await #expect {
                _ = try await caller.call(
                    method: "GetBook", json: Array(#"{"name": "shelves/1/books/999"}"#.utf8),
                    options: CallOptions(rpcTimeout: .milliseconds(200)))
            } throws: { ($0 as? CallError)?.code == .rpcTimeout }
            await #expect {
                _ = try await caller.call(
                    method: "GetBook", json: Array(#"{"name": "shelves/1/books/999"}"#.utf8),
                    options: CallOptions(deadline: .now + .milliseconds(200)))
            } throws: { ($0 as? CallError)?.code == .timeoutByCaller }
            await #expect {
                _ = try await caller.call(method: "ListShelves", json: Array("{}".utf8))
            } throws: { ($0 as? CallError)?.code == .grpc(.unimplemented) }
        }
    }

    @Test("server streaming: messages in order, then an in-band error")
    func streaming() async throws {
        try await Self.withServer { caller, _ in
            var events: [String] = []
            for try await message in try caller.stream(method: "WatchShelf", json: Array(#"{"shelf": "1"}"#.utf8)) {
                events.append(String(decoding: message, as: UTF8.self))
            }
            #expect(events == [#"{"sequence":"1"}"#, #"{"sequence":"2"}"#, #"{"sequence":"3"}"#])

            var received = 0
            var failure: CallError?
            do {
                for try await _ in try caller.stream(method: "WatchShelf", json: Array(#"{"shelf": "13"}"#.utf8)) {
                    received += 1
                }
            } catch {
                failure = error as? CallError
            }
            #expect(received == 1)
            #expect(failure?.code == .grpc(.aborted))
        }
    }
}
