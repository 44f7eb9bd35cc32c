public import DynamicCodec

/// Everything the client needs to reach one backend service.
public struct BackendConfiguration: Sendable {
    public var framing: Framing
    /// Thrift payload protocol (ignored for Protobuf).
    public var thriftProtocol: ThriftProtocol
    /// The service speaks Protobuf (Kitex protobuf over TTHeader, gRPC) rather than Thrift.
    public var protobuf: Bool
    public var transport: TransportKind
    public var endpoints: [Endpoint]
    /// Relative weights of ``endpoints`` for balancing (empty: all equal). Round-robin picks an endpoint in
    /// proportion to its weight (smoothly interleaved); consistent hashing gives it that many more ring nodes.
    public var weights: [Int] = []
    public var balance: BalancePolicy
    public var health: HealthPolicy
    public var connectTimeout: Duration
    /// The gateway's own per-call timeout (nil: none, only the caller's deadline applies).
    public var rpcTimeout: Duration?
    public var retry: RetryPolicy
    /// Retries allowed as a fraction of calls over a sliding window (0.1 = 10 %).
    public var retryBudgetRatio: Double
    /// Send a second attempt to another endpoint when no reply came within this delay (nil: never).
    public var backupRequestDelay: Duration?
    /// Connections per endpoint.
    public var maxConnectionsPerEndpoint: Int
    /// Calls sharing one multiplexed (TTHeader) connection.
    public var maxConcurrentPerConnection: Int
    public var maxFrameSize: Int
    /// Name sent as TTHeader FromService.
    public var callerName: String
    /// The backend's name in metrics (the `backend` label), e.g. the gateway's service name.
    public var name: String
    /// TLS for a gRPC backend's connections (nil: plaintext). Other framings refuse it.
    public var tls: ClientTLSConfiguration?

    public init(
        framing: Framing, thriftProtocol: ThriftProtocol = .binary, protobuf: Bool = false,
        transport: TransportKind = .tcp, endpoints: [Endpoint], balance: BalancePolicy = .roundRobin,
        health: HealthPolicy = HealthPolicy(), connectTimeout: Duration = .seconds(1), rpcTimeout: Duration? = .seconds(5),
        retry: RetryPolicy = RetryPolicy(), retryBudgetRatio: Double = 0.1, backupRequestDelay: Duration? = nil,
        maxConnectionsPerEndpoint: Int = 64, maxConcurrentPerConnection: Int = 128,
        maxFrameSize: Int = defaultMaxFrameSize, callerName: String = "portico", name: String = "default",
        tls: ClientTLSConfiguration? = nil
    ) {
        self.framing = framing
        self.thriftProtocol = thriftProtocol
        self.protobuf = protobuf || framing == .kitexProtobuf || framing == .grpc
        self.transport = transport
        self.endpoints = endpoints
        self.balance = balance
        self.health = health
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.retry = retry
        self.retryBudgetRatio = retryBudgetRatio
        self.backupRequestDelay = backupRequestDelay
        self.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint
        self.maxConcurrentPerConnection = maxConcurrentPerConnection
        self.maxFrameSize = maxFrameSize
        self.callerName = callerName
        self.name = name
        self.tls = tls
    }

    var codec: MessageCodec {
        MessageCodec(framing: framing, thriftProtocol: thriftProtocol, protobufPayload: protobuf, maxFrameSize: maxFrameSize)
    }
}

/// Per-call settings on top of the backend's configuration.
public struct CallOptions: Sendable {
    /// The caller's deadline (grpc-timeout, X-Portico-Timeout, --timeout): expiring gives TIMEOUT_BY_CALLER.
    public var deadline: ContinuousClock.Instant?
    /// Overrides the backend's RPC timeout for this call.
    public var rpcTimeout: Duration?
    /// Overrides the retry policy for this call (per-method settings).
    public var retry: RetryPolicy?
    /// Sent as TTHeader LogID / gRPC `x-request-id`.
    public var requestID: String?
    /// The end of the RPC timeout of the whole call, retries included (the gateway's per-route timeout): an
    /// attempt never outlives it, and its expiry gives RPC_TIMEOUT.
    public var rpcDeadline: ContinuousClock.Instant?
    /// The timeout RPC_TIMEOUT errors name, when ``rpcDeadline`` comes from one (the configured duration).
    public var rpcTimeoutForErrors: Duration?
    /// Spans for the call's attempts and trace context for the backend; nil: untraced (no cost).
    public var tracing: CallTracing?

    public init(
        deadline: ContinuousClock.Instant? = nil, rpcTimeout: Duration? = nil, retry: RetryPolicy? = nil,
        requestID: String? = nil, rpcDeadline: ContinuousClock.Instant? = nil, rpcTimeoutForErrors: Duration? = nil
    ) {
        self.deadline = deadline
        self.rpcTimeout = rpcTimeout
        self.retry = retry
        self.requestID = requestID
        self.rpcDeadline = rpcDeadline
        self.rpcTimeoutForErrors = rpcTimeoutForErrors
    }
}
