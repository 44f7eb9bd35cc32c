public import DynamicCodec
import Synchronization

/// A generic RPC client for one backend service: sends encoded requests on any framing and transport and returns
/// encoded replies, with pooling, balancing, passive health, timeouts, retries and backup requests.
///
/// Errors are ``CallError``s with the codes of shared/specs/errors.md; every attempt is listed in the error's
/// details (`attempts`, `attempt_log`) and counted in metrics.
public final class RPCClient: Sendable {
    public let configuration: BackendConfiguration
    let balancer: LoadBalancer
    let pools: [ConnectionPool]
    let grpc: [GRPCEndpointClient]
    let budget: RetryBudget
    let sequence = Atomic<Int32>(0)
    let metrics: CallMetrics

    /// `transport` replaces the default TCP transport (the ShmIPC transport, a test double).
    public init(_ configuration: BackendConfiguration, transport: (any RPCTransport)? = nil) throws(CallError) {
        guard !configuration.endpoints.isEmpty else {
            throw CallError(.invalidArgument, "a backend needs at least one endpoint")
        }
        self.configuration = configuration
        balancer = LoadBalancer(
            endpoints: configuration.endpoints, policy: configuration.balance, health: configuration.health)
        budget = RetryBudget(ratio: configuration.retryBudgetRatio)
        metrics = CallMetrics(backend: configuration.name)
        if configuration.framing == .grpc {
            guard configuration.transport == .tcp else {
                throw CallError(.invalidArgument, "gRPC backends are reached over TCP only")
            }
            grpc = try configuration.endpoints.map { endpoint throws(CallError) in try GRPCEndpointClient(endpoint) }
            pools = []
        } else {
            let chosen: any RPCTransport
            if let transport {
                chosen = transport
            } else if configuration.transport == .shmipc {
                chosen = ShmIPCTransport()
            } else {
                chosen = TCPTransport()
            }
            let codec = configuration.codec
            // ShmIPC streams are cheap: one per call in flight, reused, rather than sharing one.
            let multiplexed = configuration.framing == .ttheader && chosen is TCPTransport
            pools = configuration.endpoints.map {
                ConnectionPool(
                    endpoint: $0, transport: chosen, codec: codec, maxConnections: configuration.maxConnectionsPerEndpoint,
                    multiplexed: multiplexed, maxConcurrentPerConnection: configuration.maxConcurrentPerConnection)
            }
            grpc = []
        }
    }

    /// Closes connections; calls in flight fail with BACKEND_CLOSED.
    public func shutdown() async {
        for pool in pools { pool.close() }
        for client in grpc { client.shutdown() }
    }

    func nextSequenceID() -> Int32 {
        let value = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        return value == 0 ? sequence.wrappingAdd(1, ordering: .relaxed).newValue : value & 0x7FFF_FFFF
    }

    /// Calls `request.method` and returns its reply (for Thrift, the result struct: a declared exception is a
    /// normal reply at this level; the JSON layer and the HTTP mapping render it).
    public func call(_ request: RPCRequest, options: CallOptions = CallOptions()) async throws(CallError) -> RPCReply {
        let policy = options.retry ?? configuration.retry
        let start = ContinuousClock.now
        budget.recordCall(now: start)
        var log: [String] = []
        var excluded = Set<Int>()
        var attempt = 1
        while true {
            let now = ContinuousClock.now
            if let deadline = options.deadline, deadline <= now {
                throw finalError(
                    CallError(.timeoutByCaller, "the caller's deadline expired before attempt \(attempt)"), log: log)
            }
            if Task.isCancelled {
                throw finalError(CallError(.cancelledByCaller, "the caller cancelled the call"), log: log)
            }
            guard let index = balancer.pick(key: request.hashKey, excluding: excluded, now: now) else {
                let error = CallError(
                    .unavailable, "no healthy endpoint: all \(configuration.endpoints.count) are ejected after "
                        + "repeated failures (one probe per endpoint every \(configuration.health.probeInterval))")
                metrics.attempt(method: request.method, code: error.code)
                throw finalError(error, log: log)
            }
            let limit = timeLimit(options: options, from: now)
            do throws(AttemptFailure) {
                var reply = try await attemptWithBackup(request, index: index, limit: limit, options: options)
                balancer.recordSuccess(index)
                metrics.attempt(method: request.method, code: nil)
                metrics.call(method: request.method, code: nil, seconds: (ContinuousClock.now - start).seconds)
                reply.attempts = attempt
                return reply
            } catch {
                let failure = error
                let endpoint = failure.endpoint ?? configuration.endpoints[index]
                log.append("\(attempt):\(failure.error.code.name)@\(endpoint)")
                metrics.attempt(method: request.method, code: failure.error.code)
                if Self.isEndpointFailure(failure.error.code) { balancer.recordFailure(index) }
                excluded.insert(index)
                let retryable = policy.isRetryable(
                    RetryPolicy.Failure(code: failure.error.code, requestSent: failure.requestSent),
                    method: request.method)
                guard retryable else {
                    metrics.call(method: request.method, code: failure.error.code, seconds: (ContinuousClock.now - start).seconds)
                    throw finalError(failure.error, log: log)
                }
                var stop: String?
                if attempt >= policy.maxAttempts {
                    stop = "max attempts (\(policy.maxAttempts)) reached"
                } else if let maximum = policy.maxDuration, ContinuousClock.now - start >= maximum {
                    stop = "max retry duration (\(maximum)) reached"
                } else if !budget.tryRetry() {
                    stop = "retry budget exhausted"
                }
                let pause = policy.delay(beforeAttempt: attempt + 1) { Double.random(in: 0..<1) }
                if stop == nil, let deadline = options.deadline, ContinuousClock.now + pause >= deadline {
                    stop = "the caller's deadline leaves no time for another attempt"
                }
                if let stop {
                    metrics.call(method: request.method, code: failure.error.code, seconds: (ContinuousClock.now - start).seconds)
                    throw exhausted(failure.error, attempts: attempt, reason: stop, log: log)
                }
                metrics.retry(method: request.method)
                if pause > .zero {
                    do {
                        try await Task.sleep(for: pause)
                    } catch {
                        throw finalError(CallError(.cancelledByCaller, "the caller cancelled the call"), log: log)
                    }
                }
                attempt += 1
            }
        }
    }

