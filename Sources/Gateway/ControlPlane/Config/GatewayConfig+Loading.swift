#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension GatewayConfig {
    /// Parses a YAML config. `environment` supplies `PORTICO_ADMIN_TOKEN`, which takes precedence over
    /// `admin.token`.
    public init(yaml text: String, environment: [String: String] = [:]) throws(ConfigError) {
        var reader = try ConfigReader(try ConfigNode.parse(yaml: text), path: "")
        self.init()
        if let listen = try reader.string("listen") {
            guard let address = ListenAddress(listen) else {
                throw ConfigError("listen", "\"\(listen)\" is not host:port")
            }
            self.listen = address
        }
        if let admin = reader.node("admin") {
            var adminReader = try ConfigReader(admin, path: "admin")
            adminToken = try adminReader.string("token")
            try adminReader.rejectUnknownKeys()
        }
        if let token = environment["PORTICO_ADMIN_TOKEN"], !token.isEmpty { adminToken = token }
        if adminToken?.isEmpty == true { adminToken = nil }
        if let store = try reader.string("store") {
            if EtcdStoreURL.isEtcd(store) {
                do {
                    _ = try EtcdStoreURL(parsing: store)
                } catch {
                    throw ConfigError("store", "\(error.code): \(error.message)")
                }
            }
            self.store = store
        }
        if let limits = reader.node("limits") {
            var limitsReader = try ConfigReader(limits, path: "limits")
            if let maxBody = try limitsReader.size("max_body") { self.limits.maxBody = maxBody }
            self.limits.maxHeader = try limitsReader.size("max_header")
            self.limits.maxConcurrent = try limitsReader.integer("max_concurrent", in: 1...1_000_000)
            try limitsReader.rejectUnknownKeys()
        }
        if let auth = reader.node("auth") { self.auth = try Self.authPolicies(auth) }
        if let telemetry = reader.node("telemetry") { self.telemetry = try TelemetryConfig(node: telemetry) }
        if let streams = reader.node("streams") {
            var streamsReader = try ConfigReader(streams, path: "streams")
            if let keepAlive = try streamsReader.duration("keepalive") { self.streams.keepAlive = keepAlive }
            if let retry = try streamsReader.duration("retry") { self.streams.retry = retry }
            if let size = try streamsReader.size("websocket_max_message") {
                guard size >= 125, size <= 64 << 20 else {
                    throw ConfigError("streams.websocket_max_message", "\(size) is out of range 125...64MiB")
                }
                self.streams.maxWebSocketMessage = size
            }
            if let ping = try streamsReader.duration("websocket_ping") { self.streams.webSocketPing = ping }
            try streamsReader.rejectUnknownKeys()
        }
        if let proxies = reader.node("websocket_proxies") {
            guard case .list(let items) = proxies else {
                throw ConfigError("websocket_proxies", "expected a list, found \(proxies.summary)")
            }
            for (index, item) in items.enumerated() {
                webSocketProxies.append(try WebSocketProxyRoute(node: item, path: "websocket_proxies[\(index)]"))
            }
        }
        if let console = reader.node("console") {
            var consoleReader = try ConfigReader(console, path: "console")
            if let enabled = try consoleReader.bool("enabled") { self.console.enabled = enabled }
            if let openAPI = try consoleReader.bool("openapi") { self.console.openAPI = openAPI }
            try consoleReader.rejectUnknownKeys()
        }
        if let services = reader.node("services") {
            guard case .list(let items) = services else {
                throw ConfigError("services", "expected a list, found \(services.summary)")
            }
            for (index, item) in items.enumerated() {
                let service = try ServiceConfig(node: item, path: "services[\(index)]", name: nil)
                if self.services.contains(where: { $0.name == service.name }) {
                    throw ConfigError("services[\(index)].name", "\"\(service.name)\" is used by another service")
                }
                self.services.append(service)
            }
        }
        try reader.rejectUnknownKeys()
    }

    /// Reads and parses a config file.
    /// `environment` nil: the process's.
    public static func load(path: String, environment: [String: String]? = nil) throws(ConfigError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("", "cannot read the config file '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("", "the config file '\(path)' is not UTF-8")
        }
        return try GatewayConfig(yaml: text, environment: environment ?? ProcessInfo.processInfo.environment)
    }
}
