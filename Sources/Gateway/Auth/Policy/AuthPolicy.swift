/// One named PASETO policy of the gateway (`auth:` in the config): the keys it accepts, where a request carries
/// its token, what the claims must satisfy, which requests pass without a token and which claims reach the
/// backend. Services and methods name the policy that guards them (`auth: NAME`, or `auth: none`).
public struct AuthPolicy: Sendable, Hashable {
    /// A key as configured: a PASERK string, hex, `file:PATH` or `env:NAME` (see ``PASETOKey/load(_:version:kind:environment:)``).
    public struct KeyReference: Sendable, Hashable {
        /// The identifier a token footer's `kid` selects; nil: the key's PASERK identifier.
        public var id: String?
        public var key: String
        /// Needed for hex keys, checked against PASERK ones.
        public var version: PASETOVersion?
        public var kind: PASETOKeyKind?

        public init(id: String? = nil, key: String, version: PASETOVersion? = nil, kind: PASETOKeyKind? = nil) {
            self.id = id
            self.key = key
            self.version = version
            self.kind = kind
        }
    }

    /// Where a request may carry its token; the first source that has one wins.
    public enum TokenSource: Sendable, Hashable, CustomStringConvertible {
        case header(String)
        case query(String)
        case cookie(String)
        /// A field of an urlencoded or multipart form body.
        case form(String)

        /// Parses `header:Authorization`, `query:token`, `cookie:token`, `form:token`.
        public init?(_ text: String) {
            guard let colon = text.firstIndex(of: ":") else { return nil }
            let name = String(text[text.index(after: colon)...])
            guard !name.isEmpty else { return nil }
            switch text[..<colon].lowercased() {
            case "header": self = .header(name)
            case "query": self = .query(name)
            case "cookie": self = .cookie(name)
            case "form": self = .form(name)
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .header(let name): "header:\(name)"
            case .query(let name): "query:\(name)"
            case .cookie(let name): "cookie:\(name)"
            case .form(let name): "form:\(name)"
            }
        }
    }

    /// Requests that pass without a token: an optional HTTP method and a path, exact or (ending in `*`) a prefix.
    /// `GET /v1/shelves`, `/public/*`, `OPTIONS *`.
    public struct SkipRule: Sendable, Hashable, CustomStringConvertible {
        /// Upper-cased; nil: any method.
        public var method: String?
        /// The path, without a trailing `*`.
        public var path: String
        public var isPrefix: Bool

        public init?(_ text: String) {
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            let pathText: Substring
            switch parts.count {
            case 1:
                method = nil
                pathText = parts[0]
            case 2:
                method = parts[0].uppercased()
                pathText = parts[1]
            default: return nil
            }
            guard pathText.hasPrefix("/") || pathText == "*" else { return nil }
            isPrefix = pathText.hasSuffix("*")
            path = String(isPrefix ? pathText.dropLast() : pathText)
            guard !path.contains("*") else { return nil }
        }

        func matches(method requestMethod: String, path requestPath: String) -> Bool {
            if let method, method != requestMethod { return false }
            return isPrefix ? requestPath.hasPrefix(path) : requestPath == path
        }

        public var description: String { (method.map { $0 + " " } ?? "") + path + (isPrefix ? "*" : "") }
    }

    /// A claim passed to the backend under a metadata name (gRPC metadata, TTHeader string info with the
    /// service's metadata prefix).
    public struct ForwardedClaim: Sendable, Hashable {
        public var claim: String
        /// Lower-cased.
        public var name: String

        public init(claim: String, name: String) {
            self.claim = claim
            self.name = name.lowercased()
        }
    }

    public var keys: [KeyReference]
    public var lookup: [TokenSource]
    /// Stripped from the front of a token found in a header (`Bearer `, compared case-insensitively); a header
    /// value without it holds no token. Not applied to query, cookie or form values.
    public var tokenPrefix: String
    /// Refuse tokens whose footer has no `kid`.
    public var requireKeyID: Bool
    /// The implicit assertion of v3 and v4 tokens (UTF-8).
    public var implicitAssertion: String
    public var claims: PASETOClaimRules
    public var skip: [SkipRule]
    public var forwardClaims: [ForwardedClaim]

    public init(
        keys: [KeyReference], lookup: [TokenSource] = [.header("Authorization")], tokenPrefix: String = "Bearer ",
        requireKeyID: Bool = false, implicitAssertion: String = "", claims: PASETOClaimRules = PASETOClaimRules(),
        skip: [SkipRule] = [], forwardClaims: [ForwardedClaim] = []
    ) {
        self.keys = keys
        self.lookup = lookup
        self.tokenPrefix = tokenPrefix
        self.requireKeyID = requireKeyID
        self.implicitAssertion = implicitAssertion
        self.claims = claims
        self.skip = skip
        self.forwardClaims = forwardClaims
    }

    /// The word services and methods use to turn a policy off.
    public static let noneName = "none"
}
