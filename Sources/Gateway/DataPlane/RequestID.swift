import Synchronization

/// Request ids: the client's `X-Request-Id` when it is reasonable (1-128 visible ASCII characters), otherwise a
/// new 32-hex-digit id. Returned in the response and passed to the backend.
///
/// New ids are a per-process counter run through SplitMix64 (a bijection, so ids never repeat within a process)
/// from a random per-process start: unpredictable across processes, and no system call per request (asking the
/// kernel for 16 random bytes on every request was measurable under load).
enum RequestID {
    static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        return value
    }

    private static let seed: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    private static let counter = Atomic<UInt64>(0)

    static func generate() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let (first, second) = seed
        return hex(mix(first &+ count), mix(second ^ count))
    }

    /// SplitMix64's finalizer.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex(_ high: UInt64, _ low: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { buffer in
            digits.withUTF8Buffer { digits in
                for index in 0..<16 {
                    let shift = UInt64(60 - 4 * index)
                    buffer[index] = digits[Int((high >> shift) & 0xF)]
                    buffer[16 + index] = digits[Int((low >> shift) & 0xF)]
                }
            }
            return 32
        }
    }
}
