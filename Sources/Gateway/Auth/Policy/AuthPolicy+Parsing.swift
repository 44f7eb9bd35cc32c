extension AuthPolicy {
    /// Reads one policy of the `auth:` map (`path` is `auth.users`).
    init(node: ConfigNode, path: String) throws(ConfigError) {
        var reader = try ConfigReader(node, path: path)
        guard let keysNode = reader.node("keys") else {
            throw ConfigError(reader.keyPath("keys"), "a policy needs at least one key (there is no default key)")
        }
        let keys = try Self.keys(keysNode, path: reader.keyPath("keys"))
        self.init(keys: keys)
        if let sources = try reader.stringList("key_lookup") {
            guard !sources.isEmpty else { throw ConfigError(reader.keyPath("key_lookup"), "needs at least one source") }
            lookup = []
            for (index, text) in sources.enumerated() {
                guard let source = TokenSource(text) else {
                    throw ConfigError(
                        "\(reader.keyPath("key_lookup"))[\(index)]",
                        "\"\(text)\" is not header:NAME, query:NAME, cookie:NAME or form:NAME")
                }
                lookup.append(source)
            }
        }
        if let prefix = try reader.string("token_prefix") { tokenPrefix = prefix }
        if let required = try reader.bool("require_kid") { requireKeyID = required }
        if let assertion = try reader.string("implicit_assertion") { implicitAssertion = assertion }
        if let claimsNode = reader.node("claims") {
            claims = try Self.claimRules(claimsNode, path: reader.keyPath("claims"))
        }
        for (index, text) in (try reader.stringList("skip") ?? []).enumerated() {
            guard let rule = SkipRule(text) else {
                throw ConfigError(
                    "\(reader.keyPath("skip"))[\(index)]",
                    "\"\(text)\" is not [METHOD] PATH (a path starting with /, a trailing * for a prefix)")
            }
            skip.append(rule)
        }
        if let forward = reader.node("forward_claims") {
            forwardClaims = try Self.forwardedClaims(forward, path: reader.keyPath("forward_claims"))
        }
        try reader.rejectUnknownKeys()
    }

    /// `keys:` — a list of key strings, or of maps `{key: ..., id: ..., version: v4, kind: public}`.
    private static func keys(_ node: ConfigNode, path: String) throws(ConfigError) -> [KeyReference] {
        let items: [ConfigNode]
        switch node {
        case .list(let list): items = list
        case .scalar: items = [node]
        default: throw ConfigError(path, "expected a list of keys, found \(node.summary)")
        }
        guard !items.isEmpty else { throw ConfigError(path, "a policy needs at least one key") }
        var keys: [KeyReference] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            switch item {
            case .scalar(let text):
                keys.append(KeyReference(key: text))
            case .map:
                var reader = try ConfigReader(item, path: itemPath)
                var key = KeyReference(key: try reader.requiredString("key"))
                key.id = try reader.string("id")
                key.version = try reader.choice("version", of: PASETOVersion.self)
                key.kind = try reader.choice("kind", of: PASETOKeyKind.self)
                try reader.rejectUnknownKeys()
                keys.append(key)
            default:
                throw ConfigError(itemPath, "expected a key or a map with key:, found \(item.summary)")
            }
        }
        return keys
    }

    private static func claimRules(_ node: ConfigNode, path: String) throws(ConfigError) -> PASETOClaimRules {
        var reader = try ConfigReader(node, path: path)
        var rules = PASETOClaimRules()
        if let required = try reader.bool("require_exp") { rules.requireExpiration = required }
        if let leeway = try reader.duration("leeway") { rules.leeway = leeway }
        rules.audience = try reader.string("audience")
        rules.issuer = try reader.string("issuer")
        rules.subject = try reader.string("subject")
        rules.tokenIdentifier = try reader.string("jti")
        try reader.rejectUnknownKeys()
        return rules
    }

    /// `forward_claims: {sub: x-user-id}`: claim name to metadata name.
    private static func forwardedClaims(_ node: ConfigNode, path: String) throws(ConfigError) -> [ForwardedClaim] {
        guard case .map(let entries) = node else {
            throw ConfigError(path, "expected a map of claim names to metadata names, found \(node.summary)")
        }
        var claims: [ForwardedClaim] = []
        for (claim, value) in entries {
            guard case .scalar(let name) = value, Self.isMetadataName(name) else {
                throw ConfigError(
                    "\(path).\(claim)", "expected a metadata name (letters, digits, '-', '_', '.'), found \(value.summary)")
            }
            guard !claims.contains(where: { $0.name == name.lowercased() }) else {
                throw ConfigError("\(path).\(claim)", "\"\(name)\" is already the name of another claim")
            }
            claims.append(ForwardedClaim(claim: claim, name: name))
        }
        return claims
    }

    /// What both gRPC metadata keys and HTTP header names accept (and not the `grpc-` names gRPC reserves).
    static func isMetadataName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && !name.lowercased().hasPrefix("grpc-")
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

extension GatewayConfig {
    /// `auth:` — a map of policy names to policies.
    static func authPolicies(_ node: ConfigNode) throws(ConfigError) -> [String: AuthPolicy] {
        guard case .map(let entries) = node else {
            throw ConfigError("auth", "expected a map of policy names to policies, found \(node.summary)")
        }
        var policies: [String: AuthPolicy] = [:]
        for (name, policyNode) in entries {
            guard ServiceConfig.isValidName(name), name != AuthPolicy.noneName else {
                throw ConfigError(
                    "auth.\(name)", "a policy name is 1-64 letters, digits, '.', '_' or '-', and not \"none\"")
            }
            guard policies[name] == nil else { throw ConfigError("auth.\(name)", "is defined twice") }
            policies[name] = try AuthPolicy(node: policyNode, path: "auth.\(name)")
        }
        return policies
    }
}
