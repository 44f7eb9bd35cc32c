import Foundation
import Testing

@testable import Gateway

/// Claims parsing and the rules: exp required by default, nbf/iat with leeway, aud/iss/sub/jti opt-in, all against
/// a supplied clock, each failure with its stable code.
@Suite struct PASETOClaimTests {
    static let key = PASETOKey.generate(.v4, .local)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    func token(_ claims: String) throws -> String { try Self.key.issue(Array(claims.utf8)) }

    func verify(_ claims: String, rules: PASETOClaimRules = PASETOClaimRules(), at now: Date = now) throws
        -> PASETOVerifiedToken
    {
        let verifier = PASETOVerifier(keyRing: try PASETOKeyRing(keys: [Self.key]), rules: rules)
        return try verifier.verify(try token(claims), at: now)
    }

    func code(_ claims: String, rules: PASETOClaimRules = PASETOClaimRules(), at now: Date = now) -> PASETOError.Code? {
        do {
            _ = try verify(claims, rules: rules, at: now)
            return nil
        } catch let error as PASETOError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func registeredClaimsAreTypedAndTheRestKeptRaw() throws {
        let verified = try verify(
            #"{"iss":"portico","sub":"user-1","aud":"api","jti":"j\u00e9","exp":"2023-11-14T23:13:20+00:00","#
                + #""nbf":"2023-11-14T22:00:00Z","iat":"2023-11-14T22:13:20+00:00","roles":["a","b"],"n":42}"#)
        let claims = verified.claims
        #expect(claims.issuer == "portico")
        #expect(claims.subject == "user-1")
        #expect(claims.audience == "api")
        #expect(claims.tokenIdentifier == "jé")
        #expect(claims.expiration == Self.now.addingTimeInterval(3600))
        #expect(claims.notBefore == Date(timeIntervalSince1970: 1_699_999_200))
        #expect(claims.issuedAt == Self.now)
        #expect(claims.rawValue(of: "roles") == #"["a","b"]"#)
        #expect(claims.text(of: "n") == "42")
        #expect(claims.text(of: "sub") == "user-1")
        #expect(claims.rawValue(of: "absent") == nil)
        #expect(claims.names == ["iss", "sub", "aud", "jti", "exp", "nbf", "iat", "roles", "n"])
    }

    @Test func expirationIsRequiredByDefaultAndChecked() {
        #expect(code(#"{"sub":"x"}"#) == .tokenExpired)
        var optional = PASETOClaimRules()
        optional.requireExpiration = false
        #expect(code(#"{"sub":"x"}"#, rules: optional) == nil)
        #expect(code(#"{"exp":"2023-11-14T22:13:21Z"}"#) == nil)
        #expect(code(#"{"exp":"2023-11-14T22:13:20Z"}"#) == .tokenExpired)  // exp is exclusive
        #expect(code(#"{"exp":"2023-11-14T22:13:00Z"}"#) == .tokenExpired)
        let lenient = PASETOClaimRules(leeway: .seconds(30))
        #expect(code(#"{"exp":"2023-11-14T22:13:00Z"}"#, rules: lenient) == nil)
        #expect(code(#"{"exp":"2023-11-14T22:12:50Z"}"#, rules: lenient) == .tokenExpired)
    }

    @Test func notBeforeAndIssuedAtUseLeeway() {
        let exp = #""exp":"2030-01-01T00:00:00Z""#
        #expect(code(#"{"nbf":"2023-11-14T22:13:30Z","# + exp + "}") == .tokenNotYetValid)
        #expect(code(#"{"nbf":"2023-11-14T22:13:20Z","# + exp + "}") == nil)
        #expect(code(#"{"iat":"2023-11-14T22:14:00Z","# + exp + "}") == .tokenNotYetValid)
        let lenient = PASETOClaimRules(leeway: .seconds(60))
        #expect(code(#"{"nbf":"2023-11-14T22:13:30Z","# + exp + "}", rules: lenient) == nil)
        #expect(code(#"{"iat":"2023-11-14T22:14:00Z","# + exp + "}", rules: lenient) == nil)
        #expect(code(#"{"iat":"2023-11-14T22:15:00Z","# + exp + "}", rules: lenient) == .tokenNotYetValid)
    }

    @Test func audienceIssuerSubjectAndIdentifierAreOptIn() {
        let claims = #"{"exp":"2030-01-01T00:00:00Z","aud":"api","iss":"me","sub":"u","jti":"1"}"#
        #expect(code(claims) == nil)
        #expect(
            code(claims, rules: PASETOClaimRules(audience: "api", issuer: "me", subject: "u", tokenIdentifier: "1"))
                == nil)
        #expect(code(claims, rules: PASETOClaimRules(audience: "other")) == .claimMismatch)
        #expect(code(claims, rules: PASETOClaimRules(issuer: "other")) == .claimMismatch)
        #expect(code(claims, rules: PASETOClaimRules(subject: "other")) == .claimMismatch)
        #expect(code(claims, rules: PASETOClaimRules(tokenIdentifier: "2")) == .claimMismatch)
        #expect(code(#"{"exp":"2030-01-01T00:00:00Z"}"#, rules: PASETOClaimRules(audience: "api")) == .claimMismatch)
    }

    @Test(arguments: [
        #"[]"#, #""text""#, #"{"exp":1700000000}"#, #"{"exp":"tomorrow"}"#, #"{"aud":["api"]}"#, #"{"sub":null}"#,
        #"{"exp":"2030-01-01T00:00:00Z","exp":"2031-01-01T00:00:00Z"}"#, #"{"a":1"#, #"{"a":1} x"#, "",
        #"{"a":"\ud800"}"#,
    ])
    func malformedClaimsAreInvalid(_ claims: String) {
        var rules = PASETOClaimRules()
        rules.requireExpiration = false
        #expect(code(claims, rules: rules) == .tokenInvalid)
    }

    @Test func errorMessagesNeverQuoteClaimValues() throws {
        let secret = "s3cr3t-value"
        for rules in [PASETOClaimRules(audience: "x"), PASETOClaimRules(subject: "x")] {
            do {
                _ = try verify(#"{"exp":"2030-01-01T00:00:00Z","aud":"\#(secret)","sub":"\#(secret)"}"#, rules: rules)
                Issue.record("accepted")
            } catch let error as PASETOError {
                #expect(!error.message.contains(secret))
                #expect(!error.description.contains(secret))
            }
        }
    }

    @Test func issuerSetsIssuedAtAndExpiry() throws {
        let issuer = try PASETOIssuer(key: Self.key)
        let token = try issuer.issue(
            claims: Array(#"{"sub":"u","exp":"1999-01-01T00:00:00Z"}"#.utf8), lifetime: .seconds(3600), at: Self.now)
        let verified = try PASETOVerifier(keyRing: try PASETOKeyRing(keys: [Self.key])).verify(token, at: Self.now)
        #expect(verified.claims.subject == "u")
        #expect(verified.claims.issuedAt == Self.now)
        #expect(verified.claims.expiration == Self.now.addingTimeInterval(3600))
        #expect(verified.keyID == Self.key.keyID)
        #expect(throws: PASETOError.self) { try issuer.issue(claims: Array("[1]".utf8), at: Self.now) }
    }
}
