import GenericCall
import Testing

@testable import Gateway

/// Every code of shared/specs/errors.md that the gateway can produce without a real backend, with its status.
@Suite("Live: error codes")
struct ErrorCodeTests {
    static let backendCodes: [(CallErrorCode, Int, String)] = [
        (.rpcTimeout, 504, "RPC_TIMEOUT"),
        (.timeoutByCaller, 504, "TIMEOUT_BY_CALLER"),
        (.connectTimeout, 503, "CONNECT_TIMEOUT"),
        (.unavailable, 503, "UNAVAILABLE"),
        (.backendClosed, 502, "BACKEND_CLOSED"),
        (.badBackendReply, 502, "BAD_BACKEND_REPLY"),
        (.applicationException, 500, "APPLICATION_EXCEPTION"),
        (.declaredException(httpStatus: 409), 409, "DECLARED_EXCEPTION"),
        (.businessError(httpStatus: 422), 422, "BUSINESS_ERROR"),
        (.grpc(.alreadyExists), 409, "ALREADY_EXISTS"),
        (.grpc(.resourceExhausted), 429, "RESOURCE_EXHAUSTED"),
        (.grpc(.unimplemented), 501, "UNIMPLEMENTED"),
        (.grpc(.permissionDenied), 403, "PERMISSION_DENIED"),
        (.unauthenticated, 401, "UNAUTHENTICATED"),
        (.permissionDenied, 403, "PERMISSION_DENIED"),
        (.retryExhausted(last: CallErrorCodeBox(.unavailable)), 503, "RETRY_EXHAUSTED"),
    ]

    @Test func backendErrorsRenderWithTheirStatus() async throws {
        let invoker = FakeInvoker()
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            for (code, status, name) in Self.backendCodes {
                invoker.on("GetShelf") { _ throws(CallError) in
                    throw CallError(code, "failed on purpose", details: ["attempts": "3"])
                }
                let response = try await gateway.request("GET", "/v1/shelves/1")
                #expect(response.status == status, "\(name)")
                #expect(response.errorCode == name)
                #expect(response.header("Content-Type") == "application/json")
                #expect(response.text.contains("\"message\":\"failed on purpose\""))
            }
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains("portico_backend_errors_total{code=\"BACKEND_CLOSED\",service=\"books\"} 1"))
            #expect(metrics.text.contains("portico_retries_total{service=\"books\"} 2"))
        }
    }

    @Test func requestSideCodes() async throws {
        let invoker = FakeInvoker()
        invoker.reply("CreateShelf", json: "{}")
        let config = try Fixtures.config(services: Fixtures.protoService, extra: "limits: { max_body: 1KiB }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let cases: [(String, String, String, Int, String)] = [
                ("POST", "/bookstore.v1.Bookstore/CreateShelf", "{not json", 400, "INVALID_JSON"),
                ("POST", "/bookstore.v1.Bookstore/CreateShelf", #"{"shelf": {"id": "x"}}"#, 400, "INVALID_ARGUMENT"),
                ("GET", "/v2/nothing", "", 404, "ROUTE_NOT_FOUND"),
                ("POST", "/bookstore.v1.Bookstore/Missing", "{}", 404, "METHOD_NOT_FOUND"),
                ("POST", "/nope.v1.Service/Method", "{}", 404, "METHOD_NOT_FOUND"),
                (
                    "POST", "/bookstore.v1.Bookstore/CreateShelf", String(repeating: " ", count: 2000) + "{}", 413,
                    "PAYLOAD_TOO_LARGE"
                ),
                ("POST", "/admin/descriptors/x", "{}", 401, "UNAUTHENTICATED"),
            ]
            for (method, path, body, status, code) in cases {
                let response = try await gateway.request(method, path, body: body)
                #expect(response.status == status, "\(method) \(path)")
                #expect(response.errorCode == code, "\(method) \(path): \(response.text)")
            }
            let badHeader = try await gateway.request("GET", "/v1/shelves/1", headers: [("grpc-timeout", "soon")])
            #expect(badHeader.status == 400)
            #expect(badHeader.errorCode == "INVALID_ARGUMENT")
        }
    }

    @Test func unknownFieldsAreRefusedUnlessTheServiceIgnoresThem() async throws {
        let invoker = FakeInvoker()
        invoker.reply("CreateShelf", json: "{}")
        // Strict by default, as Envoy's transcoder and protojson: a typo never reaches the backend as a missing field.
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            let response = try await gateway.request(
                "POST", "/bookstore.v1.Bookstore/CreateShelf", body: #"{"shelf": {"nope": 1}}"#)
            #expect(response.status == 400)
            #expect(response.errorCode == "UNKNOWN_FIELD")
            #expect(response.text.contains("nope"))
        }
        #expect(invoker.callCount == 0)
        let lenient = try Fixtures.config(services: Fixtures.protoService + "\n    strict: false")
        try await GatewayFixture.with(lenient, invoker: invoker) { gateway in
            let response = try await gateway.request(
                "POST", "/bookstore.v1.Bookstore/CreateShelf", body: #"{"shelf": {"nope": 1}}"#)
            #expect(response.status == 200)
        }
    }

    @Test func chunkedBodyOverTheLimitIsRefused() async throws {
        let invoker = FakeInvoker()
        invoker.reply("CreateShelf", json: "{}")
        let config = try Fixtures.config(services: Fixtures.protoService, extra: "limits: { max_body: 1KiB }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            func chunked(_ size: Int) -> [UInt8] {
                let chunk = "{\"shelf\": {\"theme\": \"" + String(repeating: "a", count: size) + "\"}}"
                let head =
                    "POST /bookstore.v1.Bookstore/CreateShelf HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                return Array((head + String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n").utf8)
            }
            let small = try await TestHTTPClient.exchange(port: gateway.port, [chunked(100)])
            #expect(small.first?.status == 200)
            let large = try await TestHTTPClient.exchange(port: gateway.port, [chunked(5000)])
            #expect(large.first?.status == 413)
            #expect(large.first?.errorCode == "PAYLOAD_TOO_LARGE")
            #expect(invoker.callCount == 1)
        }
    }
}
