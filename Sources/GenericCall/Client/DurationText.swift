/// Durations as people write them in flags, config and headers: `250ms`, `2s`, `1.5s`, `1m`, `100us`, `500ns`,
/// `1h`, and gRPC's `grpc-timeout` form (`250m`, `2S`, `100u`, `5H`, `1M`). The one parser of the CLI, the
/// gateway's config and its deadline headers.
public enum DurationText {
    /// Parses a decimal amount and a unit (ns, us, µs, ms, s, m, h); nil for a bare number, a negative or
    /// exponent form, or an amount too large to hold.
    public static func parse(_ text: String) -> Duration? {
        var trimmed = Substring(text)
        while trimmed.first == " " { trimmed.removeFirst() }
        while trimmed.last == " " { trimmed.removeLast() }
        guard let split = trimmed.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }),
            split != trimmed.startIndex, let amount = Double(trimmed[..<split]), amount >= 0, amount.isFinite
        else { return nil }
        let nanoseconds: Double
        switch trimmed[split...] {
        case "ns": nanoseconds = 1
        case "us", "µs": nanoseconds = 1e3
        case "ms": nanoseconds = 1e6
        case "s": nanoseconds = 1e9
        case "m": nanoseconds = 60e9
        case "h": nanoseconds = 3600e9
        default: return nil
        }
        let total = amount * nanoseconds
        guard total < 1e18 else { return nil }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// Parses a `grpc-timeout` header value: 1 to 8 ASCII digits and a unit (H, M, S, m, u, n).
    public static func parseGRPCTimeout(_ text: String) -> Duration? {
        let utf8 = Array(text.utf8)
        guard (2...9).contains(utf8.count), let unit = utf8.last,
            utf8.dropLast().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let amount = Int64(String(decoding: utf8.dropLast(), as: UTF8.self))
        else { return nil }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }

    /// Renders a duration the way ``parse(_:)`` reads it back (`1500ms`, `2s`).
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanoseconds
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }
}
