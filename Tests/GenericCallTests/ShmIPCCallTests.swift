import DynamicCodec
import Foundation
import GenericCall
import Testing

/// Calls over the ShmIPC transport: the mock server on a shmipc socket, the client with `transport: .shmipc`.
@Suite(.serialized)
struct ShmIPCCallTests {
    @Test("framed and TTHeader Thrift, and Kitex protobuf, over shared memory", arguments: [Framing.framed, .ttheader, .kitexProtobuf])
    func calls(_ framing: Framing) async throws {
        let schema = framing == .kitexProtobuf ? MockCallTests.proto : MockCallTests.thrift
        let replies = framing == .kitexProtobuf ? MockCallTests.protoReplies : MockCallTests.thriftReplies
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-shm-\(getpid())-\(framing.rawValue).sock").path
        let server = MockServer(responder: try MockResponder(schema: schema, responses: replies), framing: framing)
        let endpoint = try await server.start(shmipcPath: path)
        let client = try RPCClient(BackendConfiguration(
            framing: framing, protobuf: schema.isProtobuf, transport: .shmipc, endpoints: [endpoint], rpcTimeout: .seconds(5)))
        let caller = JSONCaller(schema: schema, client: client)
        for _ in 0..<20 {
            if schema.isProtobuf {
                let reply = try await caller.call(method: "GetBook", json: Array(#"{"name": "shelves/1/books/2"}"#.utf8))
                #expect(String(decoding: reply.json, as: UTF8.self).contains(#""title":"Dune""#))
            } else {
                let reply = try await caller.call(method: "GetBook", json: Array(#"{"shelf": 1, "id": 7}"#.utf8))
                #expect(String(decoding: reply.json, as: UTF8.self).contains(#""title":"Dune""#))
            }
        }
        // Concurrent calls lease separate streams of the shared session.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    if schema.isProtobuf {
                        _ = try await caller.call(method: "GetBook", json: Array("{}".utf8))
                    } else {
                        _ = try await caller.call(method: "Ping", json: Array("{}".utf8))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(server.callCount == 36)
        await client.shutdown()
        await server.stop()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test("nothing listening on the socket is UNAVAILABLE")
    func refused() async throws {
        let client = try RPCClient(BackendConfiguration(
            framing: .framed, transport: .shmipc, endpoints: [.unix(path: "/tmp/portico-nothing-\(getpid()).sock")],
            retry: RetryPolicy(maxAttempts: 1)))
        await #expect {
            _ = try await client.call(RPCRequest(service: "S", method: "m", payload: [0]))
        } throws: { ($0 as? CallError)?.code == .unavailable }
        await client.shutdown()
    }
}