    /// Whether a failure says something about the endpoint (for passive health), not about the request.
    static func isEndpointFailure(_ code: CallErrorCode) -> Bool {
        switch code {
        case .unavailable, .connectTimeout, .backendClosed, .badBackendReply, .grpc(.unavailable): true
        default: false
        }
    }

    struct TimeLimit {
        var instant: ContinuousClock.Instant
        var error: CallError
    }

    /// The earlier of the RPC timeout (from now) and the caller's deadline, and the error its expiry means.
    func timeLimit(options: CallOptions, from now: ContinuousClock.Instant) -> TimeLimit? {
        let timeout = options.rpcTimeout ?? configuration.rpcTimeout
        let rpcDeadline = timeout.map { now + $0 }
        if let caller = options.deadline, rpcDeadline.map({ caller <= $0 }) ?? true {
            return TimeLimit(instant: caller, error: CallError(.timeoutByCaller, "the caller's deadline expired"))
        }
        switch rpcDeadline {
        case nil:
            return nil
        case let rpc?:
            return TimeLimit(
                instant: rpc, error: CallError(.rpcTimeout, "no reply within the RPC timeout of \(timeout!)",
                                               details: ["timeout_ms": String(timeout!.milliseconds)]))
        }
    }

    private func attemptWithBackup(_ request: RPCRequest, index: Int, limit: TimeLimit?, options: CallOptions)
        async throws(AttemptFailure) -> RPCReply
    {
        let remaining = limit.map { $0.instant - ContinuousClock.now }
        var backup: (@Sendable () async throws(AttemptFailure) -> RPCReply)?
        if configuration.backupRequestDelay != nil, configuration.endpoints.count > 1 || configuration.framing == .ttheader {
            backup = { [self] () async throws(AttemptFailure) -> RPCReply in
                guard budget.tryRetry() else {
                    throw AttemptFailure(error: CallError(.unavailable, "retry budget exhausted: no backup request"), requestSent: false)
                }
                let other = balancer.pick(key: request.hashKey, excluding: [index]) ?? index
                metrics.backup(method: request.method)
                return try await attempt(request, index: other, remaining: remaining, options: options)
            }
        }
        return try await CallRace<RPCReply>.run(
            deadline: limit?.instant, timeoutError: limit?.error ?? CallError(.rpcTimeout, "timed out"),
            backupDelay: configuration.backupRequestDelay,
            first: { [self] () async throws(AttemptFailure) -> RPCReply in
                try await attempt(request, index: index, remaining: remaining, options: options)
            },
            backup: backup)
    }

    /// One attempt on endpoint `index`, without a time limit of its own (the race bounds it).
    func attempt(_ request: RPCRequest, index: Int, remaining: Duration?, options: CallOptions)
        async throws(AttemptFailure) -> RPCReply
    {
        let endpoint = configuration.endpoints[index]
        if configuration.framing == .grpc {
            do {
                return try await grpc[index].unary(request, timeout: remaining, requestID: options.requestID)
            } catch {
                throw AttemptFailure(error: error.error, requestSent: error.requestSent, endpoint: endpoint)
            }
        }
        let pool = pools[index]
        let connection: any RPCConnection
        do {
            connection = try await pool.acquire(connectTimeout: configuration.connectTimeout)
        } catch {
            throw AttemptFailure(error: error, requestSent: false, endpoint: endpoint)
        }
        let sequenceID = nextSequenceID()
        let frame = configuration.codec.encode(envelope(request, sequenceID: sequenceID, remaining: remaining, options: options))
        if request.isOneway {
            do {
                try await connection.send(frame)
                pool.release(connection, reusable: true)
                return RPCReply(payload: [], endpoint: endpoint)
            } catch {
                pool.release(connection, reusable: false)
                throw AttemptFailure(error: error, requestSent: true, endpoint: endpoint)
            }
        }
        let reply: WireEnvelope
        do {
            reply = try await connection.roundTrip(frame, sequenceID: sequenceID)
        } catch {
            pool.release(connection, reusable: false)
            throw AttemptFailure(error: error, requestSent: true, endpoint: endpoint)
        }
        pool.release(connection, reusable: true)
        do {
            return try interpret(reply, request: request, endpoint: endpoint)
        } catch {
            throw AttemptFailure(error: error, requestSent: true, endpoint: endpoint)
        }
    }

