import DynamicCodec
import Synchronization
import Testing

@testable import GenericCall

struct ClientUnitTests {
    @Test("targets and endpoints parse; bad ones are INVALID_ARGUMENT")
    func targets() throws {
        let target = try CallTarget(parsing: "ttheader://127.0.0.1:9,localhost:10")
        #expect(target.framing == .ttheader)
        #expect(target.endpoints == [.tcp(host: "127.0.0.1", port: 9), .tcp(host: "127.0.0.1", port: 10)])
        #expect(try CallTarget(parsing: "shmipc:///tmp/x.sock").endpoints == [.unix(path: "/tmp/x.sock")])
        #expect(try CallTarget(parsing: "grpc://[::1]:50051").endpoints == [.tcp(host: "::1", port: 50051)])
        for bad in ["127.0.0.1:9", "smoke://a:1", "framed://", "framed://host", "framed://h:0", "shmipc+grpc:///x"] {
            #expect(throws: CallError.self) { try CallTarget(parsing: bad) }
        }
    }

    @Test("durations as flags and grpc-timeout write them")
    func durations() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("fast") == nil)
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parseGRPCTimeout("250m") == .milliseconds(250))
        #expect(DurationText.parseGRPCTimeout("3S") == .seconds(3))
        #expect(DurationText.parseGRPCTimeout("123456789S") == nil)
    }

    @Test("a reply for an id nobody waits for is dropped, never handed to another waiter")
    func lateReplies() async throws {
        let pending = PendingReplies()
        let first = Task {
            try await withCheckedThrowingContinuation { continuation in
                _ = pending.register(1, continuation)
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        pending.fail(1, CancellationError())
        await #expect(throws: CancellationError.self) { try await first.value }
        let second = Task {
            try await withCheckedThrowingContinuation { continuation in
                _ = pending.register(2, continuation)
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(!pending.deliver(WireEnvelope(method: "late", type: .reply, sequenceID: 1, payload: [])))
        #expect(pending.deliver(WireEnvelope(method: "mine", type: .reply, sequenceID: 2, payload: [])))
        #expect(try await second.value.method == "mine")
    }

    @Test("in panic (fewer than half the endpoints in service) calls go to every endpoint, ejected or not")
    func panic() {
        let endpoints: [Endpoint] = (1...4).map { .tcp(host: "h\($0)", port: $0) }
        let balancer = LoadBalancer(
            endpoints: endpoints, policy: .roundRobin, health: HealthPolicy(failureThreshold: 1, ejectionTime: .seconds(60)))
        let start = ContinuousClock.now
        // Two of four ejected: half still in service, no panic; the ejected ones get nothing.
        balancer.recordFailure(0, now: start)
        balancer.recordFailure(1, now: start)
        let healthy = Set((0..<8).compactMap { _ in balancer.pick(key: nil, excluding: [], now: start) })
        #expect(healthy == [2, 3])
        // Three of four ejected: panic, every endpoint takes calls again (a call still avoids the one it failed on).
        balancer.recordFailure(2, now: start)
        let panicking = Set((0..<8).compactMap { _ in balancer.pick(key: nil, excluding: [], now: start) })
        #expect(panicking == [0, 1, 2, 3])
        #expect(balancer.pick(key: nil, excluding: [0, 1, 2], now: start) == 3)
        // The only endpoint of a service ejected: still called (the circuit opens only with panic disabled).
        let single = LoadBalancer(
            endpoints: [endpoints[0]], policy: .roundRobin, health: HealthPolicy(failureThreshold: 1))
        single.recordFailure(0, now: start)
        for _ in 0..<3 { #expect(single.pick(key: nil, excluding: [], now: start) == 0) }
    }

    @Test("the balancer ejects an endpoint after repeated failures and brings it back later")
    func ejection() {
        // Panic disabled: with every endpoint ejected the circuit opens.
        let balancer = LoadBalancer(
            endpoints: [.tcp(host: "a", port: 1), .tcp(host: "b", port: 2)], policy: .roundRobin,
            health: HealthPolicy(failureThreshold: 3, ejectionTime: .seconds(1), panicThreshold: 0))
        let start = ContinuousClock.now
        for _ in 0..<3 { balancer.recordFailure(0, now: start) }
        #expect(balancer.isEjected(0, now: start))
        for _ in 0..<4 { #expect(balancer.pick(key: nil, excluding: [], now: start) == 1) }
        #expect(!balancer.isEjected(0, now: start + .seconds(2)))
        for _ in 0..<3 { balancer.recordFailure(1, now: start) }
        // Both ejected: the circuit is open, but each endpoint admits one probe per probe interval, the one that
        // comes back soonest first; the calls in between fail fast.
        let open = start + .milliseconds(10)
        #expect(balancer.pick(key: nil, excluding: [], now: open) == 0)
        #expect(balancer.pick(key: nil, excluding: [], now: open) == 1)
        #expect(balancer.pick(key: nil, excluding: [], now: open + .milliseconds(50)) == nil)
        #expect(balancer.pick(key: nil, excluding: [0, 1], now: open + .milliseconds(200)) == nil)
        #expect(balancer.pick(key: nil, excluding: [0], now: open + .milliseconds(200)) == 1)
        // A probe that succeeds puts its endpoint back in service at once.
        balancer.recordSuccess(1)
        #expect(!balancer.isEjected(1, now: open + .milliseconds(210)))
        for _ in 0..<3 { #expect(balancer.pick(key: nil, excluding: [], now: open + .milliseconds(210)) == 1) }
    }

    @Test("frames of every framing encode and decode back")
    func codecRoundTrip() throws {
        let envelope = WireEnvelope(
            method: "GetBook", type: .call, sequenceID: 77, payload: [0x08, 0x00, 0x01, 0, 0, 0, 5, 0],
            stringInfo: [RPCHeader("k", "v")], intInfo: [9: "GetBook"])
        for framing in [Framing.framed, .buffered, .ttheader, .kitexProtobuf] {
            for encoding in [ThriftProtocol.binary] {
                let codec = MessageCodec(framing: framing, thriftProtocol: encoding)
                let frame = try codec.encode(envelope)
                #expect(try codec.frameLength(in: frame[...]) == frame.count, "\(framing)")
                #expect(try codec.frameLength(in: frame.dropLast()) == (framing == .buffered ? nil : frame.count))
                let decoded = try codec.decode(frame)
                #expect(decoded.method == "GetBook" && decoded.sequenceID == 77 && decoded.type == .call, "\(framing)")
                #expect(decoded.payload == envelope.payload, "\(framing)")
                if framing == .ttheader {
                    #expect(decoded.stringInfo == [RPCHeader("k", "v")] && decoded.intInfo[9] == "GetBook")
                }
            }
        }
    }
}
