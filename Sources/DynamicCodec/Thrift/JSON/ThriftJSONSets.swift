#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Field positions of one struct: a bit mask below 64, a Set above.
package struct ThriftFieldPositions {
    private var low: UInt64 = 0
    private var high: Set<Int> = []

    /// Inserts `position`; false if it was already there.
    @inline(__always)
    package mutating func insert(_ position: Int) -> Bool {
        if position < 64 {
            let bit: UInt64 = 1 << UInt64(position)
            if low & bit != 0 { return false }
            low |= bit
            return true
        }
        return high.insert(position).inserted
    }

    @inline(__always)
    package func contains(_ position: Int) -> Bool {
        position < 64 ? low & (1 << UInt64(position)) != 0 : high.contains(position)
    }
}

/// Byte strings written to one growing buffer (map keys, as ranges of it), for duplicate detection: a linear scan
/// while small, hashes once the map grows.
package struct ThriftEncodedKeySet {
    private var ranges: [Range<Int>] = []
    private var hashes: Set<Int> = []

    /// Records the bytes at `range` of `buffer`; false if equal bytes were recorded before.
    package mutating func insert(_ range: Range<Int>, of buffer: [UInt8]) -> Bool {
        buffer.withUnsafeBytes { base in
            let bytes = UnsafeRawBufferPointer(rebasing: base[range])
            if ranges.count < 8 {
                if contains(bytes, in: base) { return false }
                ranges.append(range)
                if ranges.count == 8 {
                    for seen in ranges { hashes.insert(Self.hash(UnsafeRawBufferPointer(rebasing: base[seen]))) }
                }
                return true
            }
            // A new hash means new bytes; a known one is checked byte by byte.
            if !hashes.insert(Self.hash(bytes)).inserted, contains(bytes, in: base) { return false }
            ranges.append(range)
            return true
        }
    }

    private func contains(_ bytes: UnsafeRawBufferPointer, in base: UnsafeRawBufferPointer) -> Bool {
        for seen in ranges where seen.count == bytes.count {
            if bytes.isEmpty || memcmp(base.baseAddress! + seen.lowerBound, bytes.baseAddress!, bytes.count) == 0 {
                return true
            }
        }
        return false
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }
}