    func envelope(_ request: RPCRequest, sequenceID: Int32, remaining: Duration?, options: CallOptions) -> WireEnvelope {
        var envelope = WireEnvelope(
            method: request.method, type: request.isOneway ? .oneway : .call, sequenceID: sequenceID,
            payload: request.payload)
        guard configuration.framing == .ttheader else { return envelope }
        envelope.stringInfo = request.headers
        envelope.intInfo[TTHeader.IntKey.toService] = request.service
        envelope.intInfo[TTHeader.IntKey.toMethod] = request.method
        envelope.intInfo[TTHeader.IntKey.fromService] = configuration.callerName
        if let remaining { envelope.intInfo[TTHeader.IntKey.rpcTimeout] = String(max(1, remaining.milliseconds)) }
        if let id = options.requestID { envelope.intInfo[TTHeader.IntKey.logID] = id }
        return envelope
    }

    /// Turns a reply envelope into a reply or the error it carries.
    func interpret(_ reply: WireEnvelope, request: RPCRequest, endpoint: Endpoint) throws(CallError) -> RPCReply {
        if let status = reply.stringInfo.last(where: { $0.name == "biz-status" })?.value, status != "0", !status.isEmpty {
            let message = reply.stringInfo.last { $0.name == "biz-message" }?.value ?? "business error \(status)"
            var details = ["biz_status": status]
            if let extra = reply.stringInfo.last(where: { $0.name == "biz-extra" })?.value { details["biz_extra"] = extra }
            let code = Int(status) ?? 500
            throw CallError(.businessError(httpStatus: (400...599).contains(code) ? code : 500), message, details: details)
        }
        switch reply.type {
        case .reply:
            guard reply.method == request.method || reply.method.isEmpty else {
                throw CallError(
                    .badBackendReply, "reply names method \"\(reply.method)\", the call was \"\(request.method)\"")
            }
            return RPCReply(payload: reply.payload, headers: reply.stringInfo, endpoint: endpoint)
        case .exception:
            if configuration.protobuf {
                throw TApplicationException(errorProto: reply.payload).callError
            }
            do {
                throw try TApplicationException(decoding: reply.payload, encoding: configuration.thriftProtocol).callError
            } catch let error as CallError {
                throw error
            } catch {
                throw CallError(.badBackendReply, "undecodable TApplicationException: \(error)")
            }
        case .call, .oneway:
            throw CallError(.badBackendReply, "the backend answered with a \(reply.type) message")
        }
    }

    func finalError(_ error: CallError, log: [String]) -> CallError {
        guard !log.isEmpty else { return error }
        var error = error
        error.details["attempts"] = String(log.count)
        error.details["attempt_log"] = log.joined(separator: " ")
        return error
    }

    func exhausted(_ last: CallError, attempts: Int, reason: String, log: [String]) -> CallError {
        guard attempts > 1 else { return finalError(last, log: log) }
        var details = last.details
        details["last_code"] = last.code.name
        details["reason"] = reason
        details["attempts"] = String(attempts)
        details["attempt_log"] = log.joined(separator: " ")
        return CallError(
            .retryExhausted(last: CallErrorCodeBox(last.code)),
            "gave up after \(attempts) attempts (\(reason)); last error: \(last.message)", details: details)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension RPCClient {
    /// A server-streaming gRPC call: reply messages as they arrive. Not retried once started (messages may have
    /// been delivered); the stream fails with a ``CallError``.
    public func serverStream(_ request: RPCRequest, options: CallOptions = CallOptions())
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        guard configuration.framing == .grpc else {
            return AsyncThrowingStream {
                throw CallError(.invalidArgument, "server streaming needs a gRPC backend")
            }
        }
        let now = ContinuousClock.now
        guard let index = balancer.pick(key: request.hashKey, excluding: [], now: now) else {
            return AsyncThrowingStream { throw CallError(.unavailable, "no healthy endpoint") }
        }
        let limit = timeLimit(options: options, from: now)
        return grpc[index].serverStream(
            request, timeout: limit.map { $0.instant - now }, requestID: options.requestID)
    }
}
