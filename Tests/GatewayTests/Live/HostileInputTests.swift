import Foundation
import GenericCall
import Synchronization
import PorticoTestSupport
import Testing

@testable import Gateway

let hostilePaths = [
    "/v1/shelves", "/v1/shelves/1", "/v1/shelves/%ZZ", "/v1/shelves/1/books/2", "/v1/shelves/%00/books",
    "/bookstore.v1.Bookstore/CreateShelf", "/bookstore.v1.Bookstore/GetBook", "/bookstore.v1.Bookstore/",
    "//", "/v1/shelves/1:watch", "/v1/shelves/1/books/2:publish", "/admin/descriptors/x",
    "/v1/" + String(repeating: "a/", count: 300),
    "/v1/shelves?page_size=abc", "/v1/shelves?page_size=%", "/v1/shelves/99999999999999999999999",
    "/bookstore.v1.Bookstore/UpdateBook", "/%2e%2e/%2e%2e/etc/passwd", "/v1/shelves/1/books/2/cover?max_width=-1",
]
let hostileBodies = [
    "", "{", "}", "[]", "null", "{\"shelf\":", "{\"shelf\": {\"id\": \"x\"}}", "{\"shelf\": {\"id\": 1e999}}",
    "{\"book\": {\"reviews\": {\"notanumber\": {}}}}", "{\"a\":" + String(repeating: "[", count: 5000),
    "\u{00}\u{01}\u{02}", "{\"shelf\": {\"labels\": {\"k\": 1}}}", "{\"book\": {\"genre\": \"NOPE\"}}",
    "{\"publish_time\": \"yesterday\"}", "{\"shelf\": {\"theme\": \"\\ud800\"}}",
    String(repeating: "{\"a\":1,", count: 1000),
]

@Suite("Live: hostile input")
struct HostileInputTests {
    @Test func thousandsOfMalformedRequestsGet4xxAndTheServerStaysHealthy() async throws {
        let invoker = FakeInvoker()
        // Whatever reaches the backend gets an empty reply.
        for method in [
            "ListShelves", "GetShelf", "CreateShelf", "GetBook", "UpdateBook", "PublishBook", "ListBooks",
            "CreateBook", "DeleteShelf", "DeleteBook", "GetBookCover",
        ] {
            invoker.reply(method, json: "{}")
        }
        invoker.onStream("WatchShelf") { _, continuation in continuation.finish() }
        let config = try Fixtures.config(services: Fixtures.protoService, extra: "limits: { max_body: 64KiB }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let problems = Shared<[String]>([])
            let counts = Shared<[Int: Int]>([:])
            let workers = 8
            let perWorker = 300
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var random = SplitMix(seed: UInt64(worker) &* 7919 &+ 17)
                        for _ in 0..<perWorker {
                            let (bytes, isRaw) = Self.hostileRequest(&random)
                            // A HEAD response announces the GET body's length and has no body.
                            let isHead = bytes.starts(with: Array("HEAD ".utf8))
                            let responses = try await TestHTTPClient.exchange(
                                port: gateway.port, [bytes], heads: [isHead], timeout: .seconds(10))
                            guard let response = responses.first else { continue }  // Closed: acceptable for garbage.
                            counts.update { $0[response.status, default: 0] += 1 }
                            // A zero deadline (`grpc-timeout: 0m`, `X-Portico-Timeout: 0ms`) may expire before the fake
                            // backend answers: 504 TIMEOUT_BY_CALLER is the right answer then.
                            let zeroDeadline = response.status == 504
                                && (response.text.contains("TIMEOUT_BY_CALLER") || response.body.isEmpty)
                                && (String(decoding: bytes, as: UTF8.self).contains("grpc-timeout: 0m")
                                    || String(decoding: bytes, as: UTF8.self).contains("X-Portico-Timeout: 0ms"))
                            let ok = (200..<300).contains(response.status) || (400..<500).contains(response.status)
                                || zeroDeadline
                            if !ok {
                                problems.update {
                                    $0.append(
                                        "\(response.status) for \(String(decoding: bytes.prefix(120), as: UTF8.self))")
                                }
                            } else if response.status >= 400, !isRaw || response.body.count > 0,
                                response.header("Content-Type") != "application/json" && response.body.count > 0
                            {
                                problems.update {
                                    $0.append("non-JSON \(response.status): \(response.text.prefix(80))")
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(problems.value.isEmpty, "\(problems.value.prefix(5))")
            let total = counts.update { $0.values.reduce(0, +) }
            #expect(total > workers * perWorker / 2)
            let health = try await gateway.request("GET", "/healthz")
            #expect(health.status == 200)
            let ready = try await gateway.request("GET", "/readyz")
            #expect(ready.status == 200)
            invoker.reply("GetShelf", json: #"{"theme": "still fine"}"#)
            let normal = try await gateway.request("GET", "/v1/shelves/1")
            #expect(normal.text.contains("still fine"))
        }
    }

    /// A random malformed request: a bad path, body, header or method; sometimes raw garbage bytes.
    static func hostileRequest(_ random: inout SplitMix) -> ([UInt8], Bool) {
        let kind = Int.random(in: 0..<10, using: &random)
        if kind == 0 {
            let count = Int.random(in: 1..<200, using: &random)
            return ((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } + Array("\r\n\r\n".utf8), true)
        }
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"].randomElement(using: &random)!
        let path = hostilePaths.randomElement(using: &random)!
        var body = hostileBodies.randomElement(using: &random)!
        if kind == 1 { body = String(repeating: "x", count: 70_000) }
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        switch kind {
        case 2: headers.append(("grpc-timeout", ["", "0m", "999999999S", "1Q", "-5m"].randomElement(using: &random)!))
        case 3: headers.append(("X-Portico-Timeout", ["never", "1e9s", "0ms", "-1s"].randomElement(using: &random)!))
        case 4: headers.append(("X-Request-Id", String(repeating: "r", count: 500)))
        case 5: headers.append(("Cookie", "session=\"; ; =; a"))
        default: break
        }
        if kind == 6 {
            // A Content-Length far beyond the body: the server must not wait for it forever (the client closes).
            let text = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{}"
            return (Array(text.utf8), true)
        }
        return (TestHTTPClient.encode(method, path, headers: headers, body: Array(body.utf8)), false)
    }
}
