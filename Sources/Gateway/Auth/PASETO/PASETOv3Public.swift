import Crypto
import Foundation

extension PASETO.V3 {
    static let signatureLength = 96

    /// Signs `payload` into a `v3.public.` token: ECDSA P-384 with SHA-384 over PAE(compressed public key, header,
    /// payload, footer, implicit assertion). The signature is `r || s`, 48 bytes each; it is randomised, so two
    /// signatures of one payload differ.
    public static func sign(
        _ payload: [UInt8], key: SecretKey, footer: [UInt8] = [], implicitAssertion: [UInt8] = []
    ) throws(PASETOError) -> String {
        let header = PASETOToken.header(.v3, .public)
        let message = PAE.encode([key.publicKey.compressed, header, payload, footer, implicitAssertion])
        let signature: [UInt8]
        do {
            signature = Array(try key.key.signature(for: message).rawRepresentation)
        } catch {
            throw .invalidKey("P-384 signing failed")
        }
        return PASETOToken.serialize(.v3, .public, body: payload + signature, footer: footer)
    }

    /// Verifies a `v3.public.` token and returns its payload and footer.
    public static func verify(
        _ token: String, key: PublicKey, implicitAssertion: [UInt8] = [], limits: PASETOLimits = PASETOLimits()
    ) throws(PASETOError) -> PASETOMessage {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v3, .public, maxLength: limits.maxTokenLength)
        return PASETOMessage(
            payload: try verify(parsed, key: key, implicitAssertion: implicitAssertion), footer: parsed.footer)
    }

    static func verify(_ token: PASETOToken, key: PublicKey, implicitAssertion: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        let body = token.body
        guard body.count >= signatureLength else { throw .invalid("v3.public token too short") }
        let payload = Array(body[0..<(body.count - signatureLength)])
        let message = PAE.encode([key.compressed, token.header, payload, token.footer, implicitAssertion])
        guard
            let signature = try? P384.Signing.ECDSASignature(
                rawRepresentation: body[(body.count - signatureLength)...]),
            key.key.isValidSignature(signature, for: message)
        else {
            throw .invalid("token signature does not verify under this key")
        }
        return payload
    }
}
