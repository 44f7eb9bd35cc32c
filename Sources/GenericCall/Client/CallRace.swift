import Synchronization

/// A failed attempt, with what the retry rules need to know.
struct AttemptFailure: Error, Sendable {
    var error: CallError
    /// Whether the request may have reached the backend.
    var requestSent: Bool
    var endpoint: Endpoint?
}

/// Runs competitors (an attempt, a backup attempt) against an optional deadline and returns the first success;
/// when every competitor fails, the first failure. The deadline wins at once, even over work that cannot be
/// interrupted (a TCP connect in progress); losers are cancelled and clean up on their own. Each competitor runs in
/// its own task; the deadline is an entry in ``DeadlineTimer`` (no task of its own).
final class CallRace<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var tasks: [Task<Void, Never>] = []
        var running = 0
        var firstFailure: AttemptFailure?
        var done = false
        var timer: Int?
    }

    private let state = Mutex(State())

    /// Runs `first` and, after `backupDelay`, `backup` (when given), bounded by `deadline`.
    static func run(
        deadline: ContinuousClock.Instant?, timeoutError: CallError,
        backupDelay: Duration? = nil,
        first: @escaping @Sendable () async throws(AttemptFailure) -> Value,
        backup: (@Sendable () async throws(AttemptFailure) -> Value)? = nil
    ) async throws(AttemptFailure) -> Value {
        let race = CallRace<Value>()
        defer { race.cancelTimer() }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    guard race.start(continuation) else { return }
                    race.add {
                        do throws(AttemptFailure) { race.succeed(try await first()) } catch { race.fail(error) }
                    }
                    if let backup, let backupDelay {
                        race.add {
                            do {
                                try await Task.sleep(for: backupDelay)
                            } catch {
                                race.fail(AttemptFailure(error: CallError(.cancelledByCaller, "cancelled"), requestSent: false))
                                return
                            }
                            do throws(AttemptFailure) { race.succeed(try await backup()) } catch { race.fail(error) }
                        }
                    }
                    if let deadline {
                        race.setTimer(
                            DeadlineTimer.shared.schedule(at: deadline) {
                                race.timeOut(AttemptFailure(error: timeoutError, requestSent: true))
                            })
                    }
                }
            } onCancel: {
                race.timeOut(AttemptFailure(error: CallError(.cancelledByCaller, "the caller cancelled the call"), requestSent: true))
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch {
            throw AttemptFailure(error: CallError(.cancelledByCaller, "the caller cancelled the call"), requestSent: true)
        }
    }

    /// False (and the continuation resumed) when the caller cancelled before the race began.
    private func start(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let cancelled = state.withLock { state -> Bool in
            if state.done { return true }
            state.continuation = continuation
            return false
        }
        if cancelled {
            continuation.resume(
                throwing: AttemptFailure(
                    error: CallError(.cancelledByCaller, "the caller cancelled the call"), requestSent: false))
        }
        return !cancelled
    }

    private func add(_ work: @escaping @Sendable () async -> Void) {
        let cancelled = state.withLock { state -> Bool in
            if state.done { return true }
            state.running += 1
            return false
        }
        guard !cancelled else { return }
        let task = Task { await work() }
        let late = state.withLock { state -> Bool in
            state.tasks.append(task)
            return state.done
        }
        if late { task.cancel() }
    }

    /// The deadline's entry in ``DeadlineTimer``, dropped when the race is over.
    private func setTimer(_ id: Int) {
        state.withLock { $0.timer = id }
    }

    private func cancelTimer() {
        if let id = state.withLock({ $0.timer }) { DeadlineTimer.shared.cancel(id) }
    }

    private func succeed(_ value: Value) {
        guard let (continuation, tasks) = finish() else { return }
        for task in tasks { task.cancel() }
        continuation.resume(returning: value)
    }

    private func fail(_ failure: AttemptFailure) {
        let outcome: (CheckedContinuation<Value, any Error>, [Task<Void, Never>], AttemptFailure)? = state.withLock { state in
            if state.done { return nil }
            if state.firstFailure == nil { state.firstFailure = failure }
            state.running -= 1
            guard state.running <= 0, let continuation = state.continuation else { return nil }
            state.done = true
            state.continuation = nil
            return (continuation, state.tasks, state.firstFailure ?? failure)
        }
        guard let (continuation, tasks, first) = outcome else { return }
        for task in tasks { task.cancel() }
        continuation.resume(throwing: first)
    }

    private func timeOut(_ failure: AttemptFailure) {
        guard let (continuation, tasks) = finish() else { return }
        for task in tasks { task.cancel() }
        continuation.resume(throwing: failure)
    }

    private func finish() -> (CheckedContinuation<Value, any Error>, [Task<Void, Never>])? {
        state.withLock { state in
            guard !state.done, let continuation = state.continuation else {
                state.done = true
                return nil
            }
            state.done = true
            state.continuation = nil
            return (continuation, state.tasks)
        }
    }
}
