import Synchronization

/// Limits retries to a fraction of calls over a sliding window, so retries never multiply the load on a backend
/// that is already failing. Thread-safe.
public final class RetryBudget: Sendable {
    /// Retries allowed per call in the window (0.1: at most one retry per ten calls).
    public let ratio: Double
    /// Retries always allowed per window, so low traffic can still retry.
    public let minimumRetries: Int
    public let window: Duration

    private struct Bucket {
        var start: ContinuousClock.Instant
        var calls = 0
        var retries = 0
    }

    /// The window is split in 10 buckets that expire one by one.
    private let buckets: Mutex<[Bucket]>

    public init(ratio: Double = 0.1, minimumRetries: Int = 10, window: Duration = .seconds(10)) {
        self.ratio = ratio
        self.minimumRetries = minimumRetries
        self.window = window
        buckets = Mutex([])
    }

    /// Counts a first attempt.
    public func recordCall(now: ContinuousClock.Instant = .now) {
        buckets.withLock { buckets in
            Self.advance(&buckets, now: now, window: window)
            buckets[buckets.count - 1].calls += 1
        }
    }

    /// Takes one retry from the budget if there is room; false means the retry must not happen.
    public func tryRetry(now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            Self.advance(&buckets, now: now, window: window)
            let calls = buckets.reduce(0) { $0 + $1.calls }
            let retries = buckets.reduce(0) { $0 + $1.retries }
            let allowed = max(minimumRetries, Int(Double(calls) * ratio))
            guard retries < allowed else { return false }
            buckets[buckets.count - 1].retries += 1
            return true
        }
    }

    /// Drops buckets older than the window and makes sure the last bucket is the current one.
    private static func advance(_ buckets: inout [Bucket], now: ContinuousClock.Instant, window: Duration) {
        let width = window / 10
        buckets.removeAll { now - $0.start >= window }
        if let last = buckets.last, now - last.start < width { return }
        buckets.append(Bucket(start: now))
    }
}
