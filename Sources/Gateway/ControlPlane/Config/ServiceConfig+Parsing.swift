import DynamicCodec
import GenericCall

extension ServiceConfig {
    /// Reads one service from the config (`path` is `services[2]`) or from an admin request (`name` comes from
    /// the URL; a `name` key in the body must agree).
    init(node: ConfigNode, path: String, name fixedName: String?) throws(ConfigError) {
        var reader = try ConfigReader(node, path: path)
        var name = try reader.string("name")
        if let fixedName {
            if let name, name != fixedName {
                throw ConfigError(reader.keyPath("name"), "\"\(name)\" differs from the name in the URL (\(fixedName))")
            }
            name = fixedName
        }
        guard let name, !name.isEmpty else { throw ConfigError(reader.keyPath("name"), "is required") }
        guard ServiceConfig.isValidName(name) else {
            throw ConfigError(reader.keyPath("name"), "\"\(name)\" must be 1-64 letters, digits, '.', '_' or '-'")
        }
        let schemaText = try reader.requiredString("schema")
        let schema: SchemaReference
        if schemaText.hasPrefix("registry:") {
            let registryName = String(schemaText.dropFirst("registry:".count))
            guard ServiceConfig.isValidName(registryName) else {
                throw ConfigError(reader.keyPath("schema"), "\"\(registryName)\" is not a valid registry name")
            }
            schema = .registry(registryName)
        } else {
            schema = .file(schemaText)
        }
        let service = try reader.requiredString("service")
        var config = ServiceConfig(name: name, schema: schema, service: service, endpoints: [])
        config.include = try reader.stringList("include") ?? []
        if let framing = try reader.string("framing") {
            guard let value = Framing(rawValue: framing.lowercased()) else {
                throw ConfigError(
                    reader.keyPath("framing"),
                    "\"\(framing)\" is not one of \(Framing.allCases.map(\.rawValue).joined(separator: " | "))")
            }
            config.framing = value
        }
        if let thriftProtocol = try reader.string("protocol") {
            switch thriftProtocol.lowercased() {
            case "binary": config.thriftProtocol = .binary
            case "compact": config.thriftProtocol = .compact
            default:
                throw ConfigError(reader.keyPath("protocol"), "\"\(thriftProtocol)\" is not one of binary | compact")
            }
        }
        config.transport = try reader.choice("transport", of: Transport.self) ?? .tcp
        _ = reader.node("discovered")  // what the admin API reports of discovered instances; read-only
        if case .map = reader.node("endpoints") {
            config.discovery = try Self.discovery(reader.node("endpoints")!, path: reader.keyPath("endpoints"), name: name)
            guard config.transport == .tcp else {
                throw ConfigError(reader.keyPath("endpoints"), "discovered endpoints are TCP only")
            }
        } else {
            config.endpoints = try reader.stringList("endpoints") ?? []
        }
        guard !config.endpoints.isEmpty || config.discovery != nil else {
            throw ConfigError(reader.keyPath("endpoints"), "at least one endpoint is required")
        }
        for (index, endpoint) in config.endpoints.enumerated() {
            let valid =
                config.transport == .shmipc ? !endpoint.isEmpty : GatewayConfig.ListenAddress(endpoint) != nil
            guard valid else {
                throw ConfigError(
                    "\(reader.keyPath("endpoints"))[\(index)]",
                    "\"\(endpoint)\" is not \(config.transport == .tcp ? "host:port" : "a socket path")")
            }
        }
        config.balance = try Self.balance(&reader)
        if let timeouts = reader.node("timeouts") {
            var timeoutReader = try ConfigReader(timeouts, path: reader.keyPath("timeouts"))
            if let connect = try timeoutReader.duration("connect") { config.timeouts.connect = connect }
            if let rpc = try timeoutReader.duration("rpc") { config.timeouts.rpc = rpc }
            try timeoutReader.rejectUnknownKeys()
        }
        if let retry = reader.node("retry") {
            config.retry = try Self.retry(retry, path: reader.keyPath("retry"), base: config.retry)
        }
        config.auth = try Self.authName(&reader)
        if let resume = try reader.string("sse_resume") {
            if resume.hasPrefix("metadata:") {
                let name = String(resume.dropFirst("metadata:".count))
                guard AuthPolicy.isMetadataName(name) else {
                    throw ConfigError(reader.keyPath("sse_resume"), "\"\(name)\" is not a metadata name")
                }
                config.sseResume = .metadata(name)
            } else {
                guard !resume.isEmpty, !resume.contains(where: { $0 == "=" || $0 == "&" || $0 == " " }) else {
                    throw ConfigError(reader.keyPath("sse_resume"), "expected FIELD or metadata:NAME")
                }
                config.sseResume = .field(resume)
            }
        }
        if let methods = reader.node("methods") {
            guard case .map(let entries) = methods else {
                throw ConfigError(reader.keyPath("methods"), "expected a map of method names, found \(methods.summary)")
            }
            for (method, settings) in entries {
                config.methods[method] = try Self.method(
                    settings, path: "\(reader.keyPath("methods")).\(method)", service: config)
            }
        }
        config.forwardHeaders = try reader.stringList("forward_headers") ?? []
        config.strict = try reader.bool("strict") ?? true
        config.protoNames = try reader.bool("proto_names") ?? false
        config.metadataPrefix = try reader.string("metadata_prefix")
        config.tls = try Self.tlsSettings(&reader, framing: config.framing, transport: config.transport)
        try reader.rejectUnknownKeys()
        self = config
    }

