import NIOCore

/// One call in flight, driven on one event loop: attempts, the backup request, retries with backoff and every
/// deadline are scheduled on that loop (`scheduleTask`), so a call costs no task, no thread hop and no lock of
/// its own. `completion` runs on the loop exactly once.
///
/// The rules are those of shared/specs/errors.md: an attempt is bounded by the earliest of the caller's deadline,
/// the RPC deadline of the whole call and the per-attempt RPC timeout; the failure decides retry or stop
/// (``RetryPolicy``, the retry budget, max attempts and duration, the time left); every attempt is listed in the
/// final error's `attempt_log`.
final class LoopCall: @unchecked Sendable {
    typealias Completion = (Result<RPCReply, CallError>) -> Void

    let client: RPCClient
    let loopClient: LoopClient
    let request: RPCRequest
    let options: CallOptions
    let policy: RetryPolicy
    private var completion: Completion?
    let started = ContinuousClock.now
    let startedNIO = NIODeadline.now()

    private var attemptNumber = 0
    private var log: [String] = []
    private var excluded = Set<Int>()
    private var inFlight: [LoopAttempt] = []
    private var limitTimer: Scheduled<Void>?
    private var backupTimer: Scheduled<Void>?
    private var retryTimer: Scheduled<Void>?
    /// The limit of the current attempt and the error its expiry means.
    private var limit: (deadline: NIODeadline, error: CallError)?

    var eventLoop: any EventLoop { loopClient.eventLoop }
    var isFinished: Bool { completion == nil }

    init(
        client: RPCClient, loopClient: LoopClient, request: RPCRequest, options: CallOptions,
        completion: @escaping Completion
    ) {
        self.client = client
        self.loopClient = loopClient
        self.request = request
        self.options = options
        self.policy = options.retry ?? client.configuration.retry
        self.completion = completion
    }

    func start() {
        client.budget.recordCall(now: started)
        nextAttempt()
    }

    /// Ends the call with CANCELLED_BY_CALLER (the caller went away); in-flight attempts are abandoned.
    func cancel() {
        guard !isFinished else { return }
        finish(.failure(client.finalError(CallError(.cancelledByCaller, "the caller cancelled the call"), log: log)))
    }

    // MARK: Attempts

    private func nextAttempt() {
        attemptNumber += 1
        let now = ContinuousClock.now
        if let deadline = options.deadline, deadline <= now {
            finish(
                .failure(
                    client.finalError(
                        CallError(.timeoutByCaller, "the caller's deadline expired before attempt \(attemptNumber)"),
                        log: log)))
            return
        }
        guard let index = client.balancer.pick(key: request.hashKey, excluding: excluded, now: now) else {
            let error = CallError(
                .unavailable,
                "no healthy endpoint: all \(client.configuration.endpoints.count) are ejected after repeated failures "
                    + "(one probe per endpoint every \(client.configuration.health.probeInterval))")
            client.metrics.attempt(method: request.method, code: error.code)
            finish(.failure(client.finalError(error, log: log)))
            return
        }
        limit = CallLimit.earliest(
            options: options, configuredTimeout: client.configuration.rpcTimeout, from: now, awaiting: .reply)
        if let limit {
            limitTimer = eventLoop.scheduleTask(deadline: limit.deadline) { [self] in
                limitTimer = nil
                timedOut(limit.error)
            }
        }
        launch(on: index, isBackup: false)
        if let delay = client.configuration.backupRequestDelay,
            client.configuration.endpoints.count > 1 || client.configuration.framing == .ttheader
        {
            backupTimer = eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { [self] in
                backupTimer = nil
                launchBackup(avoiding: index)
            }
        }
    }

    private func launchBackup(avoiding index: Int) {
        guard !isFinished, !inFlight.isEmpty, client.budget.tryRetry() else { return }
        let other = client.balancer.pick(key: request.hashKey, excluding: [index]) ?? index
        client.metrics.backup(method: request.method)
        launch(on: other, isBackup: true)
    }

    private func launch(on index: Int, isBackup: Bool) {
        let endpoint = client.configuration.endpoints[index]
        var attemptRequest = request
        var span = AttemptSpan()
        if let tracing = options.tracing {
            span = AttemptSpan(
                tracing, request: &attemptRequest, configuration: client.configuration, endpoint: endpoint,
                number: attemptNumber, isBackup: isBackup)
        }
        let attempt = LoopAttempt(call: self, index: index, endpoint: endpoint, request: attemptRequest, span: span)
        inFlight.append(attempt)
        let remaining = limit.map { Duration.nanoseconds(($0.deadline - NIODeadline.now()).nanoseconds) }
        attempt.run(remaining: remaining)
    }

    // MARK: Outcomes

