import Foundation
import GenericCall
import PorticoTestSupport
import Testing

@testable import Gateway

/// The whole product against servers someone else wrote: HTTP requests (from the test client and from curl) through
/// the gateway and GenericCall to an Apache Thrift server (Python runtime, `thrift --gen py` code) and a grpcio
/// server (no generated code), both started here on loopback and always stopped. Tests/peers documents what each
/// server computes.
@Suite("Live: real Apache Thrift and grpcio backends", .serialized)
struct RealPeerTests {
    /// A gateway whose only service is served by `peer`; the peer is stopped however the body ends.
    static func withGateway<T: Sendable>(
        peer arguments: [String], service: (Int) -> String,
        _ body: @Sendable (GatewayFixture) async throws -> T
    ) async throws -> T {
        let peer = try await onOwnThread { try PeerServer(arguments) }
        defer { peer.stop() }
        let invoker = GenericCallInvoker()
        do {
            let result = try await GatewayFixture.with(
                try Fixtures.config(services: service(peer.port)), backend: invoker, body)
            await invoker.shutdown()
            return result
        } catch {
            await invoker.shutdown()
            throw error
        }
    }

    static func thriftService(framing: String, encoding: String) -> (Int) -> String {
        { port in
            """
              - name: admin
                schema: \(Fixtures.descriptors)/bookstore.thrift
                service: BookstoreAdmin
                framing: \(framing)
                protocol: \(encoding)
                endpoints: [127.0.0.1:\(port)]
                timeouts: { connect: 1s, rpc: 700ms }
                retry: { max_attempts: 1 }
            """
        }
    }

    static let thriftVariants: [(framing: String, encoding: String)] = [
        ("framed", "binary"), ("framed", "compact"), ("buffered", "binary"), ("buffered", "compact"),
    ]

