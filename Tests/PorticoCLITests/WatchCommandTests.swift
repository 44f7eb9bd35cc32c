import Foundation
import PorticoTestSupport
import Testing

/// `portico watch` as a user runs it, against the independent SSE server (Tests/peers/sse_server.py).
@Suite struct WatchCommandTests {
    static let binary = CodecCommandTests.binary

    /// Runs `portico watch` to completion on a thread of its own.
    static func watch(_ arguments: [String]) async throws -> ProcessResult {
        try await Task.detached { try runProcess(binary, ["watch"] + arguments) }.value
    }

    static func withPeer<T: Sendable>(_ body: @Sendable (SSEPeer) async throws -> T) async throws -> T {
        let peer = try await Task.detached { try SSEPeer() }.value
        defer { peer.stop() }
        return try await body(peer)
    }

    /// The JSON objects of standard output, one per line.
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func printsOneJSONLinePerEventAndResumesAcrossDrops() async throws {
        try await Self.withPeer { peer in
            let result = try await Self.watch([peer.url("/resume"), "--count", "7"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.text.split(separator: "\n").map(String.init)
            #expect(lines.count == 7, "\(result.text)")
            #expect(lines.first == #"{"id":"1","event":"message","data":"event 1","retry":100}"#)
            #expect(lines.dropFirst().first == #"{"id":"2","event":"message","data":"event 2"}"#)
            #expect(Self.objects(result.text).map { $0["id"] as? String } == (1...7).map(String.init))
            #expect(result.stderr.contains("connected to \(peer.url("/resume"))"), "\(result.stderr)")
            #expect(result.stderr.contains("the connection dropped"), "\(result.stderr)")
            #expect(result.stderr.contains("reconnect 2 in 100 ms"), "\(result.stderr)")
            #expect(peer.requests("/resume").map { $0.headers["last-event-id"] } == [nil, "3", "6"])
        }
    }

    @Test func sendsTheMethodBodyHeadersAndLastEventID() async throws {
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("portico-watch-\(UUID()).json")
        try Data(#"{"topic": "stock"}"#.utf8).write(to: body)
        defer { try? FileManager.default.removeItem(at: body) }
        try await Self.withPeer { peer in
            let result = try await Self.watch([
                peer.url("/resume?end=clean&per=2"), "-d", "@" + body.path, "-H", "X-Tenant: acme",
                "--header", "Content-Type:application/json", "--last-event-id", "10", "--count", "2",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Self.objects(result.text).map { $0["data"] as? String } == ["event 11", "event 12"])
            let request = try #require(peer.requests("/resume").first)
            #expect(request.method == "POST", "--data without --method posts")
            #expect(request.body == #"{"topic": "stock"}"#)
            #expect(request.headers["x-tenant"] == "acme")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["last-event-id"] == "10")
            #expect(request.headers["accept"] == "text/event-stream")
        }
    }

    @Test func printsCommentsAndMultiLineDataWhenAsked() async throws {
        try await Self.withPeer { peer in
            let result = try await Self.watch([peer.url("/mixed"), "--include-comments", "--max-reconnects", "0"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.text == """
                    {"comment":"hello"}
                    {"id":"m1","event":"update","data":"line one\\nline two"}
                    {"id":"m1","event":"message","data":"no space"}
                    {"id":"m1","event":"message","data":"cr only\\n"}
                    {"comment":"keep-alive"}
                    {"id":"m1","event":"done","data":"{\\"ok\\": true}"}

                    """, "\(result.text)")
        }
    }

    @Test(arguments: [
        ("/nocontent", "SSE_NO_CONTENT"), ("/error", "SSE_BAD_STATUS"), ("/wrongtype", "SSE_BAD_CONTENT_TYPE"),
    ])
    func exitsNonZeroWhenTheServerRefuses(_ path: String, _ code: String) async throws {
        try await Self.withPeer { peer in
            let result = try await Self.watch([peer.url(path), "--retry", "20"])
            #expect(result.status == 1)
            #expect(result.text.isEmpty)
            #expect(result.stderr.contains("portico: error: \(code): "), "\(result.stderr)")
            #expect(peer.requests(path).count == 1, "no reconnect")
        }
    }

    @Test func givesUpAfterMaxReconnectsWithAnError() async throws {
        try await Self.withPeer { peer in
            let result = try await Self.watch([peer.url("/resume"), "--max-reconnects", "1"])
            #expect(result.status == 1)
            #expect(Self.objects(result.text).count == 6)
            #expect(result.stderr.contains("portico: error: SSE_CONNECTION_FAILED: "), "\(result.stderr)")
        }
    }

    @Test func refusesABadHeader() async throws {
        let result = try await Self.watch(["http://127.0.0.1:9/x", "-H", "no colon here"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("is not 'Name: value'"), "\(result.stderr)")
    }
}