    func attemptSucceeded(_ attempt: LoopAttempt, _ reply: RPCReply) {
        guard remove(attempt) else { return }
        attempt.span.succeeded()
        client.balancer.recordSuccess(attempt.index)
        loopClient.successMetrics(client.metrics, method: request.method).attempts.increment()
        var reply = reply
        reply.attempts = attemptNumber
        finish(.success(reply))
    }

    func attemptFailed(_ attempt: LoopAttempt, _ error: CallError, requestSent: Bool) {
        // A gRPC library enforcing the same deadline may report it a moment before our timer: it is our timeout.
        if case .grpc(.deadlineExceeded) = error.code, let limit,
            NIODeadline.now() + .milliseconds(5) >= limit.deadline
        {
            guard inFlight.contains(where: { $0 === attempt }) else { return }
            timedOut(limit.error)
            return
        }
        guard remove(attempt) else { return }
        attempt.span.failed(error)
        if !inFlight.isEmpty { return }  // the other competitor may still answer
        attemptsFailed(AttemptFailure(error: error, requestSent: requestSent, endpoint: attempt.endpoint), index: attempt.index)
    }

    private func timedOut(_ error: CallError) {
        guard !isFinished else { return }
        let attempts = inFlight
        inFlight = []
        for attempt in attempts {
            attempt.span.failed(error)
            attempt.abandon()
        }
        let index = attempts.first?.index ?? 0
        attemptsFailed(AttemptFailure(error: error, requestSent: true, endpoint: attempts.first?.endpoint), index: index)
    }

    private func remove(_ attempt: LoopAttempt) -> Bool {
        guard !isFinished, let position = inFlight.firstIndex(where: { $0 === attempt }) else { return false }
        inFlight.remove(at: position)
        return true
    }

    /// Every competitor of the current attempt failed: retry or stop.
    private func attemptsFailed(_ failure: AttemptFailure, index: Int) {
        cancelTimers()
        for attempt in inFlight { attempt.abandon() }
        inFlight = []
        let endpoint = failure.endpoint ?? client.configuration.endpoints[index]
        log.append("\(attemptNumber):\(failure.error.code.name)@\(endpoint)")
        client.metrics.attempt(method: request.method, code: failure.error.code)
        if RPCClient.isEndpointFailure(failure.error.code) { client.balancer.recordFailure(index) }
        excluded.insert(index)
        let retryable = policy.isRetryable(
            RetryPolicy.Failure(code: failure.error.code, requestSent: failure.requestSent), method: request.method)
        guard retryable else {
            finish(.failure(client.finalError(failure.error, log: log)))
            return
        }
        var stop: String?
        if attemptNumber >= policy.maxAttempts {
            stop = "max attempts (\(policy.maxAttempts)) reached"
        } else if let maximum = policy.maxDuration, ContinuousClock.now - started >= maximum {
            stop = "max retry duration (\(maximum)) reached"
        } else if !client.budget.tryRetry() {
            stop = "retry budget exhausted"
        }
        let pause = policy.delay(beforeAttempt: attemptNumber + 1) { Double.random(in: 0..<1) }
        if stop == nil, let deadline = options.deadline, ContinuousClock.now + pause >= deadline {
            stop = "the caller's deadline leaves no time for another attempt"
        }
        if let stop {
            finish(.failure(client.exhausted(failure.error, attempts: attemptNumber, reason: stop, log: log)))
            return
        }
        client.metrics.retry(method: request.method)
        if pause > .zero {
            retryTimer = eventLoop.scheduleTask(in: .nanoseconds(pause.nanoseconds)) { [self] in
                retryTimer = nil
                nextAttempt()
            }
        } else {
            nextAttempt()
        }
    }

    private func cancelTimers() {
        limitTimer?.cancel()
        limitTimer = nil
        backupTimer?.cancel()
        backupTimer = nil
        retryTimer?.cancel()
        retryTimer = nil
    }

    private func finish(_ result: Result<RPCReply, CallError>) {
        guard let completion else { return }
        self.completion = nil
        cancelTimers()
        let attempts = inFlight
        inFlight = []
        for attempt in attempts { attempt.abandon() }
        let seconds = (ContinuousClock.now - started).seconds
        switch result {
        case .success:
            loopClient.successMetrics(client.metrics, method: request.method).duration
                .recordNanoseconds(Int64(seconds * 1e9))
        case .failure(let error): client.metrics.call(method: request.method, code: error.code, seconds: seconds)
        }
        completion(result)
    }
}

/// A failed attempt, with what the retry rules need to know.
struct AttemptFailure: Error, Sendable {
    var error: CallError
    /// Whether the request may have reached the backend.
    var requestSent: Bool
    var endpoint: Endpoint?
}

extension TimeAmount {
    static func nanoseconds(_ duration: Duration) -> TimeAmount { .nanoseconds(duration.nanoseconds) }
}
