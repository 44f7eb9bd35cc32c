import NIOCore
import NIOPosix

/// How a failed connect becomes a CallError: CONNECT_TIMEOUT when the connect timeout fired (for any of the
/// addresses tried), UNAVAILABLE otherwise (refused, unreachable, no such host).
enum GRPCConnectFailure {
    static func error(_ error: any Error, endpoint: Endpoint, timeout: Duration) -> CallError {
        if isTimeout(error) {
            return CallError(
                .connectTimeout, "no connection to \(endpoint) within \(timeout)", details: ["endpoint": "\(endpoint)"])
        }
        return CallError(
            .unavailable, "cannot connect to \(endpoint): \(describe(error))", details: ["endpoint": "\(endpoint)"])
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { isTimeout($0.error) }
        }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
        }
        return "\(error)"
    }
}

/// Durations as NIO's time amounts and as whole nanoseconds (the gRPC code keeps its own conversions so it
/// depends on no other transport's helpers).
enum GRPCTime {
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func amount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(nanoseconds(duration))
    }
}
