import Crypto
import Foundation
import _CryptoExtras

extension PASETO.V3 {
    static let nonceLength = 32
    static let tagLength = 48

    /// Encrypts `payload` into a `v3.local.` token: keys from HKDF-SHA384, AES-256-CTR, and an HMAC-SHA384 tag over
    /// PAE(header, nonce, ciphertext, footer, implicit assertion).
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
        let ciphertext = try aesCTR(keys.encryption, counter: keys.counter, payload)
        let header = PASETOToken.header(.v3, .local)
        let tag = mac(keys.authentication, PAE.encode([header, nonce, ciphertext, footer, implicitAssertion]))
        return PASETOToken.serialize(.v3, .local, body: nonce + ciphertext + tag, footer: footer)
    }

    /// Decrypts a `v3.local.` token: the payload and footer, once the tag has been checked in constant time.
    public static func decrypt(
        _ token: String, key: LocalKey, implicitAssertion: [UInt8] = [], limits: PASETOLimits = PASETOLimits()
    ) throws(PASETOError) -> PASETOMessage {
        let parsed = try PASETOToken.parse(Array(token.utf8), expecting: .v3, .local, maxLength: limits.maxTokenLength)
        return PASETOMessage(
            payload: try decrypt(parsed, key: key, implicitAssertion: implicitAssertion), footer: parsed.footer)
    }

    static func decrypt(_ token: PASETOToken, key: LocalKey, implicitAssertion: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        let body = token.body
        guard body.count >= nonceLength + tagLength else { throw .invalid("v3.local token too short") }
        let nonce = Array(body[0..<nonceLength])
        let ciphertext = Array(body[nonceLength..<(body.count - tagLength)])
        let tag = body[(body.count - tagLength)...]
        let keys = derive(key: key, nonce: nonce)
        let expected = mac(
            keys.authentication, PAE.encode([token.header, nonce, ciphertext, token.footer, implicitAssertion]))
        guard ConstantTime.equal(expected, tag) else { throw .invalid("token does not authenticate under this key") }
        return try aesCTR(keys.encryption, counter: keys.counter, ciphertext)
    }

    /// The AES key, the initial counter block and the HMAC key for one token nonce (HKDF-SHA384 without salt).
    private static func derive(key: LocalKey, nonce: [UInt8]) -> (
        encryption: SymmetricKey, counter: [UInt8], authentication: SymmetricKey
    ) {
        let material = SymmetricKey(data: key.bytes)
        let split = HKDF<SHA384>.deriveKey(
            inputKeyMaterial: material, info: Array("paseto-encryption-key".utf8) + nonce, outputByteCount: 48
        ).withUnsafeBytes { Array($0) }
        let authentication = HKDF<SHA384>.deriveKey(
            inputKeyMaterial: material, info: Array("paseto-auth-key-for-aead".utf8) + nonce, outputByteCount: 48)
        return (SymmetricKey(data: split[0..<32]), Array(split[32..<48]), authentication)
    }

    private static func mac(_ key: SymmetricKey, _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA384>.authenticationCode(for: message, using: key))
    }

    private static func aesCTR(_ key: SymmetricKey, counter: [UInt8], _ input: [UInt8]) throws(PASETOError) -> [UInt8] {
        do {
            return [UInt8](try AES._CTR.encrypt(input, using: key, nonce: AES._CTR.Nonce(nonceBytes: counter)))
        } catch {
            throw .invalid("AES-CTR failed")
        }
    }
}
