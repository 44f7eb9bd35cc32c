import GenericCall
import Synchronization

/// Runs a backend call in its own task and answers with whichever comes first: its result, the deadline, or the
/// client going away. The loser is cancelled and not waited for, so an invoker that is slow to notice
/// cancellation cannot hold a response past its deadline. The deadline is kept by ``DeadlineTimer``.
final class CallRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>?
        var work: Task<Void, Never>?
        var finished = false
        /// The outcome when it came before the race began (the deadline had passed, the client had gone).
        var early: Result<[UInt8], CallError>?
    }

    private let state = Mutex(State())

    /// The call's outcome; CANCELLED_BY_CALLER when `watch` reports the client gone or the current task is
    /// cancelled; `deadlineError()` (made only when the deadline passes) at the deadline.
    static func run(
        deadline: ContinuousClock.Instant, deadlineError: @escaping @Sendable () -> CallError, watch: ConnectionWatch?,
        _ operation: @escaping @Sendable () async throws(CallError) -> [UInt8]
    ) async -> Result<[UInt8], CallError> {
        let race = CallRace()
        let cancelled = CallError(.cancelledByCaller, "the client closed the connection")
        let token = watch?.onClose { race.finish(.failure(cancelled)) }
        let timer = DeadlineTimer.shared.schedule(at: deadline) { race.finish(.failure(deadlineError())) }
        defer {
            DeadlineTimer.shared.cancel(timer)
            if let token { watch?.cancel(token) }
        }
        return await withTaskCancellationHandler {
            let outcome = await withCheckedContinuation { continuation in
                race.start(continuation)
                let work = Task {
                    do throws(CallError) {
                        race.finish(.success(try await operation()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                race.track(work)
            }
            return outcome
        } onCancel: {
            race.finish(.failure(cancelled))
        }
    }

    private func start(_ continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>) {
        let early = state.withLock { state -> Result<[UInt8], CallError>? in
            guard !state.finished else {
                return state.early ?? .failure(CallError(.cancelledByCaller, "the client closed the connection"))
            }
            state.continuation = continuation
            return nil
        }
        // Decided before the race began.
        if let early { continuation.resume(returning: early) }
    }

    private func track(_ work: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            state.work = work
            return state.finished
        }
        if finished { work.cancel() }
    }

    /// The first caller wins; the call's task is cancelled (a no-op when it is the one finishing).
    func finish(_ result: Result<[UInt8], CallError>) {
        let (continuation, work) = state.withLock {
            state -> (CheckedContinuation<Result<[UInt8], CallError>, Never>?, Task<Void, Never>?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            if state.continuation == nil { state.early = result }
            defer { state.continuation = nil }
            return (state.continuation, state.work)
        }
        work?.cancel()
        continuation?.resume(returning: result)
    }
}
