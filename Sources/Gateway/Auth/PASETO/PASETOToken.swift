/// The PASETO protocol versions Portico implements (v1 is deprecated by the specification and not offered).
public enum PASETOVersion: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v2, v3, v4
    public var description: String { rawValue }
}

/// What a token's body is: `local` tokens are encrypted with a shared key, `public` tokens are signed.
public enum PASETOPurpose: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case local
    case `public`
    public var description: String { rawValue }
}

/// Namespace of the per-version operations (`PASETO.V2`, `PASETO.V3`, `PASETO.V4`); their key types are distinct
/// per version and purpose, so a key of one kind cannot be passed where another is expected.
public enum PASETO {}

/// A token split into its parts: `version.purpose.body[.footer]`, body and footer decoded from strict base64url.
/// Nothing in it is authenticated yet.
struct PASETOToken {
    var version: PASETOVersion
    var purpose: PASETOPurpose
    var body: [UInt8]
    var footer: [UInt8]

    /// `v4.local.` and so on: the header bytes the MAC or signature covers.
    static func header(_ version: PASETOVersion, _ purpose: PASETOPurpose) -> [UInt8] {
        Array("\(version.rawValue).\(purpose.rawValue).".utf8)
    }

    var header: [UInt8] { Self.header(version, purpose) }

    /// Splits `token`, refusing more than `maxLength` bytes, an unknown header, a wrong number of parts and any
    /// part that is not canonical base64url.
    static func parse(_ token: [UInt8], maxLength: Int) throws(PASETOError) -> PASETOToken {
        guard !token.isEmpty else { throw PASETOError(.tokenMissing, "no token") }
        guard token.count <= maxLength else { throw .invalid("token longer than \(maxLength) bytes") }
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4 else {
            throw .invalid("token has \(parts.count) dot-separated parts, expected 3 or 4")
        }
        guard let version = PASETOVersion(rawValue: String(decoding: parts[0], as: UTF8.self)) else {
            throw .invalid("unsupported token version")
        }
        guard let purpose = PASETOPurpose(rawValue: String(decoding: parts[1], as: UTF8.self)) else {
            throw .invalid("unsupported token purpose")
        }
        guard let body = Base64URL.decode(parts[2]) else { throw .invalid("token body is not unpadded base64url") }
        var footer: [UInt8] = []
        if parts.count == 4 {
            // An empty fourth part would be a second encoding of "no footer"; the specification omits the dot instead.
            guard !parts[3].isEmpty, let decoded = Base64URL.decode(parts[3]) else {
                throw .invalid("token footer is not unpadded base64url")
            }
            footer = decoded
        }
        return PASETOToken(version: version, purpose: purpose, body: body, footer: footer)
    }

    /// Parses and checks that the header is exactly `version.purpose.`.
    static func parse(
        _ token: [UInt8], expecting version: PASETOVersion, _ purpose: PASETOPurpose, maxLength: Int
    ) throws(PASETOError) -> PASETOToken {
        let parsed = try parse(token, maxLength: maxLength)
        guard parsed.version == version, parsed.purpose == purpose else {
            throw .invalid("token is \(parsed.version).\(parsed.purpose), the key is for \(version).\(purpose)")
        }
        return parsed
    }

    /// `header || base64url(body) [ || "." || base64url(footer) ]`.
    static func serialize(_ version: PASETOVersion, _ purpose: PASETOPurpose, body: [UInt8], footer: [UInt8]) -> String
    {
        var token = "\(version.rawValue).\(purpose.rawValue)." + Base64URL.encode(body)
        if !footer.isEmpty { token += "." + Base64URL.encode(footer) }
        return token
    }
}

/// What a verified or decrypted token carries: its payload and footer bytes (both authenticated).
public struct PASETOMessage: Sendable, Hashable {
    public var payload: [UInt8]
    public var footer: [UInt8]
    public init(payload: [UInt8], footer: [UInt8]) {
        self.payload = payload
        self.footer = footer
    }
}
