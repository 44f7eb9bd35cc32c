extension PASETO.V4 {
    static let nonceLength = 32
    static let tagLength = 32

    /// Encrypts `payload` into a `v4.local.` token. The footer travels in clear but authenticated; the implicit
    /// assertion is authenticated without travelling, so the verifier must supply the same bytes.
    public static func encrypt(
        _ payload: [UInt8], key: LocalKey, footer: [UInt8] = [], implicitAssertion: [UInt8] = []
    ) throws(PASETOError) -> String {
        try encrypt(
            payload, key: key, footer: footer, implicitAssertion: implicitAssertion,
            nonce: PASETOKeyMaterial.randomBytes(nonceLength))
    }

    /// Encryption with a given 32-byte nonce: the seam the official test vectors need. Never reuse a nonce.
    package static func encrypt(
        _ payload: [UInt8], key: LocalKey, footer: [UInt8], implicitAssertion: [UInt8], nonce: [UInt8]
    ) throws(PASETOError) -> String {
        guard nonce.count == nonceLength else { throw .invalidKey("nonce must be \(nonceLength) bytes") }
        let keys = derive(key: key, nonce: nonce)
        let ciphertext = try XChaCha20.apply(key: keys.encryption, nonce: keys.counterNonce, to: payload)
        let header = PASETOToken.header(.v4, .local)
        let tag = BLAKE2b.hash(
            digestLength: tagLength, key: keys.authentication,
            PAE.encode([header, nonce, ciphertext, footer, implicitAssertion]))
        return PASETOToken.serialize(.v4, .local, body: nonce + ciphertext + tag, footer: footer)
    }

    /// Decrypts a `v4.local.` token: the payload and footer, once the tag has been checked in constant time.
    public static func decrypt(
        _ token: String, key: LocalKey, implicitAssertion: [UInt8] = [], limits: PASETOLimits = PASETOLimits()
    ) throws(PASETOError) -> PASETOMessage {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v4, .local, maxLength: limits.maxTokenLength)
        return PASETOMessage(
            payload: try decrypt(parsed, key: key, implicitAssertion: implicitAssertion), footer: parsed.footer)
    }

    static func decrypt(_ token: PASETOToken, key: LocalKey, implicitAssertion: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        let body = token.body
        guard body.count >= nonceLength + tagLength else { throw .invalid("v4.local token too short") }
        let nonce = Array(body[0..<nonceLength])
        let ciphertext = Array(body[nonceLength..<(body.count - tagLength)])
        let tag = body[(body.count - tagLength)...]
        let keys = derive(key: key, nonce: nonce)
        let expected = BLAKE2b.hash(
            digestLength: tagLength, key: keys.authentication,
            PAE.encode([token.header, nonce, ciphertext, token.footer, implicitAssertion]))
        guard ConstantTime.equal(expected, tag) else { throw .invalid("token does not authenticate under this key") }
        return try XChaCha20.apply(key: keys.encryption, nonce: keys.counterNonce, to: ciphertext)
    }

    /// The encryption key, the XChaCha20 nonce and the authentication key for one token nonce.
    private static func derive(key: LocalKey, nonce: [UInt8]) -> (
        encryption: [UInt8], counterNonce: [UInt8], authentication: [UInt8]
    ) {
        let split = BLAKE2b.hash(digestLength: 56, key: key.bytes, Array("paseto-encryption-key".utf8), nonce)
        let authentication = BLAKE2b.hash(
            digestLength: 32, key: key.bytes, Array("paseto-auth-key-for-aead".utf8), nonce)
        return (Array(split[0..<32]), Array(split[32..<56]), authentication)
    }
}
