/// Everything the gateway is configured with: one YAML file (`portico serve --config FILE`), overridable by flags.
/// See docs/gateway.md for the reference of every key.
public struct GatewayConfig: Sendable, Hashable {
    /// Where the HTTP server listens.
    public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        /// 0 picks a free port (``GatewayServer/listeningPort()`` tells which).
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }

        /// Parses `127.0.0.1:8080`, `[::1]:8080`, `:8080` (all interfaces) or `localhost:0`.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = "0.0.0.0" }
            guard !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public struct Limits: Sendable, Hashable {
        /// Largest request body accepted (PAYLOAD_TOO_LARGE, 413, beyond it).
        public var maxBody: Int
        /// Largest total size of request header names and values (431 beyond it); nil: only the HTTP parser's
        /// own limit applies.
        public var maxHeader: Int?
        /// Requests one route may run at once; more are rejected at once with 429 RESOURCE_EXHAUSTED
        /// (nil: no limit).
        public var maxConcurrent: Int?

        public init(maxBody: Int = 4 << 20, maxHeader: Int? = nil, maxConcurrent: Int? = nil) {
            self.maxBody = maxBody
            self.maxHeader = maxHeader
            self.maxConcurrent = maxConcurrent
        }
    }

    /// The web console (`GET /console`) and the OpenAPI document (`GET /openapi.json`).
    public struct Console: Sendable, Hashable {
        /// Serve `/console` (off by default).
        public var enabled: Bool
        /// Serve `/openapi.json` (on by default).
        public var openAPI: Bool

        public init(enabled: Bool = false, openAPI: Bool = true) {
            self.enabled = enabled
            self.openAPI = openAPI
        }
    }

    /// Streams over HTTP: Server-Sent Events and WebSockets.
    public struct Streams: Sendable, Hashable {
        /// An SSE comment after this long without an event, so idle proxies do not cut the stream.
        public var keepAlive: Duration = .seconds(15)
        /// The reconnection time an SSE stream tells its client (`retry:`).
        public var retry: Duration = .seconds(3)
        /// The largest WebSocket message accepted (close 1009 beyond it).
        public var maxWebSocketMessage = 1 << 20
        /// A WebSocket ping after this long without a frame from the client; a second silent period closes it.
        public var webSocketPing: Duration = .seconds(30)

        public init() {}
    }

    public var listen: ListenAddress
    /// The admin API's bearer token; nil disables the admin API.
    public var adminToken: String?
    /// The descriptor store directory.
    public var store: String
    public var limits: Limits
    public var services: [ServiceConfig]
    /// PASETO policies by name, which services and methods refer to (`auth: NAME`).
    public var auth: [String: AuthPolicy] = [:]
    /// Traces and logs.
    public var telemetry = TelemetryConfig()
    public var streams = Streams()
    /// Routes whose WebSocket upgrades are relayed to WebSocket backends (`websocket_proxies:`).
    public var webSocketProxies: [WebSocketProxyRoute] = []
    public var console: Console

    public init(
        listen: ListenAddress = ListenAddress(), adminToken: String? = nil, store: String = "./portico-data",
        limits: Limits = Limits(), services: [ServiceConfig] = [], console: Console = Console()
    ) {
        self.listen = listen
        self.adminToken = adminToken
        self.store = store
        self.limits = limits
        self.services = services
        self.console = console
    }
}
