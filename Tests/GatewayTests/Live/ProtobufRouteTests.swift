import GenericCall
import Testing

@testable import Gateway

@Suite("Live: Protobuf routes")
struct ProtobufRouteTests {
    static func config(extra: String = "") throws -> GatewayConfig {
        try Fixtures.config(services: Fixtures.protoService, extra: extra)
    }

    @Test func annotatedRouteMapsPathQueryAndReply() async throws {
        let invoker = FakeInvoker()
        invoker.on("GetShelf") { call throws(CallError) in
            let request = FakeInvoker.requestJSON(call)
            guard request.contains("\"shelf\":\"12\"") else { throw CallError(.invalidArgument, "got \(request)") }
            return try FakeInvoker.encodeReply(call, json: #"{"id": "12", "theme": "poetry"}"#)
        }
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request("GET", "/v1/shelves/12", headers: [("X-Request-Id", "req-1")])
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-Request-Id") == "req-1")
            #expect(response.text.contains("\"theme\":\"poetry\""))
            let call = try #require(invoker.calls.withLock { $0.last })
            #expect(call.requestID == "req-1")
            #expect(call.headers.contains { $0 == "x-request-id" && $1 == "req-1" })
            #expect(call.service.name == "books")
            #expect(call.service.framing == .grpc)
        }
    }

    @Test func genericRouteBodyAndForwardedHeaders() async throws {
        let invoker = FakeInvoker()
        invoker.on("CreateShelf") { call throws(CallError) in
            try FakeInvoker.encodeReply(
                call,
                json: FakeInvoker.requestJSON(call).replacingOccurrences(of: "{\"shelf\":", with: "").dropLast()
                    .description)
        }
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request(
                "POST", "/bookstore.v1.Bookstore/CreateShelf",
                headers: [("X-Tenant", "acme"), ("Content-Type", "application/json")],
                body: #"{"shelf": {"theme": "maps"}}"#)
            #expect(response.status == 200)
            #expect(response.text.contains("\"theme\":\"maps\""))
            #expect(response.header("X-Request-Id")?.count == 32)
            let call = try #require(invoker.calls.withLock { $0.last })
            #expect(call.headers.contains { $0 == "x-tenant" && $1 == "acme" })
            // Annotated POST with body: "shelf".
            let annotated = try await gateway.request("POST", "/v1/shelves", body: #"{"theme": "atlas"}"#)
            #expect(annotated.status == 200)
            #expect(annotated.text.contains("atlas"))
        }
    }

    @Test func headIsTreatedAsGetWithoutBody() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"id": "1", "theme": "x"}"#)
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request("HEAD", "/v1/shelves/1")
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(invoker.callCount == 1)
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"id": "1"}"#)
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let request = TestHTTPClient.encode("GET", "/v1/shelves/1")
            let responses = try await TestHTTPClient.exchange(port: gateway.port, [request, request, request])
            #expect(responses.map(\.status) == [200, 200, 200])
        }
    }

    @Test func serverStreamAsNDJSONAndSSEWithInBandErrors() async throws {
        let invoker = FakeInvoker()
        invoker.onStream("WatchShelf") { call, continuation in
            for sequence in 1...3 {
                continuation.yield(try! FakeInvoker.encodeReply(call, json: "{\"sequence\": \"\(sequence)\"}"))
            }
            continuation.finish(throwing: CallError(.backendClosed, "backend hung up"))
        }
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let ndjson = try await gateway.request("GET", "/v1/shelves/7:watch")
            #expect(ndjson.status == 200)
            #expect(ndjson.header("Content-Type") == "application/x-ndjson")
            let lines = ndjson.text.split(separator: "\n")
            #expect(lines.count == 4)
            #expect(lines.first == #"{"sequence":"1"}"#)
            #expect(lines.last?.hasPrefix(#"{"error":{"code":"BACKEND_CLOSED""#) == true)

            let sse = try await gateway.request(
                "GET", "/v1/shelves/7:watch", headers: [("Accept", "text/event-stream")])
            #expect(sse.header("Content-Type") == "text/event-stream")
            #expect(sse.text.hasPrefix("retry: 3000\n\nid: 1\ndata: {\"sequence\":\"1\"}\n\n"), "\(sse.text)")
            #expect(sse.text.contains("event: error\ndata: {\"code\":\"BACKEND_CLOSED\""))
        }
    }

    @Test func streamErrorBeforeTheFirstMessageIsAnOrdinaryError() async throws {
        let invoker = FakeInvoker()
        invoker.onStream("WatchShelf") { _, continuation in
            continuation.finish(throwing: CallError(.grpc(.notFound), "no such shelf"))
        }
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request("GET", "/v1/shelves/7:watch")
            #expect(response.status == 404)
            #expect(response.errorCode == "NOT_FOUND")
            #expect(response.text.contains("\"grpc_code\":\"5\""))
        }
    }
}
