/// What the document says about the gateway's PASETO policies (`auth:` in the config, docs/auth.md): one security
/// scheme per place a policy reads its token from, the requirement of each operation a policy guards, and the 401
/// a refused token answers.
struct OpenAPISecurity {
    /// The configured policies by name.
    let policies: [String: AuthPolicy]

    /// The codes of a refused token (docs/auth.md), all answered with 401.
    static let refusalCodes = [
        "TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED", "TOKEN_NOT_YET_VALID", "CLAIM_MISMATCH",
    ]

    /// The scheme names of a policy's token sources, in lookup order; nil for a form field, which no OpenAPI
    /// security scheme can describe. The first source a scheme describes is named after the policy, later ones
    /// `policy.kind.name` (`users.query.access_token`).
    static func schemeNames(_ name: String, policy: AuthPolicy) -> [String?] {
        var first = true
        return policy.lookup.map { source -> String? in
            let kindAndField: (kind: String, field: String)
            switch source {
            case .form: return nil
            case .header(let header): kindAndField = ("header", header)
            case .query(let parameter): kindAndField = ("query", parameter)
            case .cookie(let cookie): kindAndField = ("cookie", cookie)
            }
            defer { first = false }
            return first ? name : "\(name).\(kindAndField.kind).\(componentSafe(kindAndField.field))"
        }
    }

    /// A name made of the characters component keys may use (`[A-Za-z0-9._-]`), others replaced by `_`.
    private static func componentSafe(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar -> Character in
                let allowed =
                    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "." || scalar == "-" || scalar == "_"
                return allowed ? Character(scalar) : "_"
            })
    }

    /// Whether a header source is the standard bearer form: `Authorization: Bearer <token>`.
    private static func isBearer(_ header: String, policy: AuthPolicy) -> Bool {
        header.lowercased() == "authorization" && policy.tokenPrefix.lowercased() == "bearer "
    }

    /// `components.securitySchemes`: every scheme of every policy, policies sorted by name.
    var schemes: OpenAPIJSON {
        var members: [(String, OpenAPIJSON)] = []
        for name in policies.keys.sorted() {
            let policy = policies[name]!
            let others = Self.sourceList(policy)
            for (source, schemeName) in zip(policy.lookup, Self.schemeNames(name, policy: policy)) {
                guard let schemeName else { continue }
                var description = "A PASETO token (auth policy `\(name)`)."
                if policy.lookup.count > 1 { description += " The gateway takes the first it finds of: \(others)." }
                let scheme: [(String, OpenAPIJSON)]
                switch source {
                case .header(let header) where Self.isBearer(header, policy: policy):
                    scheme = [
                        ("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("PASETO")),
                    ]
                case .header(let header):
                    if !policy.tokenPrefix.isEmpty {
                        description += " The header's value is `\(policy.tokenPrefix)` followed by the token."
                    }
                    scheme = [
                        ("type", .string("apiKey")), ("in", .string("header")), ("name", .string(header)),
                        ("x-portico-token-prefix", .string(policy.tokenPrefix)),
                    ]
                case .query(let parameter):
                    scheme = [("type", .string("apiKey")), ("in", .string("query")), ("name", .string(parameter))]
                case .cookie(let cookie):
                    scheme = [("type", .string("apiKey")), ("in", .string("cookie")), ("name", .string(cookie))]
                case .form:
                    continue
                }
                members.append(
                    (schemeName, .object(scheme + [("description", .string(description))])))
            }
        }
        return .object(members)
    }

    /// Where a policy looks for the token, in words: `the Authorization header (Bearer), the query parameter
    /// access_token, the form field token`.
    static func sourceList(_ policy: AuthPolicy) -> String {
        policy.lookup.map { source in
            switch source {
            case .header(let header):
                "the \(header) header" + (policy.tokenPrefix.isEmpty ? "" : " (`\(policy.tokenPrefix)<token>`)")
            case .query(let parameter): "the query parameter `\(parameter)`"
            case .cookie(let cookie): "the cookie `\(cookie)`"
            case .form(let field): "the form field `\(field)`"
            }
        }.joined(separator: ", ")
    }

    /// The policy guarding a request of `httpMethod` to a route documented under these paths (the route's template
    /// and the document's path), or nil when none does or one of its skip rules lets such requests through.
    func guardingPolicy(_ name: String?, httpMethod: String, paths: [String]) -> (name: String, policy: AuthPolicy)? {
        guard let name, let policy = policies[name] else { return nil }
        let skipped = policy.skip.contains { rule in
            paths.contains { rule.matches(method: httpMethod, path: $0) }
        }
        return skipped ? nil : (name, policy)
    }

    /// An operation's `security`: any one of the policy's schemes (nil when its only source is a form field).
    static func requirement(_ name: String, policy: AuthPolicy) -> OpenAPIJSON? {
        let alternatives = schemeNames(name, policy: policy).compactMap { $0 }.map {
            OpenAPIJSON.object([($0, .array([]))])
        }
        return alternatives.isEmpty ? nil : .array(alternatives)
    }

    /// A sentence for the operation's description: which policy guards it and where the token goes.
    static func note(_ name: String, policy: AuthPolicy) -> String {
        "Needs a PASETO token (auth policy `\(name)`) in \(sourceList(policy)); without a valid one the answer is 401."
    }

    /// `components.responses.Unauthenticated`: the 401 of a refused token.
    static func unauthenticatedResponse() -> OpenAPIJSON {
        .object([
            (
                "description",
                .string(
                    "The token is missing or refused: "
                        + refusalCodes.joined(separator: ", ")
                        + " (docs/auth.md). Nothing of the token or its claims is in the answer.")
            ),
            (
                "headers",
                .object([
                    ("X-Request-Id", .object([("$ref", .string("#/components/headers/X-Request-Id"))])),
                    (
                        "WWW-Authenticate",
                        .object([
                            (
                                "description",
                                .string("`Bearer` for a missing token, `Bearer error=\"invalid_token\"` otherwise.")
                            ),
                            ("schema", .object([("type", .string("string"))])),
                        ])
                    ),
                ])
            ),
            (
                "content",
                .object([
                    (
                        "application/json",
                        .object([
                            (
                                "schema",
                                .object([
                                    (
                                        "allOf",
                                        .array([
                                            .reference("portico.Error"),
                                            .object([
                                                (
                                                    "properties",
                                                    .object([
                                                        (
                                                            "code",
                                                            .object([
                                                                ("enum", .array(refusalCodes.map { .string($0) }))
                                                            ])
                                                        )
                                                    ])
                                                )
                                            ]),
                                        ])
                                    )
                                ])
                            )
                        ])
                    )
                ])
            ),
        ])
    }
}