    /// `auth: POLICY` or `auth: none` (nil). Whether the policy exists is checked when the routes are built.
    private static func authName(_ reader: inout ConfigReader) throws(ConfigError) -> String? {
        guard let name = try reader.string("auth") else { return nil }
        if name == AuthPolicy.noneName { return nil }
        guard isValidName(name) else { throw ConfigError(reader.keyPath("auth"), "\"\(name)\" is not a policy name") }
        return name
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && !name.hasPrefix(".")
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// `balance: round-robin`, `balance: consistent-hash` with `key: HEADER` beside it, or
    /// `balance: {consistent-hash: HEADER}`.
    private static func balance(_ reader: inout ConfigReader) throws(ConfigError) -> Balance {
        let key = try reader.string("key")
        guard let node = reader.node("balance") else {
            if key != nil { throw ConfigError(reader.keyPath("key"), "only applies to balance: consistent-hash") }
            return .roundRobin
        }
        switch node {
        case .scalar(let text):
            switch text.lowercased() {
            case "round-robin", "round_robin", "roundrobin":
                if key != nil { throw ConfigError(reader.keyPath("key"), "only applies to balance: consistent-hash") }
                return .roundRobin
            case "consistent-hash", "consistent_hash":
                guard let key, !key.isEmpty else {
                    throw ConfigError(reader.keyPath("key"), "consistent-hash needs the header to hash (key: HEADER)")
                }
                return .consistentHash(header: key)
            default:
                throw ConfigError(reader.keyPath("balance"), "\"\(text)\" is not one of round-robin | consistent-hash")
            }
        case .map:
            var balanceReader = try ConfigReader(node, path: reader.keyPath("balance"))
            let hashHeader = try balanceReader.string("consistent-hash")
            let keyHeader = try balanceReader.string("key")
            guard let header = hashHeader ?? keyHeader else {
                throw ConfigError(reader.keyPath("balance"), "expected consistent-hash: HEADER")
            }
            try balanceReader.rejectUnknownKeys()
            return .consistentHash(header: header)
        default:
            throw ConfigError(
                reader.keyPath("balance"), "expected round-robin or consistent-hash, found \(node.summary)")
        }
    }

    /// A retry map; keys it lacks keep the values of `base`.
    static func retry(_ node: ConfigNode, path: String, base: Retry) throws(ConfigError) -> Retry {
        var reader = try ConfigReader(node, path: path)
        var retry = base
        if let attempts = try reader.integer("max_attempts", in: 1...100) { retry.maxAttempts = attempts }
        if let backoff = try reader.choice("backoff", of: Retry.Backoff.self) { retry.backoff = backoff }
        if let pause = try reader.duration("backoff_base") { retry.backoffBase = pause }
        if let pause = try reader.duration("backoff_max") { retry.backoffMax = pause }
        if let onTimeout = try reader.bool("retry_on_timeout") { retry.retryOnTimeout = onTimeout }
        if let budget = try reader.number("budget_percent", in: 0...100) { retry.budgetPercent = budget }
        if let idempotent = try reader.bool("idempotent") { retry.idempotent = idempotent }
        try reader.rejectUnknownKeys()
        return retry
    }

    /// `{retry: {...}, timeout: 200ms, idempotent: true}` for one method.
    private static func method(_ node: ConfigNode, path: String, service: ServiceConfig) throws(ConfigError)
        -> MethodSettings
    {
        var reader = try ConfigReader(node, path: path)
        var settings = MethodSettings(retry: service.retry, rpcTimeout: service.timeouts.rpc, auth: service.auth)
        if let retry = reader.node("retry") {
            settings.retry = try Self.retry(retry, path: reader.keyPath("retry"), base: service.retry)
        }
        if let timeout = try reader.duration("timeout") { settings.rpcTimeout = timeout }
        if let idempotent = try reader.bool("idempotent") { settings.retry.idempotent = idempotent }
        if reader.node("auth") != nil { settings.auth = try Self.authName(&reader) }
        try reader.rejectUnknownKeys()
        return settings
    }

    /// `endpoints: { discover: kitex, service: NAME }`: instances registered the Kitex registry-etcd way under
    /// `kitex/registry-etcd/NAME/` (NAME defaults to the service's own name).
    static func discovery(_ node: ConfigNode, path: String, name: String) throws(ConfigError) -> Discovery {
        var reader = try ConfigReader(node, path: path)
        let kind = try reader.requiredString("discover")
        guard kind == "kitex" else {
            throw ConfigError(reader.keyPath("discover"), "\"\(kind)\" is not a known registry (kitex)")
        }
        let service = try reader.string("service") ?? name
        guard !service.isEmpty, service.utf8.count <= 256, !service.contains("/"),
            service.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw ConfigError(reader.keyPath("service"), "\"\(service)\" is not a Kitex service name")
        }
        try reader.rejectUnknownKeys()
        return .kitex(service: service)
    }
}
