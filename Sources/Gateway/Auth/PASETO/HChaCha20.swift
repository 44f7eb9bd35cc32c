/// HChaCha20 (draft-irtf-cfrg-xchacha §2.2): derives a 256-bit subkey from a key and the first 16 bytes of an
/// extended 24-byte nonce, which is what turns ChaCha20 into XChaCha20. swift-crypto does not expose it.
enum HChaCha20 {
    /// "expand 32-byte k" as four little-endian words.
    private static let constants: [UInt32] = [0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574]

    /// The subkey for a 32-byte `key` and a 16-byte `nonce`; other lengths are a programming error.
    static func subkey(key: [UInt8], nonce: ArraySlice<UInt8>) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == 16)
        var state = constants
        state.reserveCapacity(16)
        for index in 0..<8 { state.append(word(key, at: index * 4)) }
        let nonceBytes = Array(nonce)
        for index in 0..<4 { state.append(word(nonceBytes, at: index * 4)) }
        for _ in 0..<10 {
            quarterRound(&state, 0, 4, 8, 12)
            quarterRound(&state, 1, 5, 9, 13)
            quarterRound(&state, 2, 6, 10, 14)
            quarterRound(&state, 3, 7, 11, 15)
            quarterRound(&state, 0, 5, 10, 15)
            quarterRound(&state, 1, 6, 11, 12)
            quarterRound(&state, 2, 7, 8, 13)
            quarterRound(&state, 3, 4, 9, 14)
        }
        // Unlike the ChaCha20 block function, the input is not added back: the subkey is words 0-3 and 12-15.
        var output: [UInt8] = []
        output.reserveCapacity(32)
        for index in [0, 1, 2, 3, 12, 13, 14, 15] {
            for shift in stride(from: 0, to: 32, by: 8) {
                output.append(UInt8(truncatingIfNeeded: state[index] >> UInt32(shift)))
            }
        }
        return output
    }

    @inline(__always)
    private static func word(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    @inline(__always)
    private static func quarterRound(_ s: inout [UInt32], _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        s[a] = s[a] &+ s[b]
        s[d] = rotateLeft(s[d] ^ s[a], 16)
        s[c] = s[c] &+ s[d]
        s[b] = rotateLeft(s[b] ^ s[c], 12)
        s[a] = s[a] &+ s[b]
        s[d] = rotateLeft(s[d] ^ s[a], 8)
        s[c] = s[c] &+ s[d]
        s[b] = rotateLeft(s[b] ^ s[c], 7)
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 - count)
    }
}
