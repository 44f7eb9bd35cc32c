extension PASETO.V4 {
    static let signatureLength = 64

    /// Signs `payload` into a `v4.public.` token (Ed25519 over PAE(header, payload, footer, implicit assertion)).
    /// The payload is readable by anyone; only its integrity and origin are protected.
    public static func sign(
        _ payload: [UInt8], key: SecretKey, footer: [UInt8] = [], implicitAssertion: [UInt8] = []
    ) throws(PASETOError) -> String {
        let header = PASETOToken.header(.v4, .public)
        let signature: [UInt8]
        do {
            signature = Array(try key.key.signature(for: PAE.encode([header, payload, footer, implicitAssertion])))
        } catch {
            throw .invalidKey("Ed25519 signing failed")
        }
        return PASETOToken.serialize(.v4, .public, body: payload + signature, footer: footer)
    }

    /// Verifies a `v4.public.` token and returns its payload and footer.
    public static func verify(
        _ token: String, key: PublicKey, implicitAssertion: [UInt8] = [], limits: PASETOLimits = PASETOLimits()
    ) throws(PASETOError) -> PASETOMessage {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v4, .public, maxLength: limits.maxTokenLength)
        return PASETOMessage(
            payload: try verify(parsed, key: key, implicitAssertion: implicitAssertion), footer: parsed.footer)
    }

    static func verify(_ token: PASETOToken, key: PublicKey, implicitAssertion: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        let body = token.body
        guard body.count >= signatureLength else { throw .invalid("v4.public token too short") }
        let payload = Array(body[0..<(body.count - signatureLength)])
        let signature = body[(body.count - signatureLength)...]
        let message = PAE.encode([token.header, payload, token.footer, implicitAssertion])
        guard key.key.isValidSignature(signature, for: message) else {
            throw .invalid("token signature does not verify under this key")
        }
        return payload
    }
}
