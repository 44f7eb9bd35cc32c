import Glibc
import Foundation
import GenericCall
import NIOCore
import NIOWebSocket
import PorticoTestSupport
import Testing

@testable import Gateway

/// The WebSocket <-> gRPC bridge, driven by the Python `websockets` library and by a raw-socket client for what
/// libraries refuse to send, in front of a real gRPC mock (echo for Relay, accumulate for RecordEvents, configured
/// replies for WatchStock).
@Suite("Live: WebSocket bridge")
struct WebSocketBridgeTests {
    /// Runs one scenario of Tests/peers/ws_client.py and returns its JSON outcome.
    static func peer(_ scenario: [String: Any]) async throws -> [String: Any] {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: scenario), as: UTF8.self)
        let output = try await onOwnThread {
            try runPeer("python3", [Repo.peers + "/ws_client.py"], input: Array(text.utf8))
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any])
    }

    static func texts(_ outcome: [String: Any]) -> [String] {
        (outcome["received"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    /// The `status.code` of the last frame, which must be a status frame.
    static func statusCode(_ outcome: [String: Any]) -> String? {
        guard let last = texts(outcome).last,
            let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            let status = object["status"] as? [String: Any]
        else { return nil }
        return status["code"] as? String
    }

    static func url(_ gateway: GatewayFixture, _ path: String) -> String { "ws://127.0.0.1:\(gateway.port)\(path)" }

    @Test func bidirectionalEchoesEveryMessageInOrder() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            var frames: [[String: Any]] = (0..<200).map {
                ["text": "{\"warehouse\":\"w\($0)\",\"delta\":\($0 + 1)}", "expect_reply": true]
            }
            frames.append(["text": ""])  // half-close
            let outcome = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory:relay"), "protocols": ["portico.json"],
                "frames": frames,
            ])
            #expect(outcome["protocol"] as? String == "portico.json")
            let texts = Self.texts(outcome)
            #expect(texts.count == 201, "\(texts.suffix(3))")
            for index in 0..<min(200, texts.count) {
                #expect(texts[index] == "{\"result\":{\"warehouse\":\"w\(index)\",\"delta\":\(index + 1)}}")
            }
            #expect(Self.statusCode(outcome) == "OK")
            #expect(outcome["close_code"] as? Int == 1000)
        }
    }

    @Test func clientAndServerStreamingMethods() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            // Client streaming: the messages, the half-close, then the one reply (the mock merges the messages).
            let record = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory:record"),
                "frames": [["text": "{\"warehouse\":\"berlin\",\"delta\":1}"], ["text": "{\"delta\":4}"], ["text": ""]],
            ])
            #expect(Self.texts(record).first == "{\"result\":{\"warehouse\":\"berlin\",\"delta\":4}}", "\(record)")
            #expect(Self.statusCode(record) == "OK" && record["close_code"] as? Int == 1000)
            // Server streaming with no message: the request comes from the path, as over HTTP.
            let watch = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory/dune-1965:watch"), "frames": [["text": ""]],
            ])
            let replies = Self.texts(watch)
            #expect(replies.count == 3, "\(watch)")
            #expect(replies.first?.contains("\"warehouse\":\"berlin\"") == true)
            #expect(Self.statusCode(watch) == "OK")
        }
    }

    @Test func binaryFramesCarryProtobuf() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            // StockEvent{warehouse: "berlin", delta: 5} and StockEvent{delta: -1}, as protoc would encode them.
            let first = "0a066265726c696e1005"
            let second = "10ffffffffffffffffff01"
            let outcome = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory:relay"),
                "protocols": ["portico.json", "portico.proto"],
                "frames": [
                    ["binary_hex": first, "expect_reply": true], ["binary_hex": second, "expect_reply": true],
                    ["text": ""],
                ],
            ])
            #expect(outcome["protocol"] as? String == "portico.proto")
            let binary = (outcome["received"] as? [[String: Any]] ?? []).compactMap { $0["binary_hex"] as? String }
            #expect(binary == [first, second], "\(outcome)")
            #expect(Self.statusCode(outcome) == "OK")
        }
    }

    @Test func badInputEndsTheSessionWithAClearCloseCode() async throws {
        let limits = "streams: { websocket_max_message: 1KiB }\n"
        try await HTTPStreamTests.withMock(extra: limits) { gateway, _ in
            let relay = Self.url(gateway, "/v1/inventory:relay")
            let invalid = try await Self.peer(["kind": "session", "url": relay, "frames": [["text": "{\"delta\": }"]]])
            #expect(Self.statusCode(invalid) == "INVALID_JSON", "\(invalid)")
            #expect(invalid["close_code"] as? Int == 1008)
            let wrongType = try await Self.peer([
                "kind": "session", "url": relay, "frames": [["text": "{\"delta\":\"many\"}"]],
            ])
            #expect(Self.statusCode(wrongType) == "INVALID_ARGUMENT" && wrongType["close_code"] as? Int == 1008)
            let badUTF8 = try await Self.peer(["kind": "session", "url": relay, "frames": [["bad_utf8": true]]])
            #expect(badUTF8["close_code"] as? Int == 1007, "\(badUTF8)")
            let binaryInJSON = try await Self.peer(["kind": "session", "url": relay, "frames": [["binary_hex": "0801"]]])
            #expect(binaryInJSON["close_code"] as? Int == 1003, "\(binaryInJSON)")
            // One frame over the limit (refused by the frame decoder), and a message over it in small fragments.
            let big = "{\"warehouse\":\"" + String(repeating: "x", count: 4000) + "\"}"
            let oversized = try await Self.peer(["kind": "session", "url": relay, "frames": [["text": big]]])
            #expect(oversized["close_code"] as? Int == 1009, "\(oversized)")
            let fragments = Array(repeating: String(repeating: " ", count: 600), count: 3) + ["{}"]
            let fragmented = try await Self.peer([
                "kind": "session", "url": relay, "frames": [["fragments": fragments]],
            ])
            #expect(fragmented["close_code"] as? Int == 1009, "\(fragmented)")
            #expect(Self.statusCode(fragmented) == "PAYLOAD_TOO_LARGE")
            // Frames after the close handshake are dropped: nothing answers them, and the server ends the TCP
            // connection.
            let late = try await Self.peer([
                "kind": "raw", "url": relay,
                "frames": [["opcode": 1, "payload_hex": "7b7d"], ["opcode": 1, "payload_hex": ""]],
                "after_close": [["opcode": 1, "payload_hex": "7b7d"], ["opcode": 2, "payload_hex": "00"]], "wait": 5,
            ])
            let received = late["received"] as? [[String: Any]] ?? []
            #expect(received.map { $0["opcode"] as? Int } == [1, 1, 8], "\(late)")
            #expect(received.last?["code"] as? Int == 1000)
            #expect(late["closed_by_server"] as? Bool == true)
            let stats = try await gateway.request("GET", "/metrics")
            #expect(stats.text.contains("portico_websocket_sessions 0.0"), "\(stats.text)")
        }
    }

    @Test func anUnreachableBackendClosesWith1013() async throws {
        try await withClosedPort { port in try await unreachable(port) }
    }

    private func unreachable(_ port: Int) async throws {
        let service = """
              - name: inventory
                schema: \(Fixtures.descriptors)/demo/inventory.proto
                include: [\(Fixtures.descriptors)]
                service: inventory.v1.Inventory
                framing: grpc
                endpoints: [127.0.0.1:\(port)]
            """
        try await GatewayFixture.withBackends(try Fixtures.config(services: service), stopping: []) { gateway in
            let outcome = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory:relay"), "frames": [["text": "{}"]],
            ])
            #expect(Self.statusCode(outcome) == "UNAVAILABLE", "\(outcome)")
            #expect(outcome["close_code"] as? Int == 1013)
        }
    }

    @Test func closeCodesFollowTheStatus() {
        #expect(WebSocketStatus.ok.closeCode == .normalClosure)
        let expected: [(String, UInt16)] = [
            ("INVALID_ARGUMENT", 1008), ("FAILED_PRECONDITION", 1008), ("INVALID_JSON", 1008),
            ("UNAUTHENTICATED", 1008), ("RESOURCE_EXHAUSTED", 1009), ("PAYLOAD_TOO_LARGE", 1009),
            ("UNAVAILABLE", 1013), ("CONNECT_TIMEOUT", 1013), ("INTERNAL", 1011), ("RPC_TIMEOUT", 1011),
            ("NOT_FOUND", 1011), ("DEADLINE_EXCEEDED", 1011),
        ]
        for (code, close) in expected {
            var buffer = ByteBuffer()
            buffer.write(webSocketErrorCode: WebSocketStatus.closeCode(for: code))
            #expect(buffer.readInteger(as: UInt16.self) == close, "\(code)")
        }
        // RETRY_EXHAUSTED closes as its last attempt's code.
        let exhausted = CallError(.retryExhausted(last: CallErrorCodeBox(.unavailable)), "3 attempts failed")
        #expect(WebSocketStatus(exhausted).closeCode == .unknown(1013))
        #expect(WebSocketStatus(exhausted).frameText.hasPrefix("{\"status\":{\"code\":\"RETRY_EXHAUSTED\""))
    }

    @Test func tokensComeFromTheQueryACookieOrTheSubprotocol() async throws {
        let key = PASETOKey.generate(.v4, .secret)
        let policy = """
            auth:
              users: { keys: [\(key.verificationKey.paserk)], key_lookup: [header:authorization, query:access_token, cookie:session] }

            """
        try await HTTPStreamTests.withMock(service: "\n    auth: users", extra: policy) { gateway, _ in
            let token = try PASETOIssuer(key: key).issue(claims: Array("{}".utf8), lifetime: .seconds(60), at: Date())
            let relay = Self.url(gateway, "/v1/inventory:relay")
            let frames: [[String: Any]] = [["text": "{\"delta\":2}"], ["text": ""]]
            let missing = try await Self.peer(["kind": "session", "url": relay, "frames": frames])
            #expect(missing["accepted"] as? Bool == false)
            #expect(missing["status"] as? Int == 401)
            #expect((missing["body"] as? String)?.contains("TOKEN_MISSING") == true, "\(missing)")
            let query = try await Self.peer(["kind": "session", "url": relay + "?access_token=" + token, "frames": frames])
            #expect(Self.texts(query).first == "{\"result\":{\"delta\":2}}", "\(query)")
            let cookie = try await Self.peer([
                "kind": "session", "url": relay, "cookie": "theme=dark; session=\(token)", "frames": frames,
            ])
            #expect(Self.statusCode(cookie) == "OK", "\(cookie)")
            let offered = try await Self.peer([
                "kind": "session", "url": relay, "protocols": ["portico.json", "bearer.\(token)"], "frames": frames,
            ])
            #expect(offered["protocol"] as? String == "portico.json", "the token is never echoed: \(offered)")
            #expect(Self.statusCode(offered) == "OK")
            let forged = try await Self.peer([
                "kind": "session", "url": relay, "protocols": ["portico.json", "bearer.v4.public.AAAA"], "frames": frames,
            ])
            #expect(forged["status"] as? Int == 401, "\(forged)")
            #expect((forged["body"] as? String)?.contains("TOKEN_INVALID") == true)
        }
    }

    @Test func aClientThatDoesNotReadIsHeldBackAndLosesNothing() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            // 600 messages of 16 KiB sent before reading any reply: the bridge stops taking replies while the
            // client's socket is full and stops reading the client while the backend is; every reply arrives.
            let padding = String(repeating: "p", count: 16 * 1024)
            var frames: [[String: Any]] = (0..<600).map { ["text": "{\"warehouse\":\"\(padding)\",\"delta\":\($0 + 1)}"] }
            frames.append(["text": ""])
            let outcome = try await Self.peer([
                "kind": "session", "url": Self.url(gateway, "/v1/inventory:relay"), "frames": frames,
                "read_while_sending": false, "read_timeout": 60,
            ])
            let texts = Self.texts(outcome)
            #expect(texts.count == 601, "\(outcome["close_code"] ?? "-") \(texts.count)")
            for (index, text) in texts.dropLast().enumerated() where !text.hasSuffix("\"delta\":\(index + 1)}}") {
                Issue.record("reply \(index) is out of order or damaged: \(text.suffix(40))")
                break
            }
            #expect(Self.statusCode(outcome) == "OK")
        }
    }

    @Test func pingsKeepASessionAliveAndSilenceEndsIt() async throws {
        try await HTTPStreamTests.withMock(extra: "streams: { websocket_ping: 200ms }\n") { gateway, _ in
            let relay = Self.url(gateway, "/v1/inventory:relay")
            let answering = try await Self.peer(["kind": "raw", "url": relay, "answer_pings": true, "wait": 1.5])
            let pings = (answering["received"] as? [[String: Any]] ?? []).filter { $0["opcode"] as? Int == 9 }
            #expect(pings.count >= 3, "\(answering)")
            #expect(answering["closed_by_server"] as? Bool == false)
            let silent = try await Self.peer(["kind": "raw", "url": relay, "answer_pings": false, "wait": 5])
            #expect(silent["closed_by_server"] as? Bool == true, "\(silent)")
        }
    }

    @Test func manyShortSessionsLeakNothing() async throws {
        try await HTTPStreamTests.withMock { gateway, _ in
            let before = openFileDescriptors()
            let outcome = try await Self.peer([
                "kind": "churn", "url": Self.url(gateway, "/v1/inventory:relay"), "message": "{\"delta\":3}",
                "count": 2000, "concurrency": 16,
            ])
            #expect(outcome["ok"] as? Int == 2000, "\(outcome)")
            let stats = try await gateway.request("GET", "/metrics")
            #expect(stats.text.contains("portico_websocket_sessions 0.0"), "\(stats.text)")
            // Every connection is closed (a few descriptors may belong to other suites running meanwhile).
            try await Task.sleep(for: .milliseconds(300))
            #expect(openFileDescriptors() <= before + 16, "\(before) -> \(openFileDescriptors())")
        }
    }

    private func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// A loopback port nothing listens on.
    /// A loopback port bound but not listening while `body` runs: connecting is refused, and no other test's
    /// server can take the port meanwhile (a port that was merely free could be handed to one).
    private func withClosedPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        try #require(bound)
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }
}
