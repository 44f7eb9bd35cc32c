import Synchronization

/// The calls waiting on one connection, by sequence id. A reply or failure resumes each at most once; ids nobody
/// waits for (late replies after a timeout or cancellation) are dropped.
final class PendingReplies: Sendable {
    private struct State {
        var waiting: [Int32: CheckedContinuation<WireEnvelope, any Error>] = [:]
        /// Once set, the connection is finished and new waits fail at once.
        var closedWith: CallError?
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.waiting.count } }

    var isClosed: Bool { state.withLock { $0.closedWith != nil } }

    /// Registers a waiter; false (and the continuation resumed with the error) when the connection is closed or
    /// the id is already taken.
    func register(_ sequenceID: Int32, _ continuation: CheckedContinuation<WireEnvelope, any Error>) -> Bool {
        let failure: CallError? = state.withLock { state in
            if let error = state.closedWith { return error }
            if state.waiting[sequenceID] != nil {
                return CallError(.backendClosed, "sequence id \(sequenceID) is already in use on this connection")
            }
            state.waiting[sequenceID] = continuation
            return nil
        }
        if let failure {
            continuation.resume(throwing: failure)
            return false
        }
        return true
    }

    /// Delivers a reply; false when nobody waits for its id.
    @discardableResult
    func deliver(_ envelope: WireEnvelope) -> Bool {
        guard let continuation = state.withLock({ $0.waiting.removeValue(forKey: envelope.sequenceID) }) else {
            return false
        }
        continuation.resume(returning: envelope)
        return true
    }

    /// Ends one wait with an error (cancellation, write failure).
    func fail(_ sequenceID: Int32, _ error: any Error) {
        state.withLock { $0.waiting.removeValue(forKey: sequenceID) }?.resume(throwing: error)
    }

    /// Ends every wait and refuses new ones.
    func close(_ error: CallError) {
        let waiting = state.withLock { state in
            if state.closedWith == nil { state.closedWith = error }
            let waiting = state.waiting
            state.waiting.removeAll()
            return waiting
        }
        for continuation in waiting.values { continuation.resume(throwing: error) }
    }
}
