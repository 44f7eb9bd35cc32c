import DynamicCodec
import Foundation
import GenericCall
import PorticoTestSupport
import Testing

/// The client against the mock server, on every framing.
@Suite
struct MockCallTests {
    static let thrift: ServiceSchema = try! ServiceSchema.load(
        path: Repo.descriptors + "/bookstore.thrift", service: "BookstoreAdmin")
    static let proto: ServiceSchema = try! ServiceSchema.load(
        path: Repo.descriptors + "/bookstore.proto", includeDirectories: [], service: "bookstore.v1.Bookstore")

    static let thriftReplies = try! MockResponses(json: Array(#"""
        {"GetBook": {"reply": {"book": {"id": "7", "title": "Dune"}, "etag": "x"}},
         "Reindex": {"reply": 42},
         "DeleteBook": {"exception": "nf", "value": {"message": "gone"}},
         "Export": {"biz_status": 4291, "biz_message": "quota exceeded"}}
        """#.utf8))
    static let protoReplies = try! MockResponses(json: Array(#"""
        {"GetBook": {"reply": {"name": "shelves/1/books/2", "title": "Dune"}},
         "WatchShelf": {"replies": [{"sequence": "1"}, {"sequence": "2"}]},
         "DeleteShelf": {"grpc_status": {"code": 7, "message": "denied"}}}
        """#.utf8))

    static func start(
        _ schema: ServiceSchema, _ replies: MockResponses, framing: Framing, thriftProtocol: ThriftProtocol = .binary,
        behavior: MockBehavior = MockBehavior()
    ) async throws -> (MockServer, Endpoint) {
        let server = MockServer(
            responder: try MockResponder(schema: schema, responses: replies, thriftProtocol: thriftProtocol),
            framing: framing, behavior: behavior)
        let endpoint = try await server.start(port: 0)
        return (server, endpoint)
    }

    @Test(
        "Thrift calls on every framing and protocol",
        arguments: [Framing.framed, .buffered, .ttheader], [ThriftProtocol.binary, .compact])
    func thriftFramings(_ framing: Framing, _ thriftProtocol: ThriftProtocol) async throws {
        let (server, endpoint) = try await Self.start(Self.thrift, Self.thriftReplies, framing: framing, thriftProtocol: thriftProtocol)
        let client = try RPCClient(BackendConfiguration(framing: framing, thriftProtocol: thriftProtocol, endpoints: [endpoint]))
        let caller = JSONCaller(schema: Self.thrift, client: client)
        let reply = try await caller.call(method: "GetBook", json: Array(#"{"shelf": 1, "id": 7}"#.utf8))
        let text = String(decoding: reply.json, as: UTF8.self)
        #expect(text.contains(#""title":"Dune""#), "\(text)")
        #expect(String(decoding: try await caller.call(method: "Reindex", json: Array(#"{"shelf": 1}"#.utf8)).json, as: UTF8.self) == "42")
        // Not configured: a default value of the reply type, with required fields filled.
        let shelf = try await caller.call(method: "GetShelf", json: Array(#"{"shelf": 1}"#.utf8))
        #expect(String(decoding: shelf.json, as: UTF8.self).contains(#""id":"0""#))
        let gone = try await caller.call(method: "DeleteBook", json: Array(#"{"shelf": 1, "id": 2}"#.utf8))
        #expect(gone.isError && String(decoding: gone.json, as: UTF8.self).contains("BookNotFound"))
        #expect(server.callCount == 4)
        await client.shutdown()
        await server.stop()
    }

    @Test("TTHeader carries the service, method, timeout, log id and string headers; biz-status is BUSINESS_ERROR")
    func ttheaderInfo() async throws {
        let (server, endpoint) = try await Self.start(Self.thrift, Self.thriftReplies, framing: .ttheader)
        let client = try RPCClient(BackendConfiguration(framing: .ttheader, endpoints: [endpoint], rpcTimeout: .seconds(3)))
        let caller = JSONCaller(schema: Self.thrift, client: client)
        _ = try await caller.call(
            method: "Reindex", json: Array(#"{"shelf": 1}"#.utf8), headers: [RPCHeader("tenant", "blue")],
            options: CallOptions(requestID: "req-1"))
        let seen = server.lastRequestHeaders
        #expect(seen["int:6"] == "BookstoreAdmin")
        #expect(seen["int:9"] == "Reindex")
        #expect(seen["int:2"] == "req-1")
        #expect(seen["tenant"] == "blue")
        let timeout = Int(seen["int:12"] ?? "") ?? -1
        #expect((1...3000).contains(timeout), "remaining budget in ms: \(timeout)")
        await #expect {
            _ = try await caller.call(method: "Export", json: Array("{}".utf8))
        } throws: { error in
            guard let error = error as? CallError, case .businessError(let status) = error.code else { return false }
            return status == 500 && error.details["biz_status"] == "4291" && error.message == "quota exceeded"
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("Kitex protobuf, framed and in TTHeader")
    func kitexProtobuf() async throws {
        for framing in [Framing.kitexProtobuf, .ttheader] {
            let (server, endpoint) = try await Self.start(Self.proto, Self.protoReplies, framing: framing)
            let client = try RPCClient(BackendConfiguration(framing: framing, protobuf: true, endpoints: [endpoint]))
            let caller = JSONCaller(schema: Self.proto, client: client)
            let reply = try await caller.call(method: "GetBook", json: Array(#"{"name": "shelves/1/books/2"}"#.utf8))
            #expect(String(decoding: reply.json, as: UTF8.self).contains(#""title":"Dune""#))
            await #expect {
                _ = try await caller.call(method: "DeleteShelf", json: Array("{}".utf8))
            } throws: { ($0 as? CallError)?.code == .applicationException && ($0 as? CallError)?.message == "denied" }
            await client.shutdown()
            await server.stop()
        }
    }

    @Test("gRPC unary, server streaming and status codes against the mock")
    func grpcMock() async throws {
        let (server, endpoint) = try await Self.start(Self.proto, Self.protoReplies, framing: .grpc)
        let client = try RPCClient(BackendConfiguration(framing: .grpc, endpoints: [endpoint]))
        let caller = JSONCaller(schema: Self.proto, client: client)
        let reply = try await caller.call(method: "GetBook", json: Array(#"{"name": "shelves/1/books/2"}"#.utf8))
        #expect(String(decoding: reply.json, as: UTF8.self).contains(#""title":"Dune""#))
        var events: [String] = []
        for try await message in try caller.stream(method: "WatchShelf", json: Array(#"{"shelf": "1"}"#.utf8)) {
            events.append(String(decoding: message, as: UTF8.self))
        }
        #expect(events == [#"{"sequence":"1"}"#, #"{"sequence":"2"}"#])
        await #expect {
            _ = try await caller.call(method: "DeleteShelf", json: Array("{}".utf8))
        } throws: { ($0 as? CallError)?.code == .grpc(.permissionDenied) && ($0 as? CallError)?.httpStatus == 403 }
        await client.shutdown()
        await server.stop()
    }

    @Test("many concurrent calls share multiplexed TTHeader connections; each gets its own reply")
    func multiplexing() async throws {
        let (server, endpoint) = try await Self.start(
            Self.thrift, Self.thriftReplies, framing: .ttheader, behavior: MockBehavior(delay: .milliseconds(20)))
        let client = try RPCClient(
            BackendConfiguration(framing: .ttheader, endpoints: [endpoint], maxConnectionsPerEndpoint: 2))
        let caller = JSONCaller(schema: Self.thrift, client: client)
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let (method, json) = index % 2 == 0 ? ("Reindex", #"{"shelf": 1}"#) : ("Ping", "{}")
                    return String(decoding: try await caller.call(method: method, json: Array(json.utf8)).json, as: UTF8.self)
                }
            }
            var all: [String] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 == "42" }.count == 50)
        #expect(results.filter { $0 == "false" }.count == 50)
        await client.shutdown()
        await server.stop()
    }
}
