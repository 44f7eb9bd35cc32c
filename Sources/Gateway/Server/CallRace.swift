import GenericCall
import Synchronization

/// Runs a backend call in its own task and answers with whichever comes first: its result, the deadline, or the
/// client going away. The loser is cancelled and not waited for, so an invoker that is slow to notice
/// cancellation cannot hold a response past its deadline.
final class CallRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>?
        var tasks: [Task<Void, Never>] = []
        var finished = false
    }

    private let state = Mutex(State())

    /// The call's outcome; CANCELLED_BY_CALLER when `watch` reports the client gone or the current task is
    /// cancelled.
    static func run(
        deadline: ContinuousClock.Instant, deadlineError: CallError, watch: ConnectionWatch?,
        _ operation: @escaping @Sendable () async throws(CallError) -> [UInt8]
    ) async -> Result<[UInt8], CallError> {
        let race = CallRace()
        let cancelled = CallError(.cancelledByCaller, "the client closed the connection")
        let token = watch?.onClose { race.finish(.failure(cancelled)) }
        defer { if let token { watch?.cancel(token) } }
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
                let timer = Task {
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        race.finish(.failure(deadlineError))
                    } catch {}
                }
                race.track([work, timer])
            }
            return outcome
        } onCancel: {
            race.finish(.failure(cancelled))
        }
    }

    private func start(_ continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>) {
        let finishedEarly = state.withLock { state -> Bool in
            guard !state.finished else { return true }
            state.continuation = continuation
            return false
        }
        // Cancelled before the race began.
        if finishedEarly {
            continuation.resume(returning: .failure(CallError(.cancelledByCaller, "the client closed the connection")))
        }
    }

    private func track(_ tasks: [Task<Void, Never>]) {
        let finished = state.withLock { state -> Bool in
            state.tasks = tasks
            return state.finished
        }
        if finished { tasks.forEach { $0.cancel() } }
    }

    /// The first caller wins; the other tasks are cancelled.
    func finish(_ result: Result<[UInt8], CallError>) {
        let (continuation, tasks) = state.withLock {
            state -> (CheckedContinuation<Result<[UInt8], CallError>, Never>?, [Task<Void, Never>]) in
            guard !state.finished else { return (nil, []) }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        tasks.forEach { $0.cancel() }
        continuation?.resume(returning: result)
    }
}
