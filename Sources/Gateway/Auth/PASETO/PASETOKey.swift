/// Which half of a key pair, or a shared key: what a key can be used for.
public enum PASETOKeyKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A shared key: encrypts and decrypts `local` tokens.
    case local
    /// A private key: signs `public` tokens.
    case secret
    /// A public key: verifies `public` tokens.
    case `public`

    public var description: String { rawValue }

    /// The token purpose a key of this kind serves.
    public var purpose: PASETOPurpose { self == .local ? .local : .public }
}

/// Any one PASETO key, for code that holds keys of several versions at once (key rings, configuration, the command
/// line). Each case wraps a version- and kind-specific type; the operations check the token's header against the
/// case, so a public key can never decrypt, nor a v2 key verify a v4 token.
public enum PASETOKey: Sendable {
    case v2Local(PASETO.V2.LocalKey)
    case v2Secret(PASETO.V2.SecretKey)
    case v2Public(PASETO.V2.PublicKey)
    case v3Local(PASETO.V3.LocalKey)
    case v3Secret(PASETO.V3.SecretKey)
    case v3Public(PASETO.V3.PublicKey)
    case v4Local(PASETO.V4.LocalKey)
    case v4Secret(PASETO.V4.SecretKey)
    case v4Public(PASETO.V4.PublicKey)

    public var version: PASETOVersion {
        switch self {
        case .v2Local, .v2Secret, .v2Public: .v2
        case .v3Local, .v3Secret, .v3Public: .v3
        case .v4Local, .v4Secret, .v4Public: .v4
        }
    }

    public var kind: PASETOKeyKind {
        switch self {
        case .v2Local, .v3Local, .v4Local: .local
        case .v2Secret, .v3Secret, .v4Secret: .secret
        case .v2Public, .v3Public, .v4Public: .public
        }
    }

    public var purpose: PASETOPurpose { kind.purpose }

    /// The key that checks tokens this key makes: the public half of a secret key, the key itself otherwise.
    public var verificationKey: PASETOKey {
        switch self {
        case .v2Secret(let key): .v2Public(key.publicKey)
        case .v3Secret(let key): .v3Public(key.publicKey)
        case .v4Secret(let key): .v4Public(key.publicKey)
        default: self
        }
    }

    /// A new random key of the given version and kind (for `public`, a new secret key's public half, which is of
    /// little use beyond tests).
    public static func generate(_ version: PASETOVersion, _ kind: PASETOKeyKind) -> PASETOKey {
        let key: PASETOKey
        switch (version, kind) {
        case (.v2, .local): key = .v2Local(.generate())
        case (.v2, _): key = .v2Secret(.generate())
        case (.v3, .local): key = .v3Local(.generate())
        case (.v3, _): key = .v3Secret(.generate())
        case (.v4, .local): key = .v4Local(.generate())
        case (.v4, _): key = .v4Secret(.generate())
        }
        return kind == .public ? key.verificationKey : key
    }

    /// The key's raw bytes in the form PASERK encodes (32-byte local keys, 64-byte Ed25519 `seed || public`, 48-byte
    /// P-384 scalar, 32-byte Ed25519 and 49-byte compressed P-384 public keys).
    var rawBytes: [UInt8] {
        switch self {
        case .v2Local(let key): key.bytes
        case .v3Local(let key): key.bytes
        case .v4Local(let key): key.bytes
        case .v2Secret(let key): key.expandedBytes
        case .v4Secret(let key): key.expandedBytes
        case .v3Secret(let key): key.bytes
        case .v2Public(let key): key.bytes
        case .v4Public(let key): key.bytes
        case .v3Public(let key): key.compressed
        }
    }

    /// A key of `version` and `kind` from raw bytes (the forms of ``rawBytes``; a 32-byte Ed25519 seed and a 97-byte
    /// uncompressed P-384 point are accepted too).
    public init(version: PASETOVersion, kind: PASETOKeyKind, bytes: [UInt8]) throws(PASETOError) {
        switch (version, kind) {
        case (.v2, .local): self = .v2Local(try .init(bytes: bytes))
        case (.v2, .secret): self = .v2Secret(try .init(bytes: bytes))
        case (.v2, .public): self = .v2Public(try .init(bytes: bytes))
        case (.v3, .local): self = .v3Local(try .init(bytes: bytes))
        case (.v3, .secret): self = .v3Secret(try .init(bytes: bytes))
        case (.v3, .public): self = .v3Public(try .init(bytes: bytes))
        case (.v4, .local): self = .v4Local(try .init(bytes: bytes))
        case (.v4, .secret): self = .v4Secret(try .init(bytes: bytes))
        case (.v4, .public): self = .v4Public(try .init(bytes: bytes))
        }
    }
}
