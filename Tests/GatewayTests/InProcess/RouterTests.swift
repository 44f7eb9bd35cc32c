import GenericCall
import HTTPTypes
import Logging
import ServiceLifecycle
import Testing

@testable import Gateway

/// The request pipeline without sockets: routing, snapshots, operations endpoints.
@Suite("In-process router")
struct RouterTests {
    /// The example service with timeouts no loaded test machine reaches: these tests check routing, not deadlines
    /// (a fake's reply runs as a task, which a busy 2-core pool can delay by seconds).
    static let service = Fixtures.protoService
        .replacingOccurrences(of: "timeouts: { connect: 50ms, rpc: 2s }", with: "timeouts: { connect: 50ms, rpc: 60s }")
        .replacingOccurrences(of: "methods: { GetBook: { timeout: 300ms } }", with: "")

    static func server(_ invoker: FakeInvoker, services: String = service) throws -> GatewayServer {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try GatewayServer(config: try Fixtures.config(services: services), invoker: invoker, logger: logger)
    }

    @Test func routesAnnotatedAdditionalBindingsAndCustomVerbs() async throws {
        let invoker = FakeInvoker()
        for method in ["UpdateBook", "PublishBook", "GetBookCover", "ListBooks"] {
            invoker.on(method) { call throws(CallError) in
                try FakeInvoker.encodeReply(call, json: "{}")
            }
        }
        let server = try Self.server(invoker)
        #expect(try await server.inProcess(.patch, "/v1/shelves/1/books/2", body: #"{"title": "t"}"#).status == 200)
        #expect(
            try await server.inProcess(.put, "/v1/shelves/1/books/2", body: #"{"book": {"title": "t"}}"#).status == 200)
        #expect(try await server.inProcess(.post, "/v1/shelves/1/books/2:publish", body: "{}").status == 200)
        #expect(try await server.inProcess(.get, "/v1/shelves/1/books/2/cover?max_width=10").status == 200)
        #expect(
            try await server.inProcess(.get, "/v1/shelves/1/books?page_size=5&filter.genre=GENRE_POETRY").status == 200)
        let names = invoker.calls.withLock { $0.map(\.target.methodName) }
        #expect(names == ["UpdateBook", "UpdateBook", "PublishBook", "GetBookCover", "ListBooks"])
        let wrongMethod = try await server.inProcess(.delete, "/v1/shelves")
        #expect(wrongMethod.status == 404)
        #expect(wrongMethod.text.contains("the path has routes for GET, POST"))
    }

    @Test func clientStreamingAndStartupErrors() async throws {
        // A service the schema lacks, named with its key path.
        #expect {
            _ = try Self.server(
                FakeInvoker(),
                services: Fixtures.protoService.replacingOccurrences(
                    of: "service: bookstore.v1.Bookstore", with: "service: bookstore.v1.Nope"))
        } throws: { error in
            "\(error)".contains("services[0].service") && "\(error)".contains("bookstore.v1.Bookstore")
        }
        // Framing that does not carry the schema's messages.
        #expect {
            _ = try Self.server(FakeInvoker(), services: Fixtures.protoService + "\n    framing: framed")
        } throws: { error in
            "\(error)".contains("services[0].framing")
        }
        // A schema file that does not exist.
        #expect {
            _ = try Self.server(
                FakeInvoker(),
                services: Fixtures.protoService.replacingOccurrences(
                    of: "bookstore.proto", with: "missing.proto"))
        } throws: { error in
            "\(error)".contains("services[0].schema")
        }
        // A registry name nobody uploaded.
        #expect {
            _ = try Self.server(
                FakeInvoker(),
                services: "  - {name: r, schema: \"registry:nothing\", service: S, endpoints: [\"h:1\"]}")
        } throws: { error in
            "\(error)".contains("the registry has no descriptors named 'nothing'")
        }
    }

    @Test func inFlightRequestsKeepTheirSnapshot() async throws {
        let invoker = FakeInvoker()
        let release = Shared(false)
        invoker.on("GetShelf") { call throws(CallError) in
            while !release.value, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            return try FakeInvoker.encodeReply(call, json: #"{"theme": "old snapshot"}"#)
        }
        let server = try Self.server(invoker)
        async let slow = server.inProcess(.get, "/v1/shelves/1")
        while invoker.callCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let before = server.routes
        // Remove the service: new requests no longer find the route...
        try await server.handler.control.deleteService("books")
        #expect(server.routes.generation == before.generation + 1)
        #expect(try await server.inProcess(.get, "/v1/shelves/1").status == 404)
        // ...while the request that started before the swap finishes on its snapshot.
        release.update { $0 = true }
        let response = try await slow
        #expect(response.status == 200)
        #expect(response.text.contains("old snapshot"))
    }

    @Test func operationsEndpoints() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: "{}")
        let server = try Self.server(invoker)
        #expect(try await server.inProcess(.get, "/healthz").text == #"{"status":"ok"}"#)
        // Not listening yet: not ready.
        #expect(try await server.inProcess(.get, "/readyz").status == 503)
        _ = try await server.inProcess(.get, "/v1/shelves/1")
        _ = try await server.inProcess(.get, "/v1/shelves/1")
        _ = try await server.inProcess(.get, "/nowhere/at/all")
        let metrics = try await server.inProcess(.get, "/metrics").text
        #expect(metrics.contains(#"portico_http_requests_total{route="GET /v1/shelves/{shelf}",status="200"} 2"#))
        #expect(metrics.contains(#"portico_http_requests_total{route="unmatched",status="404"} 1"#))
        #expect(metrics.contains(#"portico_http_request_duration_seconds_bucket{route="GET /v1/shelves/{shelf}",le="#))
        #expect(metrics.contains("portico_route_snapshot_generation 1"))
    }

    @Test func gracefulShutdownDrainsInFlightRequests() async throws {
        let invoker = FakeInvoker()
        invoker.on("GetShelf") { call throws(CallError) in
            try? await Task.sleep(for: .milliseconds(300))
            return try FakeInvoker.encodeReply(call, json: #"{"theme": "drained"}"#)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = try GatewayServer(
            config: try Fixtures.config(services: Fixtures.protoService), invoker: invoker, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.listeningPort()
            #expect(try await TestHTTPClient.request(port: port, "GET", "/readyz").status == 200)
            async let inFlight = TestHTTPClient.request(port: port, "GET", "/v1/shelves/1")
            while invoker.callCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            let response = try await inFlight
            #expect(response.status == 200)
            #expect(response.text.contains("drained"))
            try await tasks.waitForAll()
        }
    }
}
