import DynamicCodec
public import Foundation

/// Makes tokens: claims JSON in, with `iat` and `exp` set from a clock and a lifetime, and a footer `{"kid": ...}`
/// naming the key, so a ``PASETOVerifier`` with the matching ``PASETOKeyRing`` selects the right key.
public struct PASETOIssuer: Sendable {
    /// A local or secret key.
    public var key: PASETOKey
    /// The footer's `kid`; nil for no footer.
    public var keyID: String?
    public var implicitAssertion: [UInt8]

    /// What the footer names the key by.
    public enum FooterKeyID: Sendable, Hashable {
        /// The key's PASERK identifier (``PASETOKey/keyID``), which a ring built from the same key (or its public
        /// half) uses too.
        case paserkID
        /// A name of the operator's choosing, registered under the same name in the verifier's ring.
        case named(String)
        /// No footer at all.
        case omitted
    }

    /// Fails for a public key, which cannot make tokens.
    public init(key: PASETOKey, footerKeyID: FooterKeyID = .paserkID, implicitAssertion: [UInt8] = [])
        throws(PASETOError)
    {
        guard key.kind != .public else {
            throw .invalidKey("a public key verifies tokens; issuing needs the secret key")
        }
        self.key = key
        switch footerKeyID {
        case .paserkID: keyID = key.keyID
        case .named(let name): keyID = name
        case .omitted: keyID = nil
        }
        self.implicitAssertion = implicitAssertion
    }

    /// A token for `claims` (a JSON object): `iat` is set to `now` unless present, and when `lifetime` is given
    /// `exp` is set to `now + lifetime` (replacing any `exp` in `claims`).
    public func issue(claims: [UInt8], lifetime: Duration? = nil, at now: Date) throws(PASETOError) -> String {
        var settings: [(name: String, value: String)] = []
        let parsed = try PASETOClaims(json: claims)
        if parsed.issuedAt == nil { settings.append(("iat", PASETOTime.format(now))) }
        if let lifetime {
            let seconds = Double(lifetime.components.seconds) + Double(lifetime.components.attoseconds) * 1e-18
            settings.append(("exp", PASETOTime.format(now.addingTimeInterval(seconds))))
        }
        let payload = try PASETOClaims.json(claims, setting: settings)
        let footer = keyID.map { PASETOFooter.with(keyID: $0) } ?? []
        return try key.issue(payload, footer: footer, implicitAssertion: implicitAssertion)
    }
}

extension PASETOClaims {
    /// The JSON object `base` with each of `settings` set as a string member: replaced where `base` has the name,
    /// appended otherwise. Other members keep their text and order.
    public static func json(_ base: [UInt8], setting settings: [(name: String, value: String)]) throws(PASETOError)
        -> [UInt8]
    {
        let limits = PASETOLimits()
        let members: JSONObjectMembers
        do {
            members = try JSONObjectMembers(
                parsing: base, maxDepth: limits.maxClaimsDepth, maxMembers: limits.maxClaimsMembers)
        } catch {
            throw .invalid("claims are not a JSON object: \(error.message)")
        }
        let replaced = Set(settings.map(\.name))
        var pieces: [String] = []
        for member in members.members where !replaced.contains(member.key) {
            pieces.append(JSONString.quoted(member.key) + ":" + String(decoding: base[member.value], as: UTF8.self))
        }
        for setting in settings {
            pieces.append(JSONString.quoted(setting.name) + ":" + JSONString.quoted(setting.value))
        }
        return Array(("{" + pieces.joined(separator: ",") + "}").utf8)
    }
}
