import NIOCore
import Testing

@testable import GenericCall

/// ``GRPCLoopConnection`` against answers no well-behaved gRPC server gives, from a scripted HTTP/2 server.
@Suite(.serialized)
struct GRPCLoopWireTests {
    static func withServer(
        maxConcurrentStreams: Int = 100, configuration: GRPCLoopConfiguration = GRPCLoopConfiguration(),
        _ body: (GRPCLoopDriver) async throws -> Void
    ) async throws {
        let server = try await ScriptedHTTP2Server(maxConcurrentStreams: maxConcurrentStreams)
        let driver = try await GRPCLoopDriver.connect(to: server.endpoint, configuration: configuration)
        do {
            try await body(driver)
        } catch {
            await server.stop()
            throw error
        }
        try? await driver.close()
        await server.stop()
    }

    static func failure(_ outcome: GRPCOutcome) -> GRPCCallFailure? {
        if case .failure(let failure)? = outcome.result { return failure }
        return nil
    }

    @Test("HTTP statuses without grpc-status, a missing content-type, compressed and oversized messages")
    func nonGRPCAnswers() async throws {
        try await Self.withServer { driver in
            let notFound = try await driver.call("/t/http404", message: [])
            #expect(notFound.error?.code == .grpc(.unimplemented))
            #expect(notFound.error?.details["http_status"] == "404")
            let unavailable = try await driver.call("/t/http503", message: [])
            #expect(unavailable.error?.code == .grpc(.unavailable), "\(String(describing: unavailable.error))")
            let plain = try await driver.call("/t/no-content-type", message: [])
            #expect(plain.error?.code == .grpc(.unknown) && plain.messages.isEmpty)
            let compressed = try await driver.call("/t/compressed", message: [])
            #expect(compressed.error?.code == .grpc(.internal) && compressed.messages.isEmpty)
            let big = try await driver.call("/t/big", message: [])
            #expect(big.error?.code == .grpc(.resourceExhausted))
            #expect(big.error?.details["length"] == "17825792")
            #expect(try await driver.isUsable, "per-call failures leave the connection usable")
        }
        var small = GRPCLoopConfiguration()
        small.maximumMessageLength = 1_000
        try await Self.withServer(configuration: small) { driver async throws in
            #expect(try await driver.call("/t/medium", message: []).error?.code == .grpc(.resourceExhausted))
        }
        try await Self.withServer { driver async throws in
            #expect(try await driver.call("/t/medium", message: []).messages == [Array(repeating: 5, count: 2_000)])
        }
    }

    @Test("messages split across DATA frames and several in one frame; status message, details and metadata")
    func framing() async throws {
        try await Self.withServer { driver in
            let split = try await driver.call("/t/split", message: [])
            #expect(split.messages == [[1, 2, 3, 4, 5], [7], []])
            #expect(split.trailers == [RPCHeader("x-trailer", "t")])
            let status = try await driver.call("/t/status", message: [])
            #expect(status.error?.code == .grpc(.notFound))
            #expect(status.error?.message == "café 100% sure")
            #expect(status.error?.details["status_details_bin"] == "CAUSBGdvbmU")
            #expect(Self.failure(status)?.requestSent == true)
        }
    }

    @Test("RST_STREAM(NO_ERROR) after the trailers is success; before them INTERNAL; REFUSED_STREAM retryable")
    func resets() async throws {
        try await Self.withServer { driver in
            let early = try await driver.call("/t/rst-after-trailers", message: Array(repeating: 1, count: 100_000))
            #expect(early.error == nil && early.messages == [[42]] && early.lateCallbacks == 0, "\(early)")
            let cut = try await driver.call("/t/rst-before-trailers", message: [])
            #expect(cut.error?.code == .grpc(.internal))
            let refused = try await driver.call("/t/refused", message: [])
            #expect(refused.error?.code == .grpc(.unavailable))
            #expect(Self.failure(refused)?.requestSent == false)
            #expect(try await driver.isUsable)
        }
    }

    @Test("GOAWAY: streams up to last-stream-id finish, later ones fail unsent, the connection drains and closes")
    func goAway() async throws {
        try await Self.withServer { driver in
            let outcomes = try await driver.callsTogether(["/t/hold", "/t/hold", "/t/hold", "/t/goaway"])
            #expect(outcomes[0].messages == [[1]] && outcomes[0].error == nil)
            #expect(outcomes[1].messages == [[3]] && outcomes[1].error == nil)
            for refused in outcomes[2...] {
                #expect(refused.error?.code == .unavailable)
                #expect(Self.failure(refused)?.requestSent == false)
            }
            #expect(try await driver.isUsable == false)
            let after = try await driver.call("/t/medium", message: [])
            #expect(Self.failure(after)?.requestSent == false)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await driver.onLoop { $0.isClosed }, "drained after GOAWAY: closed")
        }
    }

    @Test("SETTINGS: the server's max concurrent streams, at start and changed mid-connection")
    func settings() async throws {
        try await Self.withServer(maxConcurrentStreams: 7) { driver in
            #expect(try await driver.call("/t/medium", message: []).error == nil)
            #expect(try await driver.onLoop { $0.maxConcurrentStreams } == 7)
            #expect(try await driver.call("/t/settings", message: []).messages == [[3]])
            #expect(try await driver.onLoop { $0.maxConcurrentStreams } == 3)
            let many = try await driver.callsTogether(Array(repeating: "/t/medium", count: 12))
            #expect(
                many.allSatisfy { $0.error == nil && $0.messages.count == 1 }, "calls past the limit wait their turn")
        }
    }

    @Test("grpc-timeout encoding, metadata names and -bin values, grpc-message escapes")
    func requestHead() {
        #expect(GRPCRequestHead.grpcTimeout(.milliseconds(250)) == "250000u")
        #expect(GRPCRequestHead.grpcTimeout(.nanoseconds(1)) == "1n")
        #expect(GRPCRequestHead.grpcTimeout(.zero) == "1n")
        #expect(GRPCRequestHead.grpcTimeout(.seconds(100)) == "100000m")
        #expect(GRPCRequestHead.grpcTimeout(.seconds(1_000_000)) == "1000000S")
        for text in ["250000u", "1n", "100000m", "1000000S"] { #expect(DurationText.parseGRPCTimeout(text) != nil) }
        let head = GRPCRequestHead.headers(
            path: "/a.B/C", authority: "h:1",
            metadata: [
                RPCHeader("X-Mixed", "v"), RPCHeader("grpc-status", "0"), RPCHeader("bad name", "x"),
                RPCHeader("te", "gzip"), RPCHeader("k-bin", "AAEC"), RPCHeader("t-bin", "not base64!"),
            ],
            timeout: nil)
        #expect(head.first(name: "x-mixed") == "v")
        #expect(head["grpc-status"].isEmpty && head.first(name: "bad name") == nil)
        #expect(head["te"] == ["trailers"])
        #expect(head.first(name: "k-bin") == "AAEC")
        #expect(head.first(name: "t-bin") == "bm90IGJhc2U2NCE=")
        #expect(GRPCStatusMapping.percentEncoded("café 100%") == "caf%C3%A9 100%25")
        #expect(GRPCStatusMapping.percentDecoded("caf%C3%A9 100%25 %zz") == "café 100% %zz")
    }
}
