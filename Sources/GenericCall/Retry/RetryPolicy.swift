/// When and how failed calls are tried again (the rules of shared/specs/errors.md).
public struct RetryPolicy: Sendable, Hashable {
    public enum Backoff: Sendable, Hashable {
        case none
        case fixed(Duration)
        /// `base * 2^(attempt-1)`, capped at `maximum`, with up to `jitter` (0...1) of it randomized away.
        case exponential(base: Duration, maximum: Duration, jitter: Double)
    }

    /// Attempts in all, the first included (default 3).
    public var maxAttempts: Int
    /// No new attempt starts after this much time since the first (nil: no limit).
    public var maxDuration: Duration?
    public var backoff: Backoff
    /// Retry after an RPC timeout (off by default: the request may have been executed).
    public var retryOnTimeout: Bool
    /// Methods whose failures after the request was sent may be retried (idempotent ones); others are retried
    /// only when the request never left.
    public var retryableMethods: Set<String>

    public init(
        maxAttempts: Int = 3, maxDuration: Duration? = nil,
        backoff: Backoff = .exponential(base: .milliseconds(10), maximum: .milliseconds(500), jitter: 0.5),
        retryOnTimeout: Bool = false, retryableMethods: Set<String> = []
    ) {
        self.maxAttempts = maxAttempts
        self.maxDuration = maxDuration
        self.backoff = backoff
        self.retryOnTimeout = retryOnTimeout
        self.retryableMethods = retryableMethods
    }

    /// What happened in a failed attempt, as far as retrying is concerned.
    public struct Failure: Sendable, Hashable {
        public var code: CallErrorCode
        /// Whether the request bytes had (possibly) reached the backend.
        public var requestSent: Bool
        public init(code: CallErrorCode, requestSent: Bool) {
            self.code = code
            self.requestSent = requestSent
        }
    }

    /// Whether a failure may be retried at all, before limits and budget.
    public func isRetryable(_ failure: Failure, method: String) -> Bool {
        switch failure.code {
        case .cancelledByCaller, .timeoutByCaller:
            return false  // The caller gave up; never retried.
        case .connectTimeout, .unavailable where !failure.requestSent:
            return true  // Nothing reached a backend: always safe on another endpoint.
        case .rpcTimeout, .grpc(.deadlineExceeded):
            return retryOnTimeout && retryableMethods.contains(method)
        case .invalidJSON, .invalidArgument, .missingRequiredField, .unknownField, .routeNotFound, .methodNotFound,
            .payloadTooLarge, .unauthenticated, .permissionDenied, .declaredException, .businessError, .retryExhausted:
            return false  // The same request would fail the same way.
        default:
            return !failure.requestSent || retryableMethods.contains(method)
        }
    }

    /// The pause before attempt number `attempt` (2 for the first retry); `random` gives values in 0..<1.
    public func delay(beforeAttempt attempt: Int, random: () -> Double) -> Duration {
        switch backoff {
        case .none: return .zero
        case .fixed(let pause): return pause
        case .exponential(let base, let maximum, let jitter):
            let exponent = min(max(attempt - 2, 0), 30)
            let full = min(base * (1 << exponent), maximum)
            let jitterFraction = min(max(jitter, 0), 1) * random()
            return full * (1 - jitterFraction)
        }
    }
}