    @Test("annotated and generic routes return what the Apache Thrift server computed", arguments: 0..<4)
    func apacheThrift(_ variant: Int) async throws {
        let (framing, encoding) = Self.thriftVariants[variant]
        let generated = try ThriftGenerated.directory.get()
        try await Self.withGateway(
            peer: [
                "python3", Repo.peers + "/thrift_rpc_server.py", "--gen", generated, "--transport", framing,
                "--protocol", encoding,
            ],
            service: Self.thriftService(framing: framing, encoding: encoding)
        ) { gateway in
            // Annotated GET: path and query bindings in, api.body and api.header bindings out.
            let book = try await gateway.request("GET", "/v1/shelves/3/books/7?fields=title&fields=tags")
            #expect(book.status == 200, "\(book.text)")
            #expect(book.header("ETag") == "e-7")
            #expect(book.text.contains(#""title":"Book 7 on shelf 3""#), "\(book.text)")
            #expect(book.text.contains(#""id":"7""#), "api.js_conv renders the i64 as a string: \(book.text)")
            #expect(book.text.contains(#""tags":["#), "\(book.text)")

            // An inherited annotated POST whose reply is a bare i32 the server doubled.
            let reindex = try await gateway.request("POST", "/admin/v1/shelves/21/reindex")
            #expect(reindex.status == 200)
            #expect(reindex.text == "42", "\(reindex.text)")

            // The generic route of an inherited method, and of a method with no arguments.
            let generic = try await gateway.request("POST", "/BookstoreAdmin/Reindex", body: #"{"shelf": 5}"#)
            #expect(generic.status == 200)
            #expect(generic.text == "10", "\(generic.text)")
            let ping = try await gateway.request("POST", "/BookstoreAdmin/Ping", body: "{}")
            #expect(ping.text == "true", "\(ping.text)")

            // The declared exception the server raised, and the TApplicationException of an unexpected error.
            let missing = try await gateway.request("GET", "/v1/shelves/3/books/404")
            #expect(missing.status == 404, "BookNotFound's api.http_code field: \(missing.text)")
            #expect(missing.text.contains(#""code":"DECLARED_EXCEPTION""#), "\(missing.text)")
            #expect(missing.text.contains("no book 404"), "\(missing.text)")
            let crashed = try await gateway.request("GET", "/v1/shelves/3/books/500")
            #expect(crashed.status == 500)
            #expect(crashed.text.contains(#""code":"APPLICATION_EXCEPTION""#), "\(crashed.text)")

            // A server that takes 3 s: the configured RPC timeout answers, then an earlier caller deadline does;
            // the connection is not reused for the late reply, so the next call still gets its own answer.
            let slow = try await gateway.request("GET", "/v1/shelves/3/books/999")
            #expect(slow.status == 504)
            #expect(slow.text.contains(#""code":"RPC_TIMEOUT""#), "\(slow.text)")
            let hurried = try await gateway.request(
                "GET", "/v1/shelves/3/books/999", headers: [("X-Portico-Timeout", "100ms")])
            #expect(hurried.status == 504)
            #expect(hurried.text.contains(#""code":"TIMEOUT_BY_CALLER""#), "\(hurried.text)")
            let after = try await gateway.request("GET", "/v1/shelves/4/books/8")
            #expect(after.text.contains(#""title":"Book 8 on shelf 4""#), "\(after.text)")

            // A real HTTP client someone else wrote.
            if CurlTests.curl != nil {
                let viaCurl = try await CurlTests.run([
                    "-i", "http://127.0.0.1:\(gateway.port)/v1/shelves/2/books/11?fields=title",
                ])
                #expect(viaCurl.hasPrefix("HTTP/1.1 200"), "\(viaCurl)")
                #expect(viaCurl.lowercased().contains("etag: e-11"), "\(viaCurl)")
                #expect(viaCurl.contains(#""title":"Book 11 on shelf 2""#), "\(viaCurl)")
            }
        }
    }

    static func grpcService(port: Int) -> String {
        """
          - name: books
            schema: \(Fixtures.descriptors)/bookstore.proto
            include: [\(Fixtures.descriptors)]
            service: bookstore.v1.Bookstore
            framing: grpc
            endpoints: [127.0.0.1:\(port)]
            timeouts: { connect: 1s, rpc: 700ms }
            retry: { max_attempts: 1 }
        """
    }

    @Test("unary, streaming, statuses and deadlines against a grpcio server")
    func grpcio() async throws {
        try await Self.withGateway(
            peer: ["python3", Repo.peers + "/grpc_server.py", "--descriptors", Fixtures.descriptors + "/bookstore.pb"],
            service: Self.grpcService
        ) { gateway in
            let book = try await gateway.request("GET", "/v1/shelves/3/books/7")
            #expect(book.status == 200, "\(book.text)")
            #expect(book.text.contains(#""name":"shelves/3/books/7""#), "\(book.text)")
            #expect(book.text.contains(#""id":"7""#), "proto3 JSON renders int64 as a string: \(book.text)")
            #expect(book.text.contains(#""title":"Book 7""#), "\(book.text)")

            let generic = try await gateway.request(
                "POST", "/bookstore.v1.Bookstore/GetBook", body: #"{"name": "shelves/1/books/12"}"#)
            #expect(generic.status == 200)
            #expect(generic.text.contains(#""title":"Book 12""#), "\(generic.text)")

            // The grpcio server aborts with NOT_FOUND: the standard status table.
            let missing = try await gateway.request("GET", "/v1/shelves/3/books/404")
            #expect(missing.status == 404, "\(missing.text)")
            #expect(missing.text.contains(#""code":"NOT_FOUND""#), "\(missing.text)")
            // A method the server does not implement.
            let unimplemented = try await gateway.request("GET", "/v1/shelves/3")
            #expect(unimplemented.status == 501, "\(unimplemented.text)")
            #expect(unimplemented.text.contains("UNIMPLEMENTED"), "\(unimplemented.text)")

            // Server streaming: three events as NDJSON and as Server-Sent Events; an abort after the first event
            // arrives in-band.
            let ndjson = try await gateway.request(
                "GET", "/v1/shelves/5:watch", headers: [("Accept", "application/x-ndjson")])
            #expect(ndjson.status == 200)
            let lines = ndjson.text.split(separator: "\n")
            #expect(lines.count == 3, "\(ndjson.text)")
            #expect(lines.last?.contains(#""sequence":"3""#) == true, "\(ndjson.text)")
            let events = try await gateway.request(
                "GET", "/v1/shelves/5:watch", headers: [("Accept", "text/event-stream")])
            #expect(events.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(events.text.components(separatedBy: "data: ").count == 4, "\(events.text)")
            let aborted = try await gateway.request(
                "GET", "/v1/shelves/13:watch", headers: [("Accept", "application/x-ndjson")])
            let abortedLines = aborted.text.split(separator: "\n")
            #expect(abortedLines.count == 2, "\(aborted.text)")
            #expect(abortedLines.last?.contains(#""code":"ABORTED""#) == true, "\(aborted.text)")

            // Deadlines: the server sleeps 3 s; the route's RPC timeout, then an earlier grpc-timeout from the
            // caller, each answer 504 with their own code.
            let slow = try await gateway.request("GET", "/v1/shelves/3/books/999")
            #expect(slow.status == 504)
            #expect(slow.text.contains(#""code":"RPC_TIMEOUT""#), "\(slow.text)")
            let hurried = try await gateway.request(
                "GET", "/v1/shelves/3/books/999", headers: [("grpc-timeout", "150m")])
            #expect(hurried.status == 504)
            #expect(hurried.text.contains(#""code":"TIMEOUT_BY_CALLER""#), "\(hurried.text)")

            if CurlTests.curl != nil {
                let viaCurl = try await CurlTests.run([
                    "-N", "-H", "Accept: text/event-stream", "http://127.0.0.1:\(gateway.port)/v1/shelves/8:watch",
                ])
                #expect(viaCurl.components(separatedBy: "data: ").count == 4, "\(viaCurl)")
            }
        }
    }

    @Test("a refused endpoint next to a live grpcio server: every request succeeds on a retry elsewhere")
    func retriesOnAnotherEndpoint() async throws {
        try await Self.withGateway(
            peer: ["python3", Repo.peers + "/grpc_server.py", "--descriptors", Fixtures.descriptors + "/bookstore.pb"],
            service: { port in
                """
                  - name: books
                    schema: \(Fixtures.descriptors)/bookstore.proto
                    include: [\(Fixtures.descriptors)]
                    service: bookstore.v1.Bookstore
                    framing: grpc
                    endpoints: [127.0.0.1:1, 127.0.0.1:\(port)]
                    balance: round-robin
                    timeouts: { connect: 1s, rpc: 2s }
                    retry: { max_attempts: 2, backoff: none, budget_percent: 100 }
                """
            }
        ) { gateway in
            for index in 1...8 {
                let book = try await gateway.request("GET", "/v1/shelves/1/books/\(index)")
                #expect(book.status == 200, "request \(index): \(book.text)")
                #expect(book.text.contains(#""title":"Book \#(index)""#), "\(book.text)")
            }
        }
    }
}
