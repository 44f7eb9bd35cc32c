import Foundation
import Gateway
import PorticoTestSupport
import Synchronization
import Testing

/// The SSE client against an independent server (Tests/peers/sse_server.py, Python's http.server) on loopback:
/// resuming with `Last-Event-ID` across dropped connections, the `retry:` hint, the request it sends, the answers
/// that stop it for good, limits and cancellation.
@Suite("Live: SSE client") struct EventSourceClientTests {
    static func withPeer<T: Sendable>(_ body: @Sendable (SSEPeer) async throws -> T) async throws -> T {
        let peer = try await onOwnThread { try SSEPeer() }
        defer { peer.stop() }
        return try await body(peer)
    }

    /// Collects updates until `events` events have arrived (then leaves the loop, closing the connection), the
    /// stream ends, or it throws.
    static func collect(_ client: EventSourceClient, events wanted: Int = .max) async
        -> (updates: [EventSourceClient.Update], error: EventSourceError?)
    {
        var updates: [EventSourceClient.Update] = []
        var count = 0
        do {
            for try await update in client.updates() {
                updates.append(update)
                if case .event = update { count += 1 }
                if count >= wanted { break }
            }
            return (updates, nil)
        } catch {
            return (updates, error)
        }
    }

    static func events(_ updates: [EventSourceClient.Update]) -> [EventSourceEvent] {
        updates.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    static func reconnectReasons(_ updates: [EventSourceClient.Update]) -> [String] {
        updates.compactMap { if case .reconnecting(_, _, let reason) = $0 { reason } else { nil } }
    }

    @Test func resumesAcrossDroppedConnectionsWithConsecutiveIDsAndTheRetryHint() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/resume"))
            // Far longer than the test may take: only the server's `retry: 100` makes the reconnects come in time.
            configuration.reconnectionTime = .seconds(60)
            let started = ContinuousClock.now
            let (updates, error) = await Self.collect(try EventSourceClient(configuration), events: 9)
            let elapsed = ContinuousClock.now - started
            #expect(error == nil)
            let events = Self.events(updates)
            #expect(events.map(\.id) == (1...9).map(String.init))
            #expect(
                events.map(\.data) == (1...9).map { "event \($0)" }, "the partial event before each drop is discarded")
            #expect(events.first?.retry == 100 && events[1].retry == nil)
            let reasons = Self.reconnectReasons(updates)
            #expect(reasons.count == 2, "\(reasons)")
            #expect(reasons.allSatisfy { $0.contains("dropped") }, "\(reasons)")
            #expect(
                elapsed < .seconds(20), "reconnected after the server's 100 ms, not the configured 60 s: \(elapsed)")
            guard case .connected(reconnect: 0) = updates.first else {
                Issue.record("the first update is the connection: \(updates.first.map { "\($0)" } ?? "none")")
                return
            }

            let requests = peer.requests("/resume")
            #expect(requests.count == 3)
            #expect(requests.map { $0.headers["last-event-id"] } == [nil, "3", "6"])
            for request in requests {
                #expect(request.method == "GET")
                #expect(request.headers["accept"] == "text/event-stream")
                #expect(request.headers["cache-control"] == "no-cache")
            }
        }
    }

    @Test func reconnectsAfterACleanEndOfStream() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/resume?end=clean&per=2"))
            configuration.reconnectionTime = .seconds(60)
            let (updates, error) = await Self.collect(try EventSourceClient(configuration), events: 6)
            #expect(error == nil)
            #expect(Self.events(updates).map(\.id) == ["1", "2", "3", "4", "5", "6"])
            #expect(Self.reconnectReasons(updates) == ["the server ended the stream", "the server ended the stream"])
            #expect(peer.requests("/resume").map { $0.headers["last-event-id"] } == [nil, "2", "4"])
        }
    }

    @Test func sendsThePOSTBodyCustomHeadersAndTheInitialLastEventID() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/resume?end=clean&per=2"))
            configuration.method = "POST"
            configuration.body = Array(#"{"topic":"stock"}"#.utf8)
            configuration.headers = [
                ("X-Tenant", "acme"), ("Last-Event-ID", "999"), ("Content-Type", "application/json"),
            ]
            configuration.lastEventID = "41"
            configuration.reconnectionTime = .milliseconds(50)
            let (updates, error) = await Self.collect(try EventSourceClient(configuration), events: 4)
            #expect(error == nil)
            #expect(Self.events(updates).map(\.id) == ["42", "43", "44", "45"])
            let requests = peer.requests("/resume")
            #expect(requests.count == 2)
            for request in requests {
                #expect(request.method == "POST")
                #expect(request.body == #"{"topic":"stock"}"#, "the body is sent again on reconnect")
                #expect(request.headers["x-tenant"] == "acme")
                #expect(request.headers["content-type"] == "application/json")
                #expect(request.headers["accept"] == "text/event-stream")
            }
            #expect(requests.map { $0.headers["last-event-id"] } == ["41", "43"], "the client's own Last-Event-ID")
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var path: String
        var code: EventSourceError.Code
        var status: Int
        var testDescription: String { "\(path) -> \(code)" }
    }

    @Test(arguments: [
        Refusal(path: "/nocontent", code: .noContent, status: 204),
        Refusal(path: "/wrongtype", code: .badContentType, status: 200),
        Refusal(path: "/error", code: .badStatus, status: 500),
        Refusal(path: "/no-such-scenario", code: .badStatus, status: 404),
    ])
    func stopsForGoodOn(_ refusal: Refusal) async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url(refusal.path))
            configuration.reconnectionTime = .milliseconds(20)
            let (updates, error) = await Self.collect(try EventSourceClient(configuration))
            #expect(error?.code == refusal.code, "\(String(describing: error))")
            #expect(error?.status == refusal.status)
            #expect(error?.message.contains(peer.url(refusal.path)) == true)
            #expect(updates.isEmpty, "\(updates)")
            // A reconnect would have come after 20 ms.
            try await Task.sleep(for: .milliseconds(300))
            #expect(peer.requests(refusal.path).count == 1)
        }
    }

    @Test func parsesCommentsMultiLineDataAndEveryLineEndOverTheNetwork() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/mixed"))
            configuration.includeComments = true
            configuration.maxReconnects = 0
            let (updates, error) = await Self.collect(try EventSourceClient(configuration))
            #expect(error == nil, "the stream ends cleanly and no reconnect is allowed: it just ends")
            #expect(
                Array(updates.dropFirst()) == [
                    .comment("hello"),
                    .event(EventSourceEvent(id: "m1", event: "update", data: "line one\nline two")),
                    .event(EventSourceEvent(id: "m1", event: "message", data: "no space")),
                    .event(EventSourceEvent(id: "m1", event: "message", data: "cr only\n")),
                    .comment("keep-alive"),
                    .event(EventSourceEvent(id: "m1", event: "done", data: #"{"ok": true}"#)),
                ], "\(updates)")
        }
    }

    @Test func givesUpAfterMaxReconnects() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/resume"))
            configuration.maxReconnects = 1
            let (updates, error) = await Self.collect(try EventSourceClient(configuration))
            #expect(Self.events(updates).map(\.id) == ["1", "2", "3", "4", "5", "6"])
            #expect(error?.code == .connectionFailed, "\(String(describing: error))")
            #expect(error?.message.contains("gave up after 1 reconnect") == true)
            #expect(peer.requests("/resume").count == 2)
        }
    }

    @Test func backsOffWhileTheServerIsUnreachable() async throws {
        // A port bound for the whole test but never listening: connections to it are refused, and no other test's
        // server can be handed it meanwhile.
        let (port, reserved) = try Self.refusingPort()
        defer { close(reserved) }
        var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:\(port)/gone")
        configuration.reconnectionTime = .milliseconds(40)
        configuration.maxReconnects = 3
        let (updates, error) = await Self.collect(try EventSourceClient(configuration))
        #expect(error?.code == .connectionFailed, "\(String(describing: error))")
        #expect(error?.message.contains("gave up after 3 reconnects") == true)
        let delays = updates.compactMap { if case .reconnecting(_, let delay, _) = $0 { delay } else { nil } }
        #expect(delays.count == 3)
        #expect(delays.first == .milliseconds(40), "the first failure waits the reconnection time")
        // Then at least the 100 ms floor, doubled with jitter: 2nd in 100...200 ms, 3rd in 100...400 ms.
        #expect(delays.dropFirst().allSatisfy { $0 >= .milliseconds(100) && $0 <= .milliseconds(400) }, "\(delays)")
        #expect(Self.reconnectReasons(updates).allSatisfy { $0.hasPrefix("cannot connect") })
    }

    /// A loopback port nothing listens on: one the kernel picked for a socket that is closed again.
    /// A loopback port bound to a socket that does not listen, and that socket (the caller closes it).
    static func refusingPort() throws -> (Int, Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            close(descriptor)
            throw PeerFailure(description: "cannot pick a free port")
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }

    @Test func anOversizedEventStopsTheStream() async throws {
        try await Self.withPeer { peer in
            var configuration = EventSourceClient.Configuration(url: peer.url("/resume"))
            configuration.maxEventSize = 8
            configuration.reconnectionTime = .milliseconds(20)
            let (_, error) = await Self.collect(try EventSourceClient(configuration))
            #expect(error?.code == .eventTooLarge, "\(String(describing: error))")
            try await Task.sleep(for: .milliseconds(200))
            #expect(peer.requests("/resume").count == 1)
        }
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        try await Self.withPeer { peer in
            let client = try EventSourceClient(EventSourceClient.Configuration(url: peer.url("/endless?by=cancel")))
            let received = EventCounter()
            let task = Task {
                for try await _ in client.events() { received.increment() }
                return "ended"
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while received.value < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(received.value >= 3)
            task.cancel()
            #expect(try await task.value == "ended", "cancellation ends the sequence without an error")
            let closed = await peer.waitUntil { $0.contains { $0.closed && $0.path == "/endless?by=cancel" } }
            #expect(closed, "the server saw the connection close")
            #expect(peer.requests("/endless").count == 1, "and no reconnect followed")
        }
    }

    @Test func leavingTheLoopClosesTheConnection() async throws {
        try await Self.withPeer { peer in
            let client = try EventSourceClient(EventSourceClient.Configuration(url: peer.url("/endless?by=break")))
            var ids: [String] = []
            for try await event in client.events() {
                ids.append(event.id)
                if ids.count == 3 { break }
            }
            #expect(ids == ["1", "2", "3"])
            let closed = await peer.waitUntil { $0.contains { $0.closed && $0.path == "/endless?by=break" } }
            #expect(closed, "the server saw the connection close")
        }
    }

    @Test func refusesAConfigurationThatCannotMakeARequest() throws {
        let bad: [(String, (inout EventSourceClient.Configuration) -> Void)] = [
            ("ftp://127.0.0.1/x", { _ in }),
            ("not a url", { _ in }),
            ("http://127.0.0.1/x", { $0.headers = [("X-Bad", "a\r\nInjected: yes")] }),
            ("http://127.0.0.1/x", { $0.headers = [("Bad Name", "v")] }),
            ("http://127.0.0.1/x", { $0.method = "GET /" }),
            ("http://127.0.0.1/x", { $0.maxEventSize = 0 }),
        ]
        for (url, change) in bad {
            var configuration = EventSourceClient.Configuration(url: url)
            change(&configuration)
            let error = #expect(throws: EventSourceError.self) { try EventSourceClient(configuration) }
            #expect(error?.code == .invalidRequest, "\(url)")
        }
    }
}

