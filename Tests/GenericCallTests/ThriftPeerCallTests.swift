import DynamicCodec
import Foundation
import GenericCall
import PorticoTestSupport
import Testing

/// JSON calls through GenericCall to a real Apache Thrift server (Python runtime, compiler-generated code).
@Suite(.serialized)
struct ThriftPeerCallTests {
    static let schema: ServiceSchema = try! ServiceSchema.load(
        path: Repo.descriptors + "/bookstore.thrift", service: "BookstoreAdmin")

    static func withServer(
        _ transport: String, _ thriftProtocol: ThriftProtocol,
        _ body: (JSONCaller, RPCClient) async throws -> Void
    ) async throws {
        let generated = try ThriftGenerated.directory.get()
        let server = try PeerServer([
            "python3", Repo.peers + "/thrift_rpc_server.py", "--gen", generated, "--transport", transport,
            "--protocol", thriftProtocol.rawValue,
        ])
        defer { server.stop() }
        let client = try RPCClient(
            BackendConfiguration(
                framing: transport == "framed" ? .framed : .buffered, thriftProtocol: thriftProtocol,
                endpoints: [.tcp(host: "127.0.0.1", port: server.port)], rpcTimeout: .seconds(2)))
        let caller = JSONCaller(schema: schema, client: client)
        do {
            try await body(caller, client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    static let variants: [(String, ThriftProtocol)] = [
        ("framed", .binary), ("framed", .compact), ("buffered", .binary), ("buffered", .compact),
    ]

    @Test("values computed by the Apache Thrift server come back as JSON", arguments: 0..<4)
    func computedValues(_ variant: Int) async throws {
        let (transport, encoding) = Self.variants[variant]
        try await Self.withServer(transport, encoding) { caller, _ in
            let reply = try await caller.call(
                method: "GetBook", json: Array(#"{"shelf": 3, "id": 7, "fields": ["title", "tags"]}"#.utf8))
            #expect(reply.status == 200)
            let text = String(decoding: reply.json, as: UTF8.self)
            #expect(text.contains(#""title":"Book 7 on shelf 3""#), "\(text)")
            #expect(text.contains(#""etag":"e-7""#), "\(text)")
            #expect(text.contains(#""id":"7""#), "js_conv renders the i64 as a string: \(text)")
            #expect(text.contains(#""tags":["#), "\(text)")

            let doubled = try await caller.call(method: "Reindex", json: Array(#"{"shelf": 21}"#.utf8))
            #expect(String(decoding: doubled.json, as: UTF8.self) == "42")
            let ping = try await caller.call(method: "Ping", json: Array("{}".utf8))
            #expect(String(decoding: ping.json, as: UTF8.self) == "true")
            // Oneway: nothing to read back, the next call still works on the same client.
            _ = try await caller.call(method: "RecordView", json: Array(#"{"id": 1}"#.utf8))
            let again = try await caller.call(method: "Reindex", json: Array(#"{"shelf": 5}"#.utf8))
            #expect(String(decoding: again.json, as: UTF8.self) == "10")
        }
    }

    @Test("a declared exception is rendered with its name; an unexpected error is APPLICATION_EXCEPTION", arguments: 0..<4)
    func exceptions(_ variant: Int) async throws {
        let (transport, encoding) = Self.variants[variant]
        try await Self.withServer(transport, encoding) { caller, _ in
            let notFound = try await caller.call(method: "GetBook", json: Array(#"{"shelf": 1, "id": 404}"#.utf8))
            #expect(notFound.isError)
            let text = String(decoding: notFound.json, as: UTF8.self)
            #expect(text.contains("DECLARED_EXCEPTION"), "\(text)")
            #expect(text.contains("BookNotFound"), "\(text)")
            #expect(text.contains("no book 404"), "\(text)")

            await #expect {
                _ = try await caller.call(method: "GetBook", json: Array(#"{"shelf": 1, "id": 500}"#.utf8))
            } throws: { error in
                guard let error = error as? CallError else { return false }
                return error.code == .applicationException && error.details["type"] == "6"
            }
            // The unknown method is refused by our schema before anything is sent.
            await #expect {
                _ = try await caller.call(method: "Nope", json: Array("{}".utf8))
            } throws: { ($0 as? CallError)?.code == .methodNotFound }
        }
    }

    @Test("a slow Apache server gives RPC_TIMEOUT; the client keeps working after it")
    func timeoutAgainstPeer() async throws {
        try await Self.withServer("framed", .binary) { caller, _ in
            let started = ContinuousClock.now
            await #expect {
                _ = try await caller.call(
                    method: "GetBook", json: Array(#"{"shelf": 1, "id": 999}"#.utf8),
                    options: CallOptions(rpcTimeout: .milliseconds(200)))
            } throws: { ($0 as? CallError)?.code == .rpcTimeout }
            #expect(ContinuousClock.now - started < .seconds(2))
            let reply = try await caller.call(method: "Reindex", json: Array(#"{"shelf": 2}"#.utf8))
            #expect(String(decoding: reply.json, as: UTF8.self) == "4")
        }
    }
}
