import Crypto
import Foundation

/// Key material shared by the per-version key types: 32-byte symmetric keys, Ed25519 (v2, v4) and P-384 (v3).
/// The version-specific types wrap these, so the checks are written once and the types still never mix.
enum PASETOKeyMaterial {
    /// A 32-byte symmetric key, or an error naming what was wrong with its length.
    static func symmetric<Bytes: Collection>(_ bytes: Bytes, for name: String) throws(PASETOError) -> [UInt8]
    where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { throw .invalidKey("\(name) key must be 32 bytes, got \(bytes.count)") }
        return Array(bytes)
    }

    static func randomSymmetric() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// An Ed25519 private key from a 32-byte seed, or from the 64-byte `seed || public key` form (PASERK `k2.secret`,
    /// `k4.secret`, libsodium), whose public half must match the seed.
    static func ed25519Secret<Bytes: Collection>(_ bytes: Bytes, for name: String) throws(PASETOError)
        -> Curve25519.Signing.PrivateKey where Bytes.Element == UInt8
    {
        let raw = Array(bytes)
        guard raw.count == 32 || raw.count == 64 else {
            throw .invalidKey(
                "\(name) secret key must be 32 (seed) or 64 (seed and public key) bytes, got \(raw.count)")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw[0..<32])
        } catch {
            throw .invalidKey("\(name) secret key is not a valid Ed25519 seed")
        }
        if raw.count == 64, !ConstantTime.equal(key.publicKey.rawRepresentation, raw[32..<64]) {
            throw .invalidKey("\(name) secret key's public half does not match its seed")
        }
        return key
    }

    static func ed25519Public<Bytes: Collection>(_ bytes: Bytes, for name: String) throws(PASETOError)
        -> Curve25519.Signing.PublicKey where Bytes.Element == UInt8
    {
        guard bytes.count == 32 else { throw .invalidKey("\(name) public key must be 32 bytes, got \(bytes.count)") }
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: Array(bytes))
        } catch {
            throw .invalidKey("\(name) public key is not a valid Ed25519 key")
        }
    }

    /// A P-384 private key from its 48-byte scalar (PASERK `k3.secret`).
    static func p384Secret<Bytes: Collection>(_ bytes: Bytes) throws(PASETOError) -> P384.Signing.PrivateKey
    where Bytes.Element == UInt8 {
        guard bytes.count == 48 else { throw .invalidKey("v3 secret key must be 48 bytes, got \(bytes.count)") }
        do {
            return try P384.Signing.PrivateKey(rawRepresentation: Array(bytes))
        } catch {
            throw .invalidKey("v3 secret key is not a valid P-384 scalar")
        }
    }

    /// A P-384 public key from its 49-byte compressed point (PASERK `k3.public`) or 97-byte uncompressed point.
    static func p384Public<Bytes: Collection>(_ bytes: Bytes) throws(PASETOError) -> P384.Signing.PublicKey
    where Bytes.Element == UInt8 {
        let raw = Array(bytes)
        do {
            switch raw.count {
            case 49: return try P384.Signing.PublicKey(compressedRepresentation: raw)
            case 97: return try P384.Signing.PublicKey(x963Representation: raw)
            default: break
            }
        } catch {
            throw .invalidKey("v3 public key is not a valid P-384 point")
        }
        throw .invalidKey("v3 public key must be 49 bytes (compressed) or 97 (uncompressed), got \(raw.count)")
    }
}

extension PASETOKeyMaterial {
    /// `count` bytes from the system's cryptographically secure generator (getrandom on Linux), for nonces.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
