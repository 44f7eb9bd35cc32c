import GenericCall

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

    static func grpcTimeout(_ text: String) -> Duration? { DurationText.parseGRPCTimeout(text) }
}
