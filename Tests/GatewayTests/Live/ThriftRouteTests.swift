import GenericCall
import Testing

@testable import Gateway

@Suite("Live: Thrift routes")
struct ThriftRouteTests {
    static func config() throws -> GatewayConfig { try Fixtures.config(services: Fixtures.thriftService) }

    @Test func annotatedRouteWithPathQueryHeaderAndReplyHeaders() async throws {
        let invoker = FakeInvoker()
        invoker.on("GetBook") { call throws(CallError) in
            let args = FakeInvoker.requestJSON(call)
            guard args.contains("\"shelf\":\"3\"") || args.contains("\"shelf\":3") else {
                throw CallError(.invalidArgument, "args \(args)")
            }
            return try FakeInvoker.encodeReply(
                call, json: #"{"success": {"book": {"id": "9", "title": "Dune"}, "etag": "v1", "status": 200}}"#)
        }
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request(
                "GET", "/v1/shelves/3/books/9?fields=title", headers: [("X-User", "alice")])
            #expect(response.status == 200)
            #expect(response.header("ETag") == "v1")
            #expect(response.text.contains("\"title\":\"Dune\""))
            let call = try #require(invoker.calls.withLock { $0.last })
            #expect(call.hashKey == "alice")
            #expect(call.service.framing == .framed)
        }
    }

    @Test func declaredExceptionUsesItsHTTPCode() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetBook", json: #"{"nf": {"status": 404, "message": "no book 9"}}"#)
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request("GET", "/v1/shelves/3/books/9")
            #expect(response.status == 404)
            #expect(response.text.contains("no book 9"))
        }
    }

    @Test func genericRouteAndInheritedMethod() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let response = try await gateway.request("POST", "/Bookstore/GetShelf", body: #"{"shelf": 5}"#)
            #expect(response.status == 200)
            #expect(response.text.contains("\"theme\":\"sea\""))
            let qualified = try await gateway.request("POST", "/bookstore.Bookstore/GetShelf", body: #"{"shelf": 5}"#)
            #expect(qualified.status == 200)
            // Health.Ping is inherited through `extends`.
            invoker.reply("Ping", json: #"{"success": true}"#)
            let inherited = try await gateway.request("POST", "/Bookstore/Ping", body: "{}")
            #expect(inherited.status == 200, "\(inherited.text)")
            let unknown = try await gateway.request("POST", "/Bookstore/Nope", body: "{}")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "METHOD_NOT_FOUND")
        }
    }

    @Test func compactProtocol() async throws {
        let invoker = FakeInvoker()
        invoker.on("GetShelf") { call throws(CallError) in
            // The arguments arrive compact-encoded: they decode only as compact.
            guard FakeInvoker.requestJSON(call).contains("\"shelf\":") else {
                throw CallError(.invalidArgument, "not compact")
            }
            return try FakeInvoker.encodeReply(call, json: #"{"success": {"id": "5", "theme": "compact"}}"#)
        }
        let config = try Fixtures.config(
            services: Fixtures.thriftService.replacingOccurrences(of: "protocol: binary", with: "protocol: compact"))
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let response = try await gateway.request("GET", "/v1/shelves/5")
            #expect(response.status == 200)
            #expect(response.text.contains("compact"))
            #expect(invoker.calls.withLock { $0.last?.service.thriftProtocol } == .compact)
        }
    }

    @Test func missingRequiredFieldAndInvalidArgument() async throws {
        let invoker = FakeInvoker()
        try await GatewayFixture.with(try Self.config(), invoker: invoker) { gateway in
            let missing = try await gateway.request("POST", "/v1/shelves", body: #"{"labels": {}}"#)
            #expect(missing.status == 400)
            #expect(missing.errorCode == "MISSING_REQUIRED_FIELD")
            let invalid = try await gateway.request("GET", "/v1/shelves/notanumber")
            #expect(invalid.status == 400)
            #expect(invalid.errorCode == "INVALID_ARGUMENT")
            #expect(invoker.callCount == 0)
        }
    }
}
