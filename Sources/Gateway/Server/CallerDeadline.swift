/// The caller's deadline from `grpc-timeout` (`250m`: an integer of at most 8 digits and a unit H, M, S, m, u,
/// n) or `X-Portico-Timeout` (`250ms`, `2s`, like config durations). The earlier wins when both are sent.
enum CallerDeadline {
    /// The timeout a request carries, nil if none; throws INVALID_ARGUMENT naming the header when malformed.
    static func timeout(grpc: String?, portico: String?) throws(GatewayError) -> Duration? {
        var timeouts: [Duration] = []
        if let grpc {
            guard let value = grpcTimeout(grpc) else {
                throw .invalidArgument(
                    "header 'grpc-timeout': \"\(grpc.prefix(40))\" is not a gRPC timeout (like 250m or 2S)",
                    details: ["field": "header 'grpc-timeout'"])
            }
            timeouts.append(value)
        }
        if let portico {
            guard let value = ConfigUnits.duration(portico) else {
                throw .invalidArgument(
                    "header 'X-Portico-Timeout': \"\(portico.prefix(40))\" is not a duration (like 250ms or 2s)",
                    details: ["field": "header 'X-Portico-Timeout'"])
            }
            timeouts.append(value)
        }
        return timeouts.min()
    }

    static func grpcTimeout(_ text: String) -> Duration? {
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
}
