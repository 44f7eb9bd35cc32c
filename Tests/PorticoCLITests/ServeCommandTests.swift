import Foundation
import PorticoTestSupport
import Testing

/// `portico serve` as a user runs it: the real binary in its own process (with its metrics system bootstrapped, as
/// in production), `portico mock` backends in theirs, and curl as the HTTP client.
@Suite(.serialized) struct ServeCommandTests {
    static let binary = CodecCommandTests.binary
    static let descriptors = CodecCommandTests.descriptors

    /// The port at the end of a "... on http://127.0.0.1:PORT" or "... listening on 127.0.0.1:PORT" line.
    static func trailingPort(_ line: String) -> Int? {
        guard line.contains("127.0.0.1:"), let last = line.split(separator: ":").last else { return nil }
        return Int(last)
    }

    /// Status code and body of one curl request.
    static func curl(_ method: String, _ url: String, body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "10", "-X", method, "-w", "\n%{http_code}"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try runProcess("curl", arguments + [url])
        let text = result.text
        guard let split = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: split)...]) else {
            throw PeerFailure(description: "curl \(url): \(text) \(result.stderr)")
        }
        return (status, String(text[..<split]))
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "portico-serve-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func theDemoAnswersTheCommandsItPrints() throws {
        let store = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let server = try PeerServer(
            [Self.binary, "serve", "--listen", "127.0.0.1:0", "--descriptors", Self.descriptors, "--store", store],
            port: Self.trailingPort)
        defer { server.stop() }
        #expect(server.firstLine.hasPrefix("Portico demo gateway on http://127.0.0.1:"), "\(server.firstLine)")
        let base = "http://127.0.0.1:\(server.port)"

        let book = try Self.curl("GET", base + "/v1/shelves/1/books/7")
        #expect(book.status == 200, "\(book.body)")
        #expect(book.body.contains(#""title""#), "\(book.body)")
        let gone = try Self.curl("DELETE", base + "/v1/shelves/1/books/404")
        #expect(gone.status == 404, "\(gone.body)")
        #expect(gone.body.contains(#""code":"DECLARED_EXCEPTION""#), "\(gone.body)")
        let reindex = try Self.curl("POST", base + "/BookstoreAdmin/Reindex", body: #"{"shelf": 3}"#)
        #expect(reindex.status == 200, "\(reindex.body)")
        let stock = try Self.curl("GET", base + "/v1/inventory/dune-1965")
        #expect(stock.status == 200, "\(stock.body)")

        // The backend error above is counted by GenericCall and by the gateway in one Prometheus registry.
        let metrics = try Self.curl("GET", base + "/metrics")
        #expect(metrics.status == 200)
        #expect(
            metrics.body.contains(#"portico_http_requests_total{route="DELETE /v1/shelves/:shelf/books/:id",status="404"} 1"#),
            "\(metrics.body.prefix(600))")
        #expect(metrics.body.contains(#"portico_backend_call_seconds_count{backend="inventory",method="GetStock"}"#))
        #expect(try Self.curl("GET", base + "/healthz").status == 200)
        #expect(server.process.isRunning)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func failingAndSlowBackendsGiveTheirCodesAndAreCounted() throws {
        let thrift = Self.descriptors + "/bookstore.thrift"
        let proto = Self.descriptors + "/demo/inventory.proto"
        let failing = try PeerServer(
            [
                Self.binary, "mock", "--schema", thrift, "--service", "BookstoreAdmin", "--framing", "framed",
                "--listen", "127.0.0.1:0", "--fail-rate", "1", "--fail-mode", "exception",
            ], port: Self.trailingPort)
        defer { failing.stop() }
        let slow = try PeerServer(
            [
                Self.binary, "mock", "--schema", proto, "--include", Self.descriptors, "--service",
                "inventory.v1.Inventory", "--framing", "grpc",
                "--listen", "127.0.0.1:0", "--delay-ms", "400",
            ], port: Self.trailingPort)
        defer { slow.stop() }

        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/portico.yaml"
        try Data(
            """
            listen: 127.0.0.1:0
            store: \(directory)/store
            services:
              - name: admin
                schema: \(thrift)
                service: BookstoreAdmin
                framing: framed
                endpoints: [127.0.0.1:\(failing.port)]
                retry: { max_attempts: 1 }
              - name: inventory
                schema: \(proto)
                include: [\(Self.descriptors)]
                service: inventory.v1.Inventory
                framing: grpc
                endpoints: [127.0.0.1:\(slow.port)]
                timeouts: { connect: 1s, rpc: 100ms }
            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let server = try PeerServer([Self.binary, "serve", "--config", config], port: Self.trailingPort)
        defer { server.stop() }
        #expect(server.firstLine.hasPrefix("portico gateway listening on http://127.0.0.1:"), "\(server.firstLine)")
        let base = "http://127.0.0.1:\(server.port)"

        for _ in 0..<4 {
            let failed = try Self.curl("POST", base + "/BookstoreAdmin/Reindex", body: #"{"shelf": 1}"#)
            #expect(failed.status == 500, "\(failed.body)")
            #expect(failed.body.contains(#""code":"APPLICATION_EXCEPTION""#), "\(failed.body)")
        }
        for _ in 0..<2 {
            let late = try Self.curl("GET", base + "/v1/inventory/dune")
            #expect(late.status == 504, "\(late.body)")
            #expect(late.body.contains(#""code":"RPC_TIMEOUT""#), "\(late.body)")
        }
        let unknown = try Self.curl("POST", base + "/BookstoreAdmin/NoSuchMethod", body: "{}")
        #expect(unknown.status == 404, "\(unknown.body)")

        let metrics = try Self.curl("GET", base + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("APPLICATION_EXCEPTION"), "backend errors by code: \(metrics.body.prefix(600))")
        #expect(metrics.body.contains("portico_timeouts_total"), "timeouts by kind")
        #expect(try Self.curl("GET", base + "/healthz").status == 200)
        #expect(server.process.isRunning, "the gateway is still up after every kind of backend failure")
    }
}
