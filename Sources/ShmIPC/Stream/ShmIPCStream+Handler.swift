/// The readable handler of the poll API: one invocation at a time, never re-entered.
extension ShmIPCStream {
    /// Registers a callback run whenever bytes, end-of-stream or an error arrive (usually on the session's
    /// receive thread); pair it with ``poll(_:)``. The callback must be quick and must not block. It is never
    /// entered twice: what happens while it runs (even because of what it does, such as a read that ends the
    /// session) makes it run once more after it returns.
    public func setReadableHandler(_ handler: (@Sendable () -> Void)?) {
        reading.withLock { $0.readableHandler = handler }
    }

    /// Runs the readable handler unless an invocation is already under way, in which case that invocation
    /// runs it once more when it returns.
    func notifyReadable() {
        var next: (@Sendable () -> Void)? = reading.withLock { state in
            guard let handler = state.readableHandler else { return nil }
            if state.handlerRunning {
                state.handlerPending = true
                return nil
            }
            state.handlerRunning = true
            return handler
        }
        while let handler = next {
            handler()
            next = reading.withLock { state in
                if state.handlerPending, let handler = state.readableHandler {
                    state.handlerPending = false
                    return handler
                }
                state.handlerRunning = false
                state.handlerPending = false
                return nil
            }
        }
    }
}
