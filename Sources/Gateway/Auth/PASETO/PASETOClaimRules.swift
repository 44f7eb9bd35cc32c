public import Foundation

/// What a token's claims must satisfy, checked against a clock the caller supplies. `exp` is required by default;
/// `nbf` and `iat` are checked whenever present, with `leeway` for clock skew; `aud`, `iss`, `sub` and `jti` are
/// checked only when an expected value is set.
public struct PASETOClaimRules: Sendable, Hashable {
    /// Refuse tokens without `exp` (`TOKEN_EXPIRED`: a token that never expires is treated as expired).
    public var requireExpiration = true
    /// Skip the `exp`, `nbf` and `iat` checks altogether (for replaying fixed test tokens, never in production).
    public var checkTimes = true
    /// Tolerated clock skew, applied to `exp`, `nbf` and `iat`.
    public var leeway: Duration = .zero
    public var audience: String?
    public var issuer: String?
    public var subject: String?
    public var tokenIdentifier: String?

    public init(
        requireExpiration: Bool = true, leeway: Duration = .zero, audience: String? = nil, issuer: String? = nil,
        subject: String? = nil, tokenIdentifier: String? = nil
    ) {
        self.requireExpiration = requireExpiration
        self.leeway = leeway
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.tokenIdentifier = tokenIdentifier
    }

    /// Checks `claims` at `now`: `TOKEN_EXPIRED`, `TOKEN_NOT_YET_VALID` or `CLAIM_MISMATCH` on failure. Messages name
    /// the claim and the times, never claim values.
    public func validate(_ claims: PASETOClaims, at now: Date) throws(PASETOError) {
        if checkTimes {
            let skew = Double(leeway.components.seconds) + Double(leeway.components.attoseconds) * 1e-18
            if let expiration = claims.expiration {
                guard now.timeIntervalSince(expiration) < skew else {
                    throw PASETOError(.tokenExpired, "token expired at \(PASETOTime.format(expiration))")
                }
            } else if requireExpiration {
                throw PASETOError(.tokenExpired, "token has no exp claim and one is required")
            }
            if let notBefore = claims.notBefore, notBefore.timeIntervalSince(now) > skew {
                throw PASETOError(.tokenNotYetValid, "token is not valid before \(PASETOTime.format(notBefore))")
            }
            if let issuedAt = claims.issuedAt, issuedAt.timeIntervalSince(now) > skew {
                throw PASETOError(.tokenNotYetValid, "token is issued in the future (\(PASETOTime.format(issuedAt)))")
            }
        }
        try expect("aud", claims.audience, audience)
        try expect("iss", claims.issuer, issuer)
        try expect("sub", claims.subject, subject)
        try expect("jti", claims.tokenIdentifier, tokenIdentifier)
    }

    private func expect(_ name: String, _ actual: String?, _ expected: String?) throws(PASETOError) {
        guard let expected else { return }
        guard let actual else { throw PASETOError(.claimMismatch, "claim \(name) is missing") }
        guard actual == expected else { throw PASETOError(.claimMismatch, "claim \(name) does not match") }
    }
}