final class EventCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// The SSE client against Portico's own gateway: a gRPC server stream from a mock backend, served as SSE.
@Suite("Live: SSE client and the gateway") struct EventSourceGatewayTests {
    @Test func consumesAServerStreamAndResumesItAfterTheEnd() async throws {
        try await HTTPStreamTests.withMock(extra: "streams: { retry: 100ms }\n") { gateway, mock in
            let url = "http://127.0.0.1:\(gateway.port)/v1/inventory/dune:watch"
            var configuration = EventSourceClient.Configuration(url: url)
            configuration.reconnectionTime = .seconds(60)
            let started = ContinuousClock.now
            let (updates, error) = await EventSourceClientTests.collect(
                try EventSourceClient(configuration), events: 4)
            #expect(error == nil)
            let events = EventSourceClientTests.events(updates)
            #expect(events.map(\.id) == ["1", "2", "3", "4"], "the ids go on after the reconnect: \(events)")
            #expect(events.allSatisfy { $0.event == "message" })
            #expect(events[0].data.contains(#""warehouse":"berlin""#) && events[0].data.contains(#""delta":1"#))
            #expect(events[1].data.contains(#""warehouse":"lyon""#) && events[1].data.contains(#""delta":2"#))
            #expect(events[2].data == events[0].data && events[3].data == events[1].data, "the mock starts over")
            #expect(EventSourceClientTests.reconnectReasons(updates) == ["the server ended the stream"])
            #expect(ContinuousClock.now - started < .seconds(20), "the gateway's retry: 100 was honoured")
            #expect(mock.lastRequestHeaders["x-resume-from"] == "2", "the gateway told the backend where to resume")
        }
    }

    @Test func postsABidirectionalStreamAndReadsTheRepliesAsEvents() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            var configuration = EventSourceClient.Configuration(
                url: "http://127.0.0.1:\(gateway.port)/inventory.v1.Inventory/Relay")
            configuration.method = "POST"
            configuration.body = Array("{\"delta\":7}\n{\"delta\":8}\n".utf8)
            configuration.maxReconnects = 0
            let (updates, error) = await EventSourceClientTests.collect(try EventSourceClient(configuration))
            #expect(error == nil)
            #expect(
                EventSourceClientTests.events(updates) == [
                    EventSourceEvent(id: "1", data: #"{"delta":7}"#, retry: nil),
                    EventSourceEvent(id: "2", data: #"{"delta":8}"#),
                ])
        }
    }

    @Test func aRouteThatDoesNotExistStopsTheClientWithItsStatus() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            let configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:\(gateway.port)/v1/nothing")
            let (_, error) = await EventSourceClientTests.collect(try EventSourceClient(configuration))
            #expect(error?.code == .badStatus)
            #expect(error?.status == 404)
        }
    }
}
