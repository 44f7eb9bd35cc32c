/// Pre-Authentication Encoding (PASETO spec, "PAE"): the unambiguous concatenation of the pieces a MAC or signature
/// covers. The piece count and each piece's length come first as 64-bit little-endian integers with the top bit
/// cleared, so no two lists of pieces encode to the same bytes.
enum PAE {
    static func encode(_ pieces: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(8 + pieces.reduce(0) { $0 + 8 + $1.count })
        appendLength(UInt64(pieces.count), to: &output)
        for piece in pieces {
            appendLength(UInt64(piece.count), to: &output)
            output.append(contentsOf: piece)
        }
        return output
    }

    private static func appendLength(_ value: UInt64, to output: inout [UInt8]) {
        let cleared = value & 0x7FFF_FFFF_FFFF_FFFF
        for shift in stride(from: 0, to: 64, by: 8) {
            output.append(UInt8(truncatingIfNeeded: cleared >> UInt64(shift)))
        }
    }
}
