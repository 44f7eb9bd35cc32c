import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// The WebSocket reverse proxy in front of a backend on the Python `websockets` library (Tests/peers/ws_backend.py),
/// driven by the same library as a client (Tests/peers/ws_client.py): the upgrade is relayed with the headers a
/// proxy forwards, the backend's subprotocol answered, frames and close codes relayed both ways, refusals 502.
@Suite("Live: WebSocket proxy", .serialized)
struct WebSocketProxyTests {
    static func withProxy<T: Sendable>(_ body: @Sendable (GatewayFixture, Int) async throws -> T) async throws -> T {
        let backend = try await onOwnThread { try PeerServer(["python3", Repo.peers + "/ws_backend.py"]) }
        defer { backend.stop() }
        let proxies = """
            websocket_proxies:
              - { path: /chat/*, target: "ws://127.0.0.1:\(backend.port)/room" }
              - { path: /refused, target: "ws://127.0.0.1:\(backend.port)/refuse" }
              - { path: /down, target: "ws://127.0.0.1:1/nothing", connect_timeout: 1s }
            streams: { websocket_max_message: 1MiB }

            """
        return try await HTTPStreamTests.withMock(extra: proxies) { gateway, _ in try await body(gateway, backend.port) }
    }

    static func json(_ text: String?) -> [String: Any]? {
        text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func framesHeadersSubprotocolAndCloseCodesAreRelayed() async throws {
        try await Self.withProxy { gateway, _ in
            let outcome = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/chat/lobby?user=ann",
                "protocols": ["chat.v1", "chat.v2"],
                "headers": ["Origin": "http://app.example", "Authorization": "Bearer abc", "X-Forwarded-For": "10.1.2.3"],
                "cookie": "sid=42",
                "frames": [
                    ["text": "hello", "expect_reply": true], ["binary_hex": "00ff10", "expect_reply": true],
                    ["fragments": ["ab", "cd"], "expect_reply": true], ["text": "close:4001:bye"],
                ],
            ])
            #expect(outcome["accepted"] as? Bool == true, "\(outcome)")
            #expect(outcome["protocol"] as? String == "chat.v2", "the backend's choice is answered: \(outcome)")
            let received = outcome["received"] as? [[String: Any]] ?? []
            #expect(received.count == 4, "\(received)")
            let hello = try #require(Self.json(received.first?["text"] as? String)?["hello"] as? [String: Any])
            #expect(hello["path"] as? String == "/room/lobby?user=ann")
            #expect(hello["subprotocol"] as? String == "chat.v2")
            let headers = hello["headers"] as? [String: String] ?? [:]
            #expect(headers["origin"] == "http://app.example")
            #expect(headers["authorization"] == "Bearer abc")
            #expect(headers["cookie"] == "sid=42")
            #expect(headers["x-forwarded-for"] == "10.1.2.3, 127.0.0.1", "\(headers)")
            #expect(headers["x-forwarded-proto"] == "http")
            #expect(headers["x-forwarded-host"] == "127.0.0.1:\(gateway.port)")
            #expect(headers["sec-websocket-protocol"] == "chat.v1, chat.v2", "\(headers)")
            #expect(headers["x-request-id"]?.isEmpty == false)
            #expect(received.dropFirst().first?["text"] as? String == "hello")
            #expect(received.dropFirst(2).first?["binary_hex"] as? String == "00ff10")
            #expect(received.dropFirst(3).first?["text"] as? String == "abcd", "fragments reach the backend as one message")
            #expect(outcome["close_code"] as? Int == 4001, "the backend's close code reaches the client: \(outcome)")
            #expect(outcome["close_reason"] as? String == "bye")
        }
    }

    @Test func theClientsCloseCodeReachesTheBackend() async throws {
        try await Self.withProxy { gateway, backendPort in
            let reason = Array("done".utf8).map { String(format: "%02x", $0) }.joined()
            let outcome = try await WebSocketBridgeTests.peer([
                "kind": "raw", "url": "ws://127.0.0.1:\(gateway.port)/chat/x",
                "frames": [["opcode": 8, "payload_hex": "0fa2" + reason, "fin": true]], "wait": 5,
            ])
            let frames = outcome["received"] as? [[String: Any]] ?? []
            let close = frames.first { $0["opcode"] as? Int == 8 }
            #expect(close?["code"] as? Int == 4002, "the backend's answer to the close is relayed: \(frames)")
            #expect(outcome["closed_by_server"] as? Bool == true)
            let closes = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(backendPort)/closes",
            ])
            let text = (closes["received"] as? [[String: Any]])?.first?["text"] as? String ?? ""
            let list = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
            #expect(list.last?["code"] as? Int == 4002, "\(list)")
            #expect(list.last?["reason"] as? String == "done")
        }
    }

    @Test func refusalsAreAnswered502WithTheErrorJSON() async throws {
        try await Self.withProxy { gateway, _ in
            let refused = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/refused",
            ])
            #expect(refused["accepted"] as? Bool == false)
            #expect(refused["status"] as? Int == 502, "\(refused)")
            let body = Self.json(refused["body"] as? String)
            #expect(body?["code"] as? String == "UPGRADE_REFUSED", "\(refused)")
            #expect((body?["details"] as? [String: Any])?["backend_status"] as? String == "403", "\(refused)")

            let down = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/down",
            ])
            #expect(down["status"] as? Int == 502, "\(down)")
            let downBody = Self.json(down["body"] as? String)
            #expect((downBody?["details"] as? [String: Any])?["reason"] as? String == "connect", "\(down)")

            // A path no proxy route takes is not upgraded.
            let unknown = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/elsewhere",
            ])
            #expect(unknown["accepted"] as? Bool == false)
            #expect(unknown["status"] as? Int == 404, "\(unknown)")
        }
    }

    @Test func aBurstArrivesWholeAndOversizedFramesCloseCleanly() async throws {
        try await Self.withProxy { gateway, _ in
            // 120 binary messages of 16 KiB from the backend while the client only sends: every byte in order.
            let burst = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/chat/burst",
                "frames": [["text": "burst:120:16384"], ["text": "close:1000:"]], "read_while_sending": false,
            ])
            let messages = (burst["received"] as? [[String: Any]] ?? []).compactMap { $0["binary_hex"] as? String }
            #expect(messages.count == 120, "\(burst["close_code"] ?? "")")
            for (k, hex) in messages.enumerated() {
                let expected = (0..<16384).map { String(format: "%02x", (k + $0) % 251) }.joined()
                #expect(hex == expected, "message \(k) differs")
                if hex != expected { break }
            }
            #expect(burst["close_code"] as? Int == 1000)

            // A backend frame over the limit: the client hears 1014 (bad gateway).
            let big = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/chat/big",
                "frames": [["text": "burst:1:2000000"]],
            ])
            #expect(big["close_code"] as? Int == 1014, "\(big["close_code"] ?? "") \(big["close_reason"] ?? "")")

            // A client frame over the limit: 1009 to the client.
            let tooLarge = try await WebSocketBridgeTests.peer([
                "kind": "session", "url": "ws://127.0.0.1:\(gateway.port)/chat/big",
                "frames": [["text": String(repeating: "x", count: 1_100_000)]],
            ])
            #expect(tooLarge["close_code"] as? Int == 1009, "\(tooLarge["close_code"] ?? "")")
        }
    }
}
