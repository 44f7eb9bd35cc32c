import NIOCore

/// The deadline a unary attempt or a whole stream is bound by, and the error its expiry means: the earliest of the
/// caller's deadline, the call's RPC deadline and `start + rpcTimeout`; ties go to the caller (its deadline is the
/// one the caller knows about).
enum CallLimit {
    /// What ends in time or not, for the messages.
    enum Awaited {
        case reply
        case streamEnd
    }

    static func earliest(
        options: CallOptions, configuredTimeout: Duration?, from start: ContinuousClock.Instant, awaiting: Awaited
    ) -> (deadline: NIODeadline, error: CallError)? {
        let timeout = options.rpcTimeout ?? configuredTimeout
        var rpc: ContinuousClock.Instant? = timeout.map { start + $0 }
        if let whole = options.rpcDeadline { rpc = rpc.map { min($0, whole) } ?? whole }
        let chosen: (ContinuousClock.Instant, CallError)
        if let caller = options.deadline, rpc.map({ caller <= $0 }) ?? true {
            let before = awaiting == .reply ? "the backend replied" : "the stream ended"
            chosen = (caller, CallError(.timeoutByCaller, "the caller's deadline passed before \(before)"))
        } else if let rpc {
            let shown = DurationText.format(options.rpcTimeoutForErrors ?? timeout ?? (rpc - start))
            let what = awaiting == .reply ? "no reply" : "the stream did not end"
            chosen = (
                rpc,
                CallError(.rpcTimeout, "\(what) within the RPC timeout of \(shown)", details: ["timeout": shown])
            )
        } else {
            return nil
        }
        return (NIODeadline.now() + .nanoseconds((chosen.0 - .now).nanoseconds), chosen.1)
    }
}
