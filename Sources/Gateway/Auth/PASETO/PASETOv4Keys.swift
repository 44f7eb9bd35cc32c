public import Crypto

extension PASETO {
    /// PASETO v4: XChaCha20 with keyed BLAKE2b (local) and Ed25519 (public), with implicit assertions.
    public enum V4 {}
}

extension PASETO.V4 {
    /// A v4.local key: 32 bytes shared by whoever issues and whoever verifies.
    public struct LocalKey: Sendable {
        let bytes: [UInt8]

        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            self.bytes = try PASETOKeyMaterial.symmetric(bytes, for: "v4.local")
        }

        /// A new random key.
        public static func generate() -> LocalKey { LocalKey(unchecked: PASETOKeyMaterial.randomSymmetric()) }

        private init(unchecked bytes: [UInt8]) { self.bytes = bytes }
    }

    /// A v4.public signing key (Ed25519).
    public struct SecretKey: Sendable {
        let key: Curve25519.Signing.PrivateKey

        /// From a 32-byte seed or the 64-byte `seed || public key` form.
        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            key = try PASETOKeyMaterial.ed25519Secret(bytes, for: "v4")
        }

        public init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }

        /// A new random key.
        public static func generate() -> SecretKey { SecretKey(Curve25519.Signing.PrivateKey()) }

        /// The key that verifies what this key signs.
        public var publicKey: PublicKey { PublicKey(key.publicKey) }

        /// The 64-byte `seed || public key` form PASERK uses.
        var expandedBytes: [UInt8] { Array(key.rawRepresentation) + Array(key.publicKey.rawRepresentation) }
    }

    /// A v4.public verification key (Ed25519, 32 bytes).
    public struct PublicKey: Sendable {
        let key: Curve25519.Signing.PublicKey

        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            key = try PASETOKeyMaterial.ed25519Public(bytes, for: "v4")
        }

        public init(_ key: Curve25519.Signing.PublicKey) { self.key = key }

        var bytes: [UInt8] { Array(key.rawRepresentation) }
    }
}
