extension PASETO.V2 {
    static let signatureLength = 64

    /// Signs `payload` into a `v2.public.` token (Ed25519 over PAE(header, payload, footer)).
    public static func sign(_ payload: [UInt8], key: SecretKey, footer: [UInt8] = []) throws(PASETOError) -> String {
        let header = PASETOToken.header(.v2, .public)
        let signature: [UInt8]
        do {
            signature = Array(try key.key.signature(for: PAE.encode([header, payload, footer])))
        } catch {
            throw .invalidKey("Ed25519 signing failed")
        }
        return PASETOToken.serialize(.v2, .public, body: payload + signature, footer: footer)
    }

    /// Verifies a `v2.public.` token and returns its payload and footer.
    public static func verify(_ token: String, key: PublicKey, limits: PASETOLimits = PASETOLimits())
        throws(PASETOError) -> PASETOMessage
    {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v2, .public, maxLength: limits.maxTokenLength)
        return PASETOMessage(payload: try verify(parsed, key: key), footer: parsed.footer)
    }

    static func verify(_ token: PASETOToken, key: PublicKey) throws(PASETOError) -> [UInt8] {
        let body = token.body
        guard body.count >= signatureLength else { throw .invalid("v2.public token too short") }
        let payload = Array(body[0..<(body.count - signatureLength)])
        let signature = body[(body.count - signatureLength)...]
        guard key.key.isValidSignature(signature, for: PAE.encode([token.header, payload, token.footer])) else {
            throw .invalid("token signature does not verify under this key")
        }
        return payload
    }
}
