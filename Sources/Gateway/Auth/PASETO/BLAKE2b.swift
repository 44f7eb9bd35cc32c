/// BLAKE2b (RFC 7693) with a key and any digest length from 1 to 64 bytes: the keyed hash PASETO v4.local uses for
/// key derivation and as its MAC, and v2.local for its nonce. swift-crypto does not expose it.
///
/// Incremental, so the derivations hash "prefix || nonce" without joining the two first.
struct BLAKE2b {
    static let blockSize = 128
    static let maxDigestLength = 64
    static let maxKeyLength = 64

    private static let initialVector: [UInt64] = [
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
    ]

    /// Message word order of each of the 12 rounds (rounds 10 and 11 repeat rounds 0 and 1).
    private static let schedule: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    ]

    private var state: [UInt64]
    private var buffer: [UInt8]
    /// Bytes compressed so far (the 128-bit counter `t`; messages here never pass 2^64 bytes).
    private var compressed: UInt64 = 0
    private let digestLength: Int

    /// A hash with `digestLength` bytes of output, keyed with `key` (empty for the unkeyed hash).
    /// Lengths out of range are a programming error: every caller passes constants.
    init<Key: Collection>(digestLength: Int, key: Key) where Key.Element == UInt8 {
        precondition((1...Self.maxDigestLength).contains(digestLength) && key.count <= Self.maxKeyLength)
        self.digestLength = digestLength
        state = Self.initialVector
        state[0] ^= 0x0101_0000 ^ UInt64(key.count) << 8 ^ UInt64(digestLength)
        buffer = []
        buffer.reserveCapacity(Self.blockSize)
        if !key.isEmpty {
            buffer.append(contentsOf: key)
            buffer.append(contentsOf: repeatElement(0, count: Self.blockSize - key.count))
        }
    }

    init(digestLength: Int) { self.init(digestLength: digestLength, key: EmptyCollection<UInt8>()) }

    /// One-shot keyed hash of the concatenation of `parts`.
    static func hash<Key: Collection>(digestLength: Int, key: Key, _ parts: [UInt8]...) -> [UInt8]
    where Key.Element == UInt8 {
        var hasher = BLAKE2b(digestLength: digestLength, key: key)
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            // The last block is compressed only in finalize (with the final flag), so a full buffer waits for more.
            if buffer.count == Self.blockSize {
                compressed &+= UInt64(Self.blockSize)
                compress(final: false)
                buffer.removeAll(keepingCapacity: true)
            }
            buffer.append(byte)
        }
    }

    consuming func finalize() -> [UInt8] {
        compressed &+= UInt64(buffer.count)
        buffer.append(contentsOf: repeatElement(0, count: Self.blockSize - buffer.count))
        compress(final: true)
        var digest: [UInt8] = []
        digest.reserveCapacity(Self.maxDigestLength)
        for word in state {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Array(digest.prefix(digestLength))
    }

    /// The compression function F over the 128 bytes in `buffer`.
    private mutating func compress(final: Bool) {
        var message = [UInt64](repeating: 0, count: 16)
        for index in 0..<16 {
            var word: UInt64 = 0
            for byte in 0..<8 { word |= UInt64(buffer[index * 8 + byte]) << UInt64(byte * 8) }
            message[index] = word
        }
        var work = state + Self.initialVector
        work[12] ^= compressed
        if final { work[14] = ~work[14] }
        for round in 0..<12 {
            let order = Self.schedule[round]
            Self.mix(&work, 0, 4, 8, 12, message[order[0]], message[order[1]])
            Self.mix(&work, 1, 5, 9, 13, message[order[2]], message[order[3]])
            Self.mix(&work, 2, 6, 10, 14, message[order[4]], message[order[5]])
            Self.mix(&work, 3, 7, 11, 15, message[order[6]], message[order[7]])
            Self.mix(&work, 0, 5, 10, 15, message[order[8]], message[order[9]])
            Self.mix(&work, 1, 6, 11, 12, message[order[10]], message[order[11]])
            Self.mix(&work, 2, 7, 8, 13, message[order[12]], message[order[13]])
            Self.mix(&work, 3, 4, 9, 14, message[order[14]], message[order[15]])
        }
        for index in 0..<8 { state[index] ^= work[index] ^ work[index + 8] }
    }

    /// The mixing function G.
    @inline(__always)
    private static func mix(_ v: inout [UInt64], _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
        v[a] = v[a] &+ v[b] &+ x
        v[d] = rotateRight(v[d] ^ v[a], 32)
        v[c] = v[c] &+ v[d]
        v[b] = rotateRight(v[b] ^ v[c], 24)
        v[a] = v[a] &+ v[b] &+ y
        v[d] = rotateRight(v[d] ^ v[a], 16)
        v[c] = v[c] &+ v[d]
        v[b] = rotateRight(v[b] ^ v[c], 63)
    }

    @inline(__always)
    private static func rotateRight(_ value: UInt64, _ count: UInt64) -> UInt64 {
        value >> count | value << (64 - count)
    }
}
