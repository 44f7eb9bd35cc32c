public import Crypto

extension PASETO {
    /// PASETO v3: AES-256-CTR with HMAC-SHA384 (local) and ECDSA over P-384 (public), with implicit assertions.
    public enum V3 {}
}

extension PASETO.V3 {
    /// A v3.local key: 32 bytes shared by whoever issues and whoever verifies.
    public struct LocalKey: Sendable {
        let bytes: [UInt8]

        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            self.bytes = try PASETOKeyMaterial.symmetric(bytes, for: "v3.local")
        }

        /// A new random key.
        public static func generate() -> LocalKey { LocalKey(unchecked: PASETOKeyMaterial.randomSymmetric()) }

        private init(unchecked bytes: [UInt8]) { self.bytes = bytes }
    }

    /// A v3.public signing key (P-384).
    public struct SecretKey: Sendable {
        let key: P384.Signing.PrivateKey

        /// From the 48-byte secret scalar.
        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            key = try PASETOKeyMaterial.p384Secret(bytes)
        }

        public init(_ key: P384.Signing.PrivateKey) { self.key = key }

        /// A new random key.
        public static func generate() -> SecretKey { SecretKey(P384.Signing.PrivateKey()) }

        /// The key that verifies what this key signs.
        public var publicKey: PublicKey { PublicKey(key.publicKey) }

        var bytes: [UInt8] { Array(key.rawRepresentation) }
    }

    /// A v3.public verification key (P-384).
    public struct PublicKey: Sendable {
        let key: P384.Signing.PublicKey

        /// From the 49-byte compressed point (or the 97-byte uncompressed one).
        public init<Bytes: Collection>(bytes: Bytes) throws(PASETOError) where Bytes.Element == UInt8 {
            key = try PASETOKeyMaterial.p384Public(bytes)
        }

        public init(_ key: P384.Signing.PublicKey) { self.key = key }

        /// The 49-byte compressed point: what the signature's PAE and PASERK `k3.public` carry.
        var compressed: [UInt8] { Array(key.compressedRepresentation) }
    }
}
