public import GenericCall

/// Where an etcd store lives: `etcd://HOST:PORT[,HOST:PORT...][/PREFIX][?user=NAME&password_env=VAR]`.
///
/// The prefix (default `/portico`) holds everything the gateways share; the credentials, when given, are sent to
/// etcd's `Auth.Authenticate` and the token it returns travels with every call. TLS is not offered: Portico's gRPC
/// client speaks plaintext HTTP/2 only, so a store URL with `etcds://` or `https` endpoints is refused.
public struct EtcdStoreURL: Sendable, Hashable, CustomStringConvertible {
    public var endpoints: [Endpoint]
    /// The key prefix, without a trailing slash (`/portico`).
    public var prefix: String
    public var user: String?
    /// The environment variable holding the password (never the password itself in the config).
    public var passwordVariable: String?

    public init(
        endpoints: [Endpoint], prefix: String = "/portico", user: String? = nil, passwordVariable: String? = nil
    ) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.user = user
        self.passwordVariable = passwordVariable
    }

    /// Whether `text` names an etcd store rather than a directory.
    public static func isEtcd(_ text: String) -> Bool {
        text.hasPrefix("etcd://") || text.hasPrefix("etcds://")
    }

    /// Parses the `store:` value; errors name what is wrong (code STORE_URL_INVALID).
    public init(parsing text: String) throws(GatewayError) {
        guard text.hasPrefix("etcd://") else {
            if text.hasPrefix("etcds://") {
                throw Self.invalid(text, "TLS to etcd is not supported yet (use etcd:// on a trusted network)")
            }
            throw Self.invalid(text, "expected etcd://HOST:PORT[,HOST:PORT...][/PREFIX]")
        }
        var rest = Substring(text.dropFirst("etcd://".count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var hosts = rest
        var prefix = "/portico"
        if let slash = rest.firstIndex(of: "/") {
            hosts = rest[..<slash]
            var path = String(rest[slash...])
            while path.hasSuffix("/") { path.removeLast() }
            if !path.isEmpty { prefix = path }
        }
        guard !prefix.contains("//"), prefix.utf8.count <= 256,
            prefix.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw Self.invalid(text, "the prefix '\(prefix)' must be printable ASCII without empty steps")
        }
        var endpoints: [Endpoint] = []
        for host in hosts.split(separator: ",", omittingEmptySubsequences: false) {
            guard !host.isEmpty, !host.hasPrefix("/") else {
                throw Self.invalid(text, "an empty endpoint between commas")
            }
            do {
                endpoints.append(try Endpoint(parsing: String(host)))
            } catch {
                throw Self.invalid(text, "'\(host)' is not HOST:PORT")
            }
        }
        guard !endpoints.isEmpty else { throw Self.invalid(text, "no endpoint") }
        var user: String?
        var passwordVariable: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw Self.invalid(text, "'\(pair)' is not KEY=VALUE")
            }
            switch parts[0] {
            case "user": user = parts[1]
            case "password_env": passwordVariable = parts[1]
            default: throw Self.invalid(text, "unknown option '\(parts[0])' (user, password_env)")
            }
        }
        guard (user == nil) == (passwordVariable == nil) else {
            throw Self.invalid(text, "user and password_env go together")
        }
        self.init(endpoints: endpoints, prefix: prefix, user: user, passwordVariable: passwordVariable)
    }

    public var description: String {
        "etcd://" + endpoints.map(\.description).joined(separator: ",") + prefix
    }

    static func invalid(_ text: String, _ reason: String) -> GatewayError {
        GatewayError(code: "STORE_URL_INVALID", status: 400, "store '\(text)': \(reason)", details: ["store": text])
    }
}
