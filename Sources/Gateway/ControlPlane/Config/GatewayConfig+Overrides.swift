/// Values given on the command line, which win over the config file.
public struct GatewayConfigOverrides: Sendable, Hashable {
    /// `host:port`.
    public var listen: String?
    public var store: String?
    public var adminToken: String?
    public var maxBody: String?

    public init(listen: String? = nil, store: String? = nil, adminToken: String? = nil, maxBody: String? = nil) {
        self.listen = listen
        self.store = store
        self.adminToken = adminToken
        self.maxBody = maxBody
    }
}

extension GatewayConfig {
    /// The config with command-line overrides applied; errors name the flag (`--listen`).
    public func applying(_ overrides: GatewayConfigOverrides) throws(ConfigError) -> GatewayConfig {
        var config = self
        if let listen = overrides.listen {
            guard let address = ListenAddress(listen) else {
                throw ConfigError("--listen", "\"\(listen)\" is not host:port")
            }
            config.listen = address
        }
        if let store = overrides.store { config.store = store }
        if let token = overrides.adminToken { config.adminToken = token.isEmpty ? nil : token }
        if let maxBody = overrides.maxBody {
            guard let size = ConfigUnits.size(maxBody) else {
                throw ConfigError("--max-body", "\"\(maxBody)\" is not a size (like 4MiB)")
            }
            config.limits.maxBody = size
        }
        return config
    }
}
