import DynamicCodec
public import Foundation

/// The claims of an authenticated token: the registered ones parsed and typed, every other one kept as its raw JSON
/// text, and the payload bytes as received.
///
/// Registered claims must have their registered types (strings; RFC 3339 date-times for `exp`, `nbf`, `iat`) and
/// appear at most once, so that two parsers can never read one token differently.
public struct PASETOClaims: Sendable {
    /// The names PASETO registers.
    public static let registeredNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// The payload exactly as the token carried it (a JSON object).
    public let json: [UInt8]
    /// Top-level members, each value as a byte range of ``json``.
    private let members: JSONObjectMembers

    public let issuer: String?
    public let subject: String?
    public let audience: String?
    public let tokenIdentifier: String?
    public let expiration: Date?
    public let notBefore: Date?
    public let issuedAt: Date?

    /// Parses `json` within `limits` (nesting depth and member count); fails with `TOKEN_INVALID` when it is not a
    /// JSON object or a registered claim is repeated or of the wrong type.
    public init(json: [UInt8], limits: PASETOLimits = PASETOLimits()) throws(PASETOError) {
        let members: JSONObjectMembers
        do {
            members = try JSONObjectMembers(
                parsing: json, maxDepth: limits.maxClaimsDepth, maxMembers: limits.maxClaimsMembers)
        } catch {
            // Code and offset only: the codec's message may quote bytes of a decrypted payload.
            throw .invalid("claims are not a JSON object within limits (\(error.code) at byte \(error.offset ?? 0))")
        }
        for name in Self.registeredNames where members.count(named: name) > 1 {
            throw .invalid("claim \(name) appears more than once")
        }
        self.json = json
        self.members = members
        func string(_ name: String) throws(PASETOError) -> String? {
            guard let range = members.value(named: name) else { return nil }
            guard let value = JSONObjectMembers.string(in: json, at: range) else {
                throw .invalid("claim \(name) is not a string")
            }
            return value
        }
        func date(_ name: String) throws(PASETOError) -> Date? {
            guard let text = try string(name) else { return nil }
            guard let value = PASETOTime.parse(text) else {
                throw .invalid("claim \(name) is not an RFC 3339 date-time")
            }
            return value
        }
        issuer = try string("iss")
        subject = try string("sub")
        audience = try string("aud")
        tokenIdentifier = try string("jti")
        expiration = try date("exp")
        notBefore = try date("nbf")
        issuedAt = try date("iat")
    }

    /// The names of all claims, in payload order.
    public var names: [String] { members.members.map(\.key) }

    /// The raw JSON text of claim `name` (`"abc"`, `42`, `{"a":1}`), or nil when absent.
    public func rawValue(of name: String) -> String? {
        guard let range = members.value(named: name) else { return nil }
        return String(decoding: json[range], as: UTF8.self)
    }

    /// Claim `name` as text for forwarding (a header, metadata): the string itself for a JSON string, the raw JSON
    /// text for any other value, nil when absent.
    public func text(of name: String) -> String? {
        guard let range = members.value(named: name) else { return nil }
        return JSONObjectMembers.string(in: json, at: range) ?? String(decoding: json[range], as: UTF8.self)
    }
}
