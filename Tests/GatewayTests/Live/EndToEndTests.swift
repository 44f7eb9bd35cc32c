import Foundation
import DynamicCodec
import GenericCall
import Testing

@testable import Gateway

/// The whole pipeline with GenericCall as the backend client: HTTP in, real RPC frames over real sockets to mock
/// backends (TTHeader Thrift and gRPC), and back.
@Suite("Live: end to end through GenericCall")
struct EndToEndTests {
    static func withBackends<T: Sendable>(
        thriftDelay: Duration = .zero, rpcTimeout: String = "5s", _ body: @Sendable (GatewayFixture, MockServer) async throws -> T
    ) async throws -> T {
        let thrift = try ServiceSchema.load(path: Fixtures.descriptors + "/bookstore.thrift", service: "Bookstore")
        let proto = try ServiceSchema.load(
            path: Fixtures.descriptors + "/demo/inventory.proto", includeDirectories: [Fixtures.descriptors],
            service: "inventory.v1.Inventory")
        let thriftMock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try MockResponses(json: Array(#"""
                {"GetBook": {"reply": {"book": {"id": "9", "title": "Dune"}, "etag": "v1", "status": 200}},
                 "DeleteBook": {"exception": "nf", "value": {"status": 404, "message": "no book"}}}
                """#.utf8))),
            framing: .ttheader, behavior: MockBehavior(delay: thriftDelay))
        let grpcMock = MockServer(
            responder: try MockResponder(schema: proto, responses: try MockResponses(json: Array(#"""
                {"GetStock": {"reply": {"sku": "dune", "copiesByWarehouse": {"berlin": 12}}},
                 "WatchStock": {"replies": [{"warehouse": "berlin", "delta": 1}, {"warehouse": "lyon", "delta": -1}]}}
                """#.utf8))),
            framing: .grpc)
        let thriftEndpoint = try await thriftMock.start(port: 0)
        let grpcEndpoint = try await grpcMock.start(port: 0)
        let config = try Fixtures.config(services: """
              - name: books
                schema: \(Fixtures.descriptors)/bookstore.thrift
                service: Bookstore
                framing: ttheader
                endpoints: [\(thriftEndpoint)]
                forward_headers: [X-Tenant]
                timeouts: { connect: 1s, rpc: \(rpcTimeout) }
                retry: { max_attempts: 1 }
              - name: inventory
                schema: \(Fixtures.descriptors)/demo/inventory.proto
                include: [\(Fixtures.descriptors)]
                service: inventory.v1.Inventory
                framing: grpc
                endpoints: [\(grpcEndpoint)]
            """)
        return try await GatewayFixture.withBackends(config, stopping: [thriftMock, grpcMock]) {
            try await body($0, thriftMock)
        }
    }

    @Test func thriftAndGRPCRoutesReachTheBackends() async throws {
        try await Self.withBackends { gateway, thriftMock in
            let book = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("X-Request-Id", "abc-1"), ("X-Tenant", "blue")])
            #expect(book.status == 200)
            #expect(book.header("ETag") == "v1")
            #expect(book.text.contains(#""title":"Dune""#))
            let seen = thriftMock.lastRequestHeaders
            #expect(seen["int:2"] == "abc-1", "the request id travels as the TTHeader LogID")
            #expect(seen["int:9"] == "GetBook")
            // Forwarded headers and the request id as keys Kitex handlers can see.
            #expect(seen["RPC_TRANSIT_x-tenant"] == "blue" && seen["RPC_TRANSIT_x-request-id"] == "abc-1", "\(seen)")
            // A header TTHeader cannot carry is refused with 431, not cut or trapped on.
            let huge = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("X-Tenant", String(repeating: "t", count: 70_000))])
            #expect(huge.status == 431 && huge.errorCode == "HEADERS_TOO_LARGE", "\(huge.status) \(huge.text.prefix(200))")
            #expect((1...5000).contains(Int(seen["int:12"] ?? "") ?? -1), "the remaining budget: \(seen["int:12"] ?? "none")")

            let gone = try await gateway.request("DELETE", "/v1/shelves/3/books/9")
            #expect(gone.status == 404)
            #expect(gone.text.contains("DECLARED_EXCEPTION"))

            let grpc = try await gateway.request("GET", "/v1/inventory/dune")
            #expect(grpc.status == 200)
            #expect(grpc.text.contains(#""berlin":12"#), "\(grpc.text)")
            let generic = try await gateway.request(
                "POST", "/inventory.v1.Inventory/GetStock", body: #"{"sku": "dune"}"#)
            #expect(generic.status == 200)
            let stream = try await gateway.request(
                "GET", "/v1/inventory/dune:watch", headers: [("Accept", "application/x-ndjson")])
            #expect(stream.text.split(separator: "\n").count == 2, "\(stream.text)")
        }
    }

    @Test func aSlowBackendGivesRPCTimeoutAndAnEarlierCallerDeadlineWins() async throws {
        // Only this test needs a short RPC timeout: with 300 ms everywhere, a loaded machine timed out the
        // ordinary calls of the other tests now and then.
        try await Self.withBackends(thriftDelay: .seconds(1), rpcTimeout: "300ms") { gateway, _ in
            let slow = try await gateway.request("GET", "/v1/shelves/3/books/9")
            #expect(slow.status == 504)
            #expect(slow.text.contains("RPC_TIMEOUT"), "\(slow.text)")
            let caller = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("X-Portico-Timeout", "50ms")])
            #expect(caller.status == 504)
            #expect(caller.text.contains("TIMEOUT_BY_CALLER"), "\(caller.text)")
        }
    }

    @Test func anUnreachableBackendIsUnavailable() async throws {
        let config = try Fixtures.config(services: """
              - name: books
                schema: \(Fixtures.descriptors)/bookstore.thrift
                service: Bookstore
                framing: framed
                endpoints: [127.0.0.1:1]
            """)
        let invoker = GenericCallInvoker()
        try await GatewayFixture.with(config, backend: invoker) { gateway in
            let response = try await gateway.request("GET", "/v1/shelves/3/books/9")
            #expect(response.status == 503)
            #expect(response.text.contains("UNAVAILABLE"), "\(response.text)")
        }
        await invoker.shutdown()
    }

    @Test func aServiceOnTheShmIPCTransportIsServedThroughSharedMemory() async throws {
        let thrift = try ServiceSchema.load(path: Fixtures.descriptors + "/bookstore.thrift", service: "Bookstore")
        let mock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try MockResponses(json: Array(#"""
                {"GetBook": {"reply": {"book": {"id": "5", "title": "Over shared memory"}, "etag": "s1", "status": 200}}}
                """#.utf8))),
            framing: .ttheader)
        let path = NSTemporaryDirectory() + "portico-gw-shm-\(getpid()).sock"
        _ = try await mock.start(shmipcPath: path)
        let config = try Fixtures.config(services: """
              - name: books
                schema: \(Fixtures.descriptors)/bookstore.thrift
                service: Bookstore
                framing: ttheader
                transport: shmipc
                endpoints: [\(path)]
                timeouts: { connect: 1s, rpc: 2s }
            """)
        try await GatewayFixture.withBackends(config, stopping: [mock]) { gateway in
            for _ in 0..<3 {
                let book = try await gateway.request(
                    "GET", "/v1/shelves/3/books/5", headers: [("X-Request-Id", "shm-1")])
                #expect(book.status == 200, "\(book.text)")
                #expect(book.header("ETag") == "s1")
                #expect(book.text.contains(#""title":"Over shared memory""#), "\(book.text)")
            }
            #expect(mock.lastRequestHeaders["int:2"] == "shm-1", "the request id travels as the TTHeader LogID")
        }
    }

    @Test("Protobuf over TTHeader as Kitex frames it: the gateway to a Kitex-protobuf backend and back")
    func protobufOverTTHeader() async throws {
        let proto = try ServiceSchema.load(
            path: Fixtures.descriptors + "/demo/inventory.proto", includeDirectories: [Fixtures.descriptors],
            service: "inventory.v1.Inventory")
        let mock = MockServer(
            responder: try MockResponder(schema: proto, responses: try MockResponses(json: Array(#"""
                {"GetStock": {"reply": {"sku": "dune", "copiesByWarehouse": {"berlin": 12}}}}
                """#.utf8))),
            framing: .ttheader)
        let endpoint = try await mock.start(port: 0)
        let config = try Fixtures.config(services: """
              - name: inventory
                schema: \(Fixtures.descriptors)/demo/inventory.proto
                include: [\(Fixtures.descriptors)]
                service: inventory.v1.Inventory
                framing: ttheader
                endpoints: [\(endpoint)]
            """)
        try await GatewayFixture.withBackends(config, stopping: [mock]) { gateway in
            let stock = try await gateway.request("GET", "/v1/inventory/dune", headers: [("X-Request-Id", "kx-1")])
            #expect(stock.status == 200, "\(stock.text)")
            #expect(stock.text.contains(#""berlin":12"#), "\(stock.text)")
            let seen = mock.lastRequestHeaders
            #expect(seen["RPC_TRANSIT_x-request-id"] == "kx-1" && seen["int:2"] == "kx-1", "\(seen)")
        }
    }
}
