import Synchronization

/// Calls back at deadlines, for all calls of the process, with one sleeping task at a time. GenericCall's call
/// deadlines and the gateway's request deadlines both use ``shared``.
///
/// A sleeping task per call costs a task, a timer registration with the global
/// executor and a wake-up of its timer thread on every request, and the timer stays registered until its deadline
/// even after the request finished. Here a call's deadline is an entry in a table: scheduling and cancelling
/// take a lock, and the one sleeper is re-armed only when a deadline earlier than the one it waits for comes in
/// (deadlines mostly arrive in increasing order, so that is rare). When the sleeper wakes it fires what is due and
/// sleeps until the earliest deadline left; with nothing left it ends.
public final class DeadlineTimer: Sendable {
    public static let shared = DeadlineTimer()

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        /// When the sleeper wakes next; nil when there is no sleeper.
        var armed: ContinuousClock.Instant?
        /// Identifies the current sleeper; a replaced sleeper finds it changed and ends.
        var generation = 0
        var sleeper: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Calls `fire` once, at `deadline` (at once if it has passed), unless ``cancel(_:)`` comes first.
    public func schedule(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> Int {
        let (id, arm, replaced) = state.withLock { state -> (Int, Int?, Task<Void, Never>?) in
            state.nextID += 1
            state.entries[state.nextID] = Entry(deadline: deadline, fire: fire)
            if let armed = state.armed, armed <= deadline { return (state.nextID, nil, nil) }
            state.armed = deadline
            state.generation += 1
            let replaced = state.sleeper
            state.sleeper = nil
            return (state.nextID, state.generation, replaced)
        }
        replaced?.cancel()
        if let generation = arm {
            let sleeper = Task { [self] in await run(generation: generation, wake: deadline) }
            let stale = state.withLock { state -> Bool in
                guard state.generation == generation else { return true }
                state.sleeper = sleeper
                return false
            }
            if stale { sleeper.cancel() }
        }
        return id
    }

    /// Drops a deadline that has not fired.
    public func cancel(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    private func run(generation: Int, wake: ContinuousClock.Instant) async {
        var wake = wake
        while true {
            do {
                try await Task.sleep(until: wake, clock: .continuous)
            } catch {
                return  // replaced by a sleeper for an earlier deadline
            }
            let now = ContinuousClock.now
            let (due, next) = state.withLock { state -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                guard state.generation == generation else { return ([], nil) }
                var dueIDs: [Int] = []
                var next: ContinuousClock.Instant?
                for (id, entry) in state.entries {
                    if entry.deadline <= now {
                        dueIDs.append(id)
                    } else if next.map({ entry.deadline < $0 }) ?? true {
                        next = entry.deadline
                    }
                }
                // Fired in deadline order, also when one wake-up finds several due.
                let due = dueIDs.compactMap { state.entries.removeValue(forKey: $0) }
                    .sorted { $0.deadline < $1.deadline }.map(\.fire)
                state.armed = next
                if next == nil { state.sleeper = nil }
                return (due, next)
            }
            for fire in due { fire() }
            guard let next else { return }
            wake = next
        }
    }
}
