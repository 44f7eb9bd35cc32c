import Crypto
import Foundation
import _CryptoExtras

/// XChaCha20 and XChaCha20-Poly1305 with 24-byte nonces (draft-irtf-cfrg-xchacha): HChaCha20 turns the key and the
/// first 16 nonce bytes into a subkey, and the IETF ChaCha20 of swift-crypto runs under that subkey with the nonce
/// `0x00000000 || nonce[16..<24]`. v4.local uses the bare stream cipher, v2.local the AEAD.
enum XChaCha20 {
    static let nonceLength = 24

    /// The subkey and 12-byte IETF nonce the inner ChaCha20 runs with.
    private static func inner(key: [UInt8], nonce: [UInt8]) -> (key: [UInt8], nonce: [UInt8]) {
        precondition(nonce.count == nonceLength)
        return (HChaCha20.subkey(key: key, nonce: nonce[0..<16]), [0, 0, 0, 0] + nonce[16..<24])
    }

    /// XOR of `message` with the keystream starting at block 0 (encryption and decryption alike).
    static func apply(key: [UInt8], nonce: [UInt8], to message: [UInt8]) throws(PASETOError) -> [UInt8] {
        let (subkey, innerNonce) = inner(key: key, nonce: nonce)
        return try chaCha20(key: subkey, nonce: innerNonce, counter: 0, message)
    }

    /// The IETF ChaCha20 stream cipher of swift-crypto (RFC 8439: 12-byte nonce, 32-bit block counter).
    static func chaCha20(key: [UInt8], nonce: [UInt8], counter: UInt32, _ message: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        do {
            let output = try Insecure.ChaCha20CTR.encrypt(
                message, using: SymmetricKey(data: key), counter: Insecure.ChaCha20CTR.Counter(offset: counter),
                nonce: Insecure.ChaCha20CTR.Nonce(data: nonce))
            return [UInt8](output)
        } catch {
            throw .invalid("ChaCha20 failed")
        }
    }

    /// XChaCha20-Poly1305 encryption: ciphertext followed by the 16-byte tag.
    static func seal(key: [UInt8], nonce: [UInt8], message: [UInt8], additionalData: [UInt8]) throws(PASETOError)
        -> [UInt8]
    {
        let (subkey, innerNonce) = inner(key: key, nonce: nonce)
        do {
            let box = try ChaChaPoly.seal(
                message, using: SymmetricKey(data: subkey), nonce: ChaChaPoly.Nonce(data: innerNonce),
                authenticating: additionalData)
            return [UInt8](box.ciphertext) + [UInt8](box.tag)
        } catch {
            throw .invalid("XChaCha20-Poly1305 sealing failed")
        }
    }

    /// XChaCha20-Poly1305 decryption of ciphertext-and-tag; fails when the tag does not authenticate (checked in
    /// constant time by swift-crypto).
    static func open(key: [UInt8], nonce: [UInt8], sealed: ArraySlice<UInt8>, additionalData: [UInt8])
        throws(PASETOError) -> [UInt8]
    {
        guard sealed.count >= 16 else { throw .invalid("token too short") }
        let (subkey, innerNonce) = inner(key: key, nonce: nonce)
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: ChaChaPoly.Nonce(data: innerNonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
            return [UInt8](try ChaChaPoly.open(box, using: SymmetricKey(data: subkey), authenticating: additionalData))
        } catch {
            throw .invalid("token does not authenticate under this key")
        }
    }
}
