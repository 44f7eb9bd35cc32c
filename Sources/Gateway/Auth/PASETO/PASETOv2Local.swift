extension PASETO.V2 {
    static let nonceLength = 24

    /// Encrypts `payload` into a `v2.local.` token (XChaCha20-Poly1305; the nonce is a BLAKE2b hash of the
    /// payload keyed with 24 random bytes, as the specification asks). v2 has no implicit assertions.
    public static func encrypt(_ payload: [UInt8], key: LocalKey, footer: [UInt8] = []) throws(PASETOError) -> String {
        try encrypt(payload, key: key, footer: footer, nonceKey: PASETOKeyMaterial.randomBytes(nonceLength))
    }

    /// Encryption with given random bytes for the nonce derivation: the seam the official test vectors need.
    package static func encrypt(_ payload: [UInt8], key: LocalKey, footer: [UInt8], nonceKey: [UInt8])
        throws(PASETOError) -> String
    {
        guard nonceKey.count == nonceLength else { throw .invalidKey("nonce key must be \(nonceLength) bytes") }
        let nonce = BLAKE2b.hash(digestLength: nonceLength, key: nonceKey, payload)
        let header = PASETOToken.header(.v2, .local)
        let sealed = try XChaCha20.seal(
            key: key.bytes, nonce: nonce, message: payload, additionalData: PAE.encode([header, nonce, footer]))
        return PASETOToken.serialize(.v2, .local, body: nonce + sealed, footer: footer)
    }

    /// Decrypts a `v2.local.` token: its payload and footer, once the Poly1305 tag has been checked.
    public static func decrypt(_ token: String, key: LocalKey, limits: PASETOLimits = PASETOLimits())
        throws(PASETOError) -> PASETOMessage
    {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v2, .local, maxLength: limits.maxTokenLength)
        return PASETOMessage(payload: try decrypt(parsed, key: key), footer: parsed.footer)
    }

    static func decrypt(_ token: PASETOToken, key: LocalKey) throws(PASETOError) -> [UInt8] {
        let body = token.body
        guard body.count >= nonceLength + 16 else { throw .invalid("v2.local token too short") }
        let nonce = Array(body[0..<nonceLength])
        return try XChaCha20.open(
            key: key.bytes, nonce: nonce, sealed: body[nonceLength...],
            additionalData: PAE.encode([token.header, nonce, token.footer]))
    }
}
