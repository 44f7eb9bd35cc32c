import Crypto

/// PASERK serialisation of keys (`k4.local.`, `k4.secret.`, `k4.public.` and their k2/k3 twins: the version, the
/// kind and the raw key in unpadded base64url) and PASERK key identifiers (`k4.lid.`, `k4.sid.`, `k4.pid.`), which
/// are what a token's footer `kid` conventionally carries.
extension PASETOKey {
    /// Parses a PASERK key string. Wrapped, sealed and password-protected PASERK types are refused.
    public init(paserk text: String) throws(PASETOError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalidKey("not a PASERK key (expected kN.type.data)") }
        let version: PASETOVersion
        switch parts[0] {
        case "k2": version = .v2
        case "k3": version = .v3
        case "k4": version = .v4
        default: throw .invalidKey("unsupported PASERK version \"\(parts[0].prefix(8))\"")
        }
        guard let kind = PASETOKeyKind(rawValue: String(parts[1])) else {
            throw .invalidKey("unsupported PASERK type \"\(parts[1].prefix(16))\" (local, secret and public are)")
        }
        guard let bytes = Base64URL.decode(Array(parts[2].utf8)) else {
            throw .invalidKey("PASERK key data is not unpadded base64url")
        }
        // PASERK pins the secret forms: 64-byte Ed25519 (seed and public key), 48-byte P-384 scalar.
        if kind == .secret, version != .v3, bytes.count != 64 {
            throw .invalidKey("\(parts[0]).secret must hold 64 bytes, got \(bytes.count)")
        }
        if kind == .public, version == .v3, bytes.count != 49 {
            throw .invalidKey("k3.public must hold a 49-byte compressed point, got \(bytes.count)")
        }
        try self.init(version: version, kind: kind, bytes: bytes)
    }

    /// The PASERK string of this key. For a secret key this is secret too: never log it.
    public var paserk: String { paserkPrefix(kind.rawValue) + Base64URL.encode(rawBytes) }

    /// The PASERK identifier of this key: `kN.lid.` for local keys, `kN.sid.` for secret keys, `kN.pid.` for public
    /// keys; a hash of ``paserk`` that reveals nothing of the key.
    public var paserkID: String {
        let type: String
        switch kind {
        case .local: type = "lid"
        case .secret: type = "sid"
        case .public: type = "pid"
        }
        let header = paserkPrefix(type)
        let input = Array(header.utf8) + Array(paserk.utf8)
        let digest: [UInt8]
        switch version {
        case .v3: digest = Array(Array(SHA384.hash(data: input)).prefix(33))
        case .v2, .v4: digest = BLAKE2b.hash(digestLength: 33, key: EmptyCollection<UInt8>(), input)
        }
        return header + Base64URL.encode(digest)
    }

    /// The identifier a token footer names this key by: ``paserkID`` of the ``verificationKey`` (`lid` for a local
    /// key, the `pid` of its public half for a secret key), so issuer and verifier agree without sharing secrets.
    public var keyID: String { verificationKey.paserkID }

    private func paserkPrefix(_ type: String) -> String {
        "k\(version.rawValue.dropFirst()).\(type)."
    }
}
