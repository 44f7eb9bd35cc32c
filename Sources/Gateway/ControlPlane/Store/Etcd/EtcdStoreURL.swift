public import GenericCall

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where an etcd store lives: `etcd://HOST:PORT[,HOST:PORT...][/PREFIX][?user=NAME&password_env=VAR]`, or over
/// TLS `etcds://HOST:PORT[,...][/PREFIX][?ca=FILE&cert=FILE&key=FILE&server_name=NAME&user=...&password_env=...]`.
///
/// The prefix (default `/portico`) holds everything the gateways share; the credentials, when given, are sent to
/// etcd's `Auth.Authenticate` and the token it returns travels with every call. With `etcds://` every member is
/// reached over TLS: `ca` is the PEM file of the CA that signed etcd's certificates (default: the system's
/// roots), `cert` and `key` a client certificate and its key for etcd's `--client-cert-auth` (both or neither),
/// and `server_name` the name expected in the members' certificates (default: each endpoint's host; an IP
/// address must then be an IP SAN of the certificate).
public struct EtcdStoreURL: Sendable, Hashable, CustomStringConvertible {
    public var endpoints: [Endpoint]
    /// The key prefix, without a trailing slash (`/portico`).
    public var prefix: String
    public var user: String?
    /// The environment variable holding the password (never the password itself in the config).
    public var passwordVariable: String?
    /// TLS to every member (`etcds://`); nil: plaintext (`etcd://`).
    public var tls: ClientTLSConfiguration?

    public init(
        endpoints: [Endpoint], prefix: String = "/portico", user: String? = nil, passwordVariable: String? = nil,
        tls: ClientTLSConfiguration? = nil
    ) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.user = user
        self.passwordVariable = passwordVariable
        self.tls = tls
    }

    /// Whether `text` names an etcd store rather than a directory.
    public static func isEtcd(_ text: String) -> Bool {
        text.hasPrefix("etcd://") || text.hasPrefix("etcds://")
    }

    /// Parses the `store:` value; errors name what is wrong (code STORE_URL_INVALID).
    public init(parsing text: String) throws(GatewayError) {
        let secure = text.hasPrefix("etcds://")
        guard secure || text.hasPrefix("etcd://") else {
            throw Self.invalid(text, "expected etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (or etcds:// for TLS)")
        }
        var rest = Substring(text.dropFirst(secure ? "etcds://".count : "etcd://".count))
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
        var options: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw Self.invalid(text, "'\(pair)' is not KEY=VALUE")
            }
            switch parts[0] {
            case "user": user = parts[1]
            case "password_env": passwordVariable = parts[1]
            case "ca", "cert", "key", "server_name":
                guard secure else { throw Self.invalid(text, "'\(parts[0])' is a TLS option: use etcds://") }
                options[parts[0]] = parts[1]
            default:
                throw Self.invalid(
                    text, "unknown option '\(parts[0])' (user, password_env; with etcds:// ca, cert, key, server_name)")
            }
        }
        guard (user == nil) == (passwordVariable == nil) else {
            throw Self.invalid(text, "user and password_env go together")
        }
        let tls: ClientTLSConfiguration? = try secure ? Self.tlsSettings(options, text) : nil
        self.init(endpoints: endpoints, prefix: prefix, user: user, passwordVariable: passwordVariable, tls: tls)
    }

    /// The TLS options of an `etcds://` URL; the files must exist when the URL is parsed.
    private static func tlsSettings(_ options: [String: String], _ text: String) throws(GatewayError)
        -> ClientTLSConfiguration
    {
        guard (options["cert"] == nil) == (options["key"] == nil) else {
            let missing =
                options["cert"] == nil ? "key needs cert (the client certificate)" : "cert needs key (its private key)"
            throw invalid(text, missing)
        }
        for (option, what) in [("ca", "CA certificate"), ("cert", "client certificate"), ("key", "client key")] {
            guard let path = options[option] else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                let problem = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
                throw invalid(text, "the \(what) file '\(path)' (\(option)=) \(problem)")
            }
        }
        return ClientTLSConfiguration(
            trustRoots: options["ca"].map { .pemFile($0) } ?? .system, certificateChainFile: options["cert"],
            privateKeyFile: options["key"], serverName: options["server_name"])
    }

    public var description: String {
        (tls == nil ? "etcd://" : "etcds://") + endpoints.map(\.description).joined(separator: ",") + prefix
    }

    static func invalid(_ text: String, _ reason: String) -> GatewayError {
        GatewayError(code: "STORE_URL_INVALID", status: 400, "store '\(text)': \(reason)", details: ["store": text])
    }
}
