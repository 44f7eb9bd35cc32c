/// Durations as people write them in flags and config: `250ms`, `2s`, `1.5s`, `1m`, `100us`, `500ns`, `1h`, and
/// gRPC's `grpc-timeout` form (`250m`, `2S`, `100u`, `5H`, `1M`).
public enum DurationText {
    /// Parses a human duration (`250ms`, `2s`, `1m`); nil when malformed or negative.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            guard !number.isEmpty, let value = Double(number), value >= 0, value.isFinite else { return nil }
            return .nanoseconds(Int64((value * scale * 1e9).rounded()))
        }
        return nil
    }

    /// Parses a `grpc-timeout` header value: up to 8 digits and a unit (H, M, S, m, u, n).
    public static func parseGRPCTimeout(_ text: String) -> Duration? {
        guard let unit = text.last, text.count >= 2, text.count <= 9 else { return nil }
        guard let value = Int64(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "H": return .seconds(value * 3600)
        case "M": return .seconds(value * 60)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set where Element == Character {
    fileprivate static var whitespaces: Set<Character> { [" ", "\t"] }
}
