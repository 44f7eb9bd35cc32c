public import Foundation

/// Tests/peers/sse_server.py on a free loopback port, with its request log in a temporary file; stopped (and the
/// log removed) by ``stop()`` or when released.
public final class SSEPeer: @unchecked Sendable {
    /// One line of the peer's log: a request it received, or a stream the client closed.
    public struct Entry: Sendable {
        public var path: String
        public var method: String
        /// Lowercase names.
        public var headers: [String: String]
        public var body: String
        /// A stream the client closed (the server's write failed).
        public var closed: Bool
    }

    public let server: PeerServer
    public let logPath: String

    public init() throws {
        logPath = NSTemporaryDirectory() + "portico-sse-log-\(UUID().uuidString).jsonl"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        server = try PeerServer(["python3", Repo.peers + "/sse_server.py", "--log", logPath])
    }

    public var port: Int { server.port }

    /// `http://127.0.0.1:PORT` + `path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    /// Everything logged so far.
    public func log() -> [Entry] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
            if let closed = object["closed"] as? String {
                return Entry(path: closed, method: "", headers: [:], body: "", closed: true)
            }
            return Entry(
                path: object["path"] as? String ?? "", method: object["method"] as? String ?? "",
                headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                closed: false)
        }
    }

    /// The requests received whose path starts with `prefix`, in order.
    public func requests(_ prefix: String = "/") -> [Entry] {
        log().filter { !$0.closed && $0.path.hasPrefix(prefix) }
    }

    /// Polls the log until `condition` holds or `timeout` passes; returns whether it held.
    public func waitUntil(timeout: Duration = .seconds(10), _ condition: ([Entry]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(log()) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(log())
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    deinit { stop() }
}
