/// A route whose WebSocket upgrades are relayed to a WebSocket backend as they are (`websocket_proxies:` in the
/// config), for services that already speak WebSocket and only need the gateway in front of them.
public struct WebSocketProxyRoute: Sendable, Hashable {
    /// The request path this route takes: exact, or every path under a prefix when it ends with `/*`.
    public var path: String
    /// The backend's host and port.
    public var host: String
    public var port: Int
    /// The backend's path; for a prefix route, what follows the prefix is appended to it.
    public var targetPath: String
    /// How long dialing the backend and its upgrade handshake may take, together.
    public var connectTimeout: Duration = .seconds(3)

    /// Reads `target` (`ws://host:port/path`) and the route's path.
    public init(path: String, target: String, connectTimeout: Duration? = nil) throws(ConfigError) {
        guard path.hasPrefix("/") else { throw ConfigError("path", "\"\(path)\" does not start with /") }
        guard target.hasPrefix("ws://") else {
            throw ConfigError("target", "\"\(target)\" is not a ws:// URL (wss:// backends are not supported)")
        }
        let rest = target.dropFirst("ws://".count)
        let authority = rest.prefix { $0 != "/" }
        let targetPath = rest.dropFirst(authority.count)
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65535).contains(port), colon != authority.startIndex
        else { throw ConfigError("target", "\"\(target)\" has no host:port") }
        self.path = path
        let host = authority[..<colon]
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : String(host)
        self.port = port
        self.targetPath = targetPath.isEmpty ? "/" : String(targetPath)
        if let connectTimeout { self.connectTimeout = connectTimeout }
    }

    /// The backend request target for a client's `uri` (path and query), or nil when the route does not take it.
    func backendTarget(for uri: String) -> String? {
        let query = uri.firstIndex(of: "?").map { uri[$0...] } ?? ""
        let requestPath = uri[..<(uri.firstIndex(of: "?") ?? uri.endIndex)]
        if path.hasSuffix("/*") {
            let prefix = path.dropLast(2)
            guard requestPath == prefix || requestPath.hasPrefix(prefix + "/") else { return nil }
            let remainder = requestPath.dropFirst(prefix.count)
            let base = targetPath.hasSuffix("/") ? String(targetPath.dropLast()) : targetPath
            return base + remainder + query
        }
        guard requestPath == path else { return nil }
        return targetPath + query
    }
}

extension WebSocketProxyRoute {
    init(node: ConfigNode, path keyPath: String) throws(ConfigError) {
        var reader = try ConfigReader(node, path: keyPath)
        let path = try reader.requiredString("path")
        let target = try reader.requiredString("target")
        let timeout = try reader.duration("connect_timeout")
        try reader.rejectUnknownKeys()
        do {
            try self.init(path: path, target: target, connectTimeout: timeout)
        } catch {
            throw ConfigError(reader.keyPath(error.keyPath), error.message)
        }
    }
}
