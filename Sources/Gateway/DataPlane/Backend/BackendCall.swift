public import DynamicCodec
public import HTTPMapping
public import GenericCall

/// One backend call the gateway makes, already mapped from HTTP.
public struct BackendCall: Sendable {
    /// The configured service: framing, transport, endpoints, balancing, timeouts, retry.
    public var service: ServiceConfig
    /// The Protobuf or Thrift method the route leads to.
    public var target: RouteTarget
    /// The encoded request message (Protobuf) or the method's arguments struct (Thrift, in
    /// `service.thriftProtocol`).
    public var payload: [UInt8]
    /// The caller's own deadline (`grpc-timeout` / `X-Portico-Timeout`), nil if it sent none. The gateway's
    /// per-method timeout is ``rpcTimeout``; the gateway also enforces the earlier of the two itself and reports
    /// TIMEOUT_BY_CALLER or RPC_TIMEOUT, so an invoker may rely on being cancelled then.
    public var deadline: ContinuousClock.Instant?
    /// When the gateway received the request; `start + rpcTimeout` is the RPC deadline.
    public var start: ContinuousClock.Instant
    /// Headers to forward (the service's `forward_headers` that the request carried), then `x-request-id`.
    public var headers: [(String, String)]
    /// The request id (from `X-Request-Id` or generated); also in ``headers``. Forward it as the TTHeader log id
    /// or gRPC metadata.
    public var requestID: String
    /// The value of the consistent-hash header, for `balance: consistent-hash`.
    public var hashKey: String?
    /// The spans of the call's attempts and the trace context the backend receives; nil when tracing is off.
    public var tracing: CallTracing?

    public init(
        service: ServiceConfig, target: RouteTarget, payload: [UInt8], deadline: ContinuousClock.Instant?,
        start: ContinuousClock.Instant = .now, headers: [(String, String)], requestID: String, hashKey: String?
    ) {
        self.service = service
        self.target = target
        self.payload = payload
        self.deadline = deadline
        self.start = start
        self.headers = headers
        self.requestID = requestID
        self.hashKey = hashKey
    }

    /// The retry and timeout settings of this method.
    public var settings: ServiceConfig.MethodSettings { service.settings(for: target.methodName) }

    /// The gateway's own timeout for this call (retries included).
    public var rpcTimeout: Duration { settings.rpcTimeout }

    /// The earlier of the caller's deadline and `start + rpcTimeout`.
    public var effectiveDeadline: ContinuousClock.Instant {
        let rpcDeadline = start + rpcTimeout
        guard let deadline else { return rpcDeadline }
        return min(deadline, rpcDeadline)
    }

    /// Whether the caller's deadline is the one that limits this call.
    public var callerDeadlineIsEarlier: Bool {
        guard let deadline else { return false }
        return deadline < start + rpcTimeout
    }
}

extension BackendCall {
    /// The error the expiry of ``effectiveDeadline`` means: TIMEOUT_BY_CALLER when the caller's deadline is the
    /// earlier one, RPC_TIMEOUT naming the configured timeout otherwise.
    public var deadlineError: CallError {
        if callerDeadlineIsEarlier {
            return CallError(.timeoutByCaller, "the caller's deadline passed before the backend replied")
        }
        return CallError(
            .rpcTimeout, "no reply within the RPC timeout of \(DurationText.format(rpcTimeout))",
            details: ["timeout": DurationText.format(rpcTimeout)])
    }
}
