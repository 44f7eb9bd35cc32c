import DynamicCodec
import Foundation
import GenericCall
import Synchronization
import Testing

@testable import Gateway

/// Streams over plain HTTP: client streaming with an NDJSON body, bidirectional half duplex (NDJSON in, SSE or
/// NDJSON out), and Server-Sent Events as the WHATWG spec has them (ids, `retry:`, keep-alive comments,
/// `Last-Event-ID` resumes).
@Suite("Live: streams over HTTP")
struct HTTPStreamTests {
    static let inventory = """
          - name: inventory
            schema: \(Fixtures.descriptors)/demo/inventory.proto
            include: [\(Fixtures.descriptors)]
            service: inventory.v1.Inventory
            framing: grpc
            endpoints: [@ENDPOINT@]
            sse_resume: "metadata:x-resume-from"
            # A stream's whole life: the WebSocket suites run 200 round trips beside a 2,000-session churn.
            timeouts: { rpc: 60s }
        """

    /// The demo's inventory service behind a real gRPC mock that echoes streaming requests.
    static func withMock<T: Sendable>(
        service extraService: String = "", extra: String = "",
        _ body: @Sendable (GatewayFixture, MockServer) async throws -> T
    ) async throws -> T {
        let schema = try ServiceSchema.load(
            path: Fixtures.descriptors + "/demo/inventory.proto", includeDirectories: [Fixtures.descriptors],
            service: "inventory.v1.Inventory")
        let mock = MockServer(
            responder: try MockResponder(
                schema: schema,
                responses: try MockResponses(json: Array(#"""
                    {"RecordEvents": {"echo": true}, "Relay": {"echo": true},
                     "WatchStock": {"replies": [{"warehouse": "berlin", "delta": 1}, {"warehouse": "lyon", "delta": 2}]}}
                    """#.utf8))),
            framing: .grpc)
        let endpoint = try await mock.start(port: 0)
        let config = try Fixtures.config(
            services: inventory.replacingOccurrences(of: "@ENDPOINT@", with: "\(endpoint)") + extraService,
            extra: extra)
        return try await GatewayFixture.withBackends(config, stopping: [mock]) { try await body($0, mock) }
    }

    @Test func clientStreamingTakesAnNDJSONBody() async throws {
        try await Self.withMock { gateway, _ in
            // Three events, a blank line and CRLF endings; the mock answers with their merge (last value wins).
            let body = "{\"warehouse\":\"berlin\",\"delta\":1}\r\n\n{\"delta\":5}\n{\"at\":\"2026-12-07T00:00:00Z\"}\n"
            let reply = try await gateway.request(
                "POST", "/v1/inventory:record", headers: [("Content-Type", "application/x-ndjson")], body: body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.text == #"{"warehouse":"berlin","delta":5,"at":"2026-12-07T00:00:00Z"}"#, "\(reply.text)")
            // The generic route too, and an empty stream.
            let empty = try await gateway.request("POST", "/inventory.v1.Inventory/RecordEvents", body: "")
            #expect(empty.status == 200 && empty.text == "{}", "\(empty.text)")
            // A bad line refuses the request, naming the line.
            let bad = try await gateway.request(
                "POST", "/v1/inventory:record", body: "{\"delta\":1}\n{\"delta\":\"many\"}\n")
            #expect(bad.status == 400, "\(bad.text)")
            #expect(bad.text.contains(#""line":"2""#), "\(bad.text)")
        }
    }

    @Test func aQueryTokenIsNotMappedIntoTheStreamedMessages() async throws {
        let key = PASETOKey.generate(.v4, .secret)
        let policy = "auth:\n  users: { keys: [\(key.verificationKey.paserk)], key_lookup: [query:access_token] }\n"
        try await Self.withMock(service: "\n    auth: users", extra: policy) { gateway, _ in
            let token = try PASETOIssuer(key: key).issue(claims: Array("{}".utf8), lifetime: .seconds(60), at: Date())
            let reply = try await gateway.request(
                "POST", "/v1/inventory:record?access_token=\(token)", body: "{\"delta\":1}\n{\"delta\":2}\n")
            #expect(reply.status == 200, "strict mapping must not see the consumed token: \(reply.text)")
            #expect(reply.text == #"{"delta":2}"#, "\(reply.text)")
            let refused = try await gateway.request("POST", "/v1/inventory:record", body: "{\"delta\":1}\n")
            #expect(refused.errorCode == "TOKEN_MISSING")
        }
    }

    @Test func bidirectionalOverHTTPIsHalfDuplex() async throws {
        try await Self.withMock { gateway, _ in
            let body = (1...20).map { "{\"warehouse\":\"w\($0)\",\"delta\":\($0)}" }.joined(separator: "\n")
            let ndjson = try await gateway.request("POST", "/inventory.v1.Inventory/Relay", body: body)
            #expect(ndjson.status == 200, "\(ndjson.text)")
            let lines = ndjson.text.split(separator: "\n").map(String.init)
            #expect(lines.count == 20)
            #expect(lines.first == #"{"warehouse":"w1","delta":1}"#)
            #expect(lines.last == #"{"warehouse":"w20","delta":20}"#)
            let sse = try await gateway.request(
                "POST", "/inventory.v1.Inventory/Relay", headers: [("Accept", "text/event-stream")],
                body: "{\"delta\":7}\n{\"delta\":8}")
            #expect(sse.text == "retry: 3000\n\nid: 1\ndata: {\"delta\":7}\n\nid: 2\ndata: {\"delta\":8}\n\n", "\(sse.text)")
        }
    }

    @Test func serverSentEventsCarryIdsAndResumeAfterLastEventID() async throws {
        try await Self.withMock { gateway, mock in
            let first = try await gateway.request(
                "GET", "/v1/inventory/dune:watch", headers: [("Accept", "text/event-stream")])
            #expect(first.header("Content-Type") == "text/event-stream")
            // (The mock encodes its configured replies in the order its JSON parser gives the keys.)
            let events = first.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.count == 3, "\(first.text)")
            #expect(events.first == "retry: 3000")
            #expect(events.dropFirst().first?.hasPrefix("id: 1\ndata: {") == true && events[1].contains(#""warehouse":"berlin""#))
            #expect(events.last?.hasPrefix("id: 2\ndata: {") == true && events[2].contains(#""warehouse":"lyon""#))
            #expect(mock.lastRequestHeaders["x-resume-from"] == nil)
            let resumed = try await gateway.request(
                "GET", "/v1/inventory/dune:watch", headers: [("Accept", "text/event-stream"), ("Last-Event-ID", "41")])
            #expect(resumed.text.contains("id: 42\ndata: {"), "\(resumed.text)")
            #expect(resumed.text.contains("id: 43\ndata: {"), "\(resumed.text)")
            #expect(mock.lastRequestHeaders["x-resume-from"] == "41", "the backend is told where to resume")
        }
    }

    /// The inventory service on a fake backend, keep-alives every 100 ms and a 1.5 s retry hint.
    static func quickKeepAlives() throws -> GatewayConfig {
        try Fixtures.config(
            services: inventory.replacingOccurrences(of: "@ENDPOINT@", with: "127.0.0.1:9"),
            extra: "streams: { keepalive: 100ms, retry: 1500ms }\n")
    }

    @Test func idleStreamsGetKeepAliveComments() async throws {
        let invoker = FakeInvoker()
        invoker.onStream("WatchStock") { call, continuation in
            guard let first = try? FakeInvoker.encodeReply(call, json: #"{"warehouse":"berlin","delta":1}"#) else { return }
            continuation.yield(first)
            try? await Task.sleep(for: .milliseconds(700))
            if let last = try? FakeInvoker.encodeReply(call, json: #"{"delta":2}"#) { continuation.yield(last) }
            continuation.finish()
        }
        try await GatewayFixture.with(try Self.quickKeepAlives(), invoker: invoker) { gateway in
            let response = try await gateway.request(
                "GET", "/v1/inventory/dune:watch", headers: [("Accept", "text/event-stream")])
            #expect(response.text.hasPrefix("retry: 1500\n\nid: 1\ndata: "), "\(response.text)")
            let comments = response.text.components(separatedBy: ": keep-alive\n\n").count - 1
            #expect(comments >= 1, "a 700 ms silence with keepalive 100ms has comments: \(comments)")
            #expect(response.text.hasSuffix("id: 2\ndata: {\"delta\":2}\n\n"))
        }
    }

    @Test func aStreamSilentFromTheStartOpensWithAKeepAliveThenReportsErrorsInBand() async throws {
        let invoker = FakeInvoker()
        invoker.onStream("WatchStock") { call, continuation in
            try? await Task.sleep(for: .milliseconds(400))
            if FakeInvoker.requestJSON(call).contains("fail") {
                // sku "fail": the error comes after the stream has started idle.
                continuation.finish(throwing: CallError(.unavailable, "the backend went away"))
                return
            }
            if let first = try? FakeInvoker.encodeReply(call, json: #"{"delta":1}"#) { continuation.yield(first) }
            continuation.finish()
        }
        try await GatewayFixture.with(try Self.quickKeepAlives(), invoker: invoker) { gateway in
            let response = try await gateway.request(
                "GET", "/v1/inventory/dune:watch", headers: [("Accept", "text/event-stream")])
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("retry: 1500\n\n: keep-alive\n\n"), "\(response.text)")
            #expect(response.text.hasSuffix("id: 1\ndata: {\"delta\":1}\n\n"), "\(response.text)")
            let failed = try await gateway.request(
                "GET", "/v1/inventory/fail:watch", headers: [("Accept", "text/event-stream")])
            #expect(failed.status == 200, "the stream had started: the error is in-band")
            #expect(failed.text.hasPrefix("retry: 1500\n\n: keep-alive\n\n"), "\(failed.text)")
            #expect(failed.text.contains("event: error\ndata: {\"code\":\"UNAVAILABLE\""), "\(failed.text)")
        }
    }
}

extension HTTPStreamTests {
    /// A stream whose second message comes 300 ms after the first (the producer waits on a timer that nothing
    /// cancels) delivers both, on the first request of a fresh gateway as on later ones, SSE and NDJSON.
    @Test(arguments: [true, false])
    func aSlowSecondMessageIsNeverDropped(sse: Bool) async throws {
        for round in 0..<3 {
            let invoker = FakeInvoker()
            let outcomes = Mutex<[String]>([])
            invoker.onStream("WatchStock") { call, continuation in
                guard let first = try? FakeInvoker.encodeReply(call, json: #"{"delta":1}"#),
                    let second = try? FakeInvoker.encodeReply(call, json: #"{"delta":2}"#)
                else { return }
                outcomes.withLock { $0.append("1: \(continuation.yield(first))") }
                await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { resume.resume() }
                }
                outcomes.withLock { $0.append("2: \(continuation.yield(second))") }
                continuation.finish()
            }
            try await GatewayFixture.with(try Self.quickKeepAlives(), invoker: invoker) { gateway in
                for request in 0..<2 {
                    let response = try await gateway.request(
                        "GET", "/v1/inventory/dune:watch", headers: sse ? [("Accept", "text/event-stream")] : [])
                    let record = outcomes.withLock { $0 }
                    #expect(response.status == 200, "round \(round) request \(request): \(response.text)")
                    #expect(response.text.contains(#"{"delta":1}"#), "round \(round) request \(request): \(response.text) \(record)")
                    #expect(response.text.contains(#"{"delta":2}"#), "round \(round) request \(request): \(response.text) \(record)")
                }
            }
        }
    }
}
