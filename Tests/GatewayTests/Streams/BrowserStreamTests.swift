import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// The streams as a browser sees them: headless Chromium loads a page (served by Tests/peers/browser_streams.py)
/// that opens an `EventSource` on a resumable SSE route and a `WebSocket` on a bidirectional route. The script cuts
/// the SSE connection after three events, so Chromium itself must reconnect with `Last-Event-ID`; the assertions
/// are on what the page received.
@Suite("Live: streams in headless Chromium", .serialized)
struct BrowserStreamTests {
    /// WatchShelf on the grpcio peer: shelf 7 is a ticker that starts after the request's `after_sequence`.
    static func books(port: Int) -> String {
        """

          - name: books
            schema: \(Fixtures.descriptors)/bookstore.proto
            include: [\(Fixtures.descriptors)]
            service: bookstore.v1.Bookstore
            framing: grpc
            endpoints: [127.0.0.1:\(port)]
            sse_resume: after_sequence
        """
    }

    @Test func eventSourceResumesAndWebSocketEchoes() async throws {
        let chromium = "/usr/bin/chromium"
        try #require(FileManager.default.isExecutableFile(atPath: chromium), "no chromium: \(OpenAPITestSupport.installHint)")
        let peer = try await onOwnThread {
            try PeerServer(["python3", Repo.peers + "/grpc_server.py", "--descriptors", Fixtures.descriptors + "/bookstore.pb"])
        }
        defer { peer.stop() }
        try await HTTPStreamTests.withMock(service: Self.books(port: peer.port), extra: "streams: { retry: 300ms }\n") {
            gateway, _ in
            let result = try await AsyncProcess.run(
                [
                    "python3", Repo.peers + "/browser_streams.py", chromium, "\(gateway.port)", "/v1/shelves/7:watch",
                    "/v1/inventory:relay",
                ],
                timeout: .seconds(120))
            #expect(result.status == 0, "\(result.errors.suffix(3000))")
            let outcome = try #require(
                try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
                "\(result.output.suffix(2000)) \(result.errors.suffix(2000))")
            let record = try #require(outcome["record"] as? [String: Any], "\(outcome)")
            let beforeCut = try #require(outcome["before_cut"] as? Int, "the page never saw three events: \(record)")

            // SSE: ids 1, 2, 3, ... without a gap or a repeat across the reconnect, and the backend resumed where
            // the browser's Last-Event-ID said (the ticker's sequence equals the id).
            let events = record["sse"] as? [[String: Any]] ?? []
            let ids = events.compactMap { $0["id"] as? String }
            #expect(ids.count == events.count)
            #expect(ids == (0..<ids.count).map { String($0 + 1) }, "\(ids)")
            #expect(ids.count >= beforeCut + 3, "too few events after the cut: \(ids)")
            for event in events {
                let sequence = (event["data"] as? [String: Any])?["sequence"] as? String
                #expect(sequence == event["id"] as? String, "the backend did not resume from Last-Event-ID: \(event)")
            }
            #expect((record["opens"] as? Int ?? 0) >= 2, "EventSource did not reconnect: \(record)")
            #expect((record["errors"] as? Int ?? 0) >= 1, "the cut did not reach the page: \(record)")

            // WebSocket: five echoes, the status frame, a clean close 1000, the negotiated subprotocol.
            #expect(record["wsProtocol"] as? String == "portico.json", "\(record)")
            let frames = record["ws"] as? [[String: Any]] ?? []
            let results = frames.compactMap { $0["result"] as? [String: Any] }
            #expect(results.count == 5, "\(frames)")
            #expect(results.map { $0["warehouse"] as? String } == (1...5).map { "w\($0)" }, "\(frames)")
            let status = frames.last?["status"] as? [String: Any]
            #expect(status?["code"] as? String == "OK", "\(frames)")
            let close = record["wsClose"] as? [String: Any]
            #expect(close?["code"] as? Int == 1000, "\(String(describing: close))")
            #expect(close?["clean"] as? Bool == true)
        }
    }
}
