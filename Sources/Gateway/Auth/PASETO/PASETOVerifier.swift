public import Foundation

/// Everything a request path needs to accept or refuse a token: keys, claim rules, limits and the implicit
/// assertion, in one immutable value that can be shared across threads. It knows nothing of HTTP: the caller
/// finds the token (header, query, cookie), supplies the time, and maps a ``PASETOError`` code to its response.
public struct PASETOVerifier: Sendable {
    public var keyRing: PASETOKeyRing
    public var rules: PASETOClaimRules
    public var limits: PASETOLimits
    /// Bytes authenticated with v3 and v4 tokens but not carried in them (ignored for v2, which has none).
    public var implicitAssertion: [UInt8]

    public init(
        keyRing: PASETOKeyRing, rules: PASETOClaimRules = PASETOClaimRules(), limits: PASETOLimits = PASETOLimits(),
        implicitAssertion: [UInt8] = []
    ) {
        self.keyRing = keyRing
        self.rules = rules
        self.limits = limits
        self.implicitAssertion = implicitAssertion
    }

    /// Verifies `token` (its text bytes, without any `Bearer ` prefix) at `now`.
    ///
    /// Order: size and shape, footer `kid` (bounded JSON), key selection, authentication, claims parsing, claim
    /// rules. An empty token is `TOKEN_MISSING`; anything unauthentic or malformed is `TOKEN_INVALID`; an authentic
    /// token failing the rules gets `TOKEN_EXPIRED`, `TOKEN_NOT_YET_VALID` or `CLAIM_MISMATCH`.
    public func verify<Token: Collection>(_ token: Token, at now: Date) throws(PASETOError) -> PASETOVerifiedToken
    where Token.Element == UInt8 {
        guard token.count <= limits.maxTokenLength else {
            throw .invalid("token longer than \(limits.maxTokenLength) bytes")
        }
        let parsed = try PASETOToken.parse(Array(token), maxLength: limits.maxTokenLength)
        let keyID = try PASETOFooter.keyID(in: parsed.footer, limits: limits)
        let keys = try keyRing.candidates(version: parsed.version, purpose: parsed.purpose, keyID: keyID)
        var payload: [UInt8]?
        for key in keys {
            if let opened = try? key.open(parsed, implicitAssertion: implicitAssertion) {
                payload = opened
                break
            }
        }
        guard let payload else { throw .invalid("token does not authenticate under any configured key") }
        let claims = try PASETOClaims(json: payload, limits: limits)
        try rules.validate(claims, at: now)
        return PASETOVerifiedToken(
            version: parsed.version, purpose: parsed.purpose, keyID: keyID, claims: claims, footer: parsed.footer)
    }

    /// Verifies `token` given as text.
    public func verify(_ token: String, at now: Date) throws(PASETOError) -> PASETOVerifiedToken {
        try verify(Array(token.utf8), at: now)
    }
}

/// A token that passed ``PASETOVerifier/verify(_:at:)``.
public struct PASETOVerifiedToken: Sendable {
    public var version: PASETOVersion
    public var purpose: PASETOPurpose
    /// The footer's `kid`, when it had one.
    public var keyID: String?
    public var claims: PASETOClaims
    /// The authenticated footer bytes.
    public var footer: [UInt8]
}
