public import DynamicCodec
public import GenericCall

/// One backend service the gateway routes to: where its schema comes from, which IDL service it is, and how to
/// reach it. Written in the config file under `services:` or sent to `PUT /admin/services/{name}`.
public struct ServiceConfig: Sendable, Hashable {
    /// Where a service's descriptors come from.
    public enum SchemaReference: Sendable, Hashable, CustomStringConvertible {
        /// A `.thrift`, `.proto` or compiled descriptor set (`.pb`, `.desc`, `.protoset`, `.binpb`) file.
        case file(String)
        /// The active version of a bundle uploaded to the descriptor registry.
        case registry(String)

        public var description: String {
            switch self {
            case .file(let path): path
            case .registry(let name): "registry:\(name)"
            }
        }
    }

    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case tcp
        case shmipc
    }

    /// How calls are spread over the endpoints.
    public enum Balance: Sendable, Hashable {
        case roundRobin
        /// Calls with the same value of this request header go to the same endpoint.
        case consistentHash(header: String)
    }

    public struct Timeouts: Sendable, Hashable {
        /// Time to establish a connection to one endpoint.
        public var connect: Duration
        /// The gateway's own limit for a whole call, retries included.
        public var rpc: Duration

        public init(connect: Duration = .seconds(1), rpc: Duration = .seconds(10)) {
            self.connect = connect
            self.rpc = rpc
        }
    }

    /// The retry settings of a service or one method (shared/specs/errors.md).
    public struct Retry: Sendable, Hashable {
        public enum Backoff: String, Sendable, Hashable, CaseIterable {
            case none, fixed, exponential
        }

        /// Attempts in all, the first included.
        public var maxAttempts: Int
        public var backoff: Backoff
        /// The pause for `fixed`, the first pause for `exponential`.
        public var backoffBase: Duration
        /// The longest pause for `exponential`.
        public var backoffMax: Duration
        public var retryOnTimeout: Bool
        /// Retries are limited to this share of calls over a sliding window.
        public var budgetPercent: Double
        /// The method is safe to repeat: failures after the request was sent may be retried too.
        public var idempotent: Bool

        public init(
            maxAttempts: Int = 3, backoff: Backoff = .exponential, backoffBase: Duration = .milliseconds(10),
            backoffMax: Duration = .milliseconds(500), retryOnTimeout: Bool = false, budgetPercent: Double = 10,
            idempotent: Bool = false
        ) {
            self.maxAttempts = maxAttempts
            self.backoff = backoff
            self.backoffBase = backoffBase
            self.backoffMax = backoffMax
            self.retryOnTimeout = retryOnTimeout
            self.budgetPercent = budgetPercent
            self.idempotent = idempotent
        }

        /// These settings as GenericCall's retry policy for `method`.
        public func policy(method: String) -> RetryPolicy {
            let pause: RetryPolicy.Backoff =
                switch backoff {
                case .none: .none
                case .fixed: .fixed(backoffBase)
                case .exponential: .exponential(base: backoffBase, maximum: backoffMax, jitter: 0.5)
                }
            return RetryPolicy(
                maxAttempts: maxAttempts, backoff: pause, retryOnTimeout: retryOnTimeout,
                retryableMethods: idempotent ? [method] : [])
        }
    }

    /// Settings of one method that differ from the service's.
    public struct MethodSettings: Sendable, Hashable {
        public var retry: Retry
        public var rpcTimeout: Duration
        /// The auth policy guarding the method's routes (nil: none).
        public var auth: String?

        public init(retry: Retry, rpcTimeout: Duration, auth: String? = nil) {
            self.retry = retry
            self.rpcTimeout = rpcTimeout
            self.auth = auth
        }
    }

    /// Where endpoints are found instead of being listed.
    public enum Discovery: Sendable, Hashable {
        /// Kitex's registry-etcd layout: `kitex/registry-etcd/SERVICE/HOST:PORT` in the gateway's etcd store.
        case kitex(service: String)
    }

    /// The name the admin API and metrics use; unique among services.
    public var name: String
    public var schema: SchemaReference
    /// Include directories for `.thrift`/`.proto` files.
    public var include: [String]
    /// The IDL service: as written in the Thrift IDL, or `package.Service` for Protobuf.
    public var service: String
    /// nil: `framed` for Thrift schemas, `grpc` for Protobuf ones (decided when the schema is loaded).
    public var framing: Framing?
    /// Thrift protocol of request and reply structs.
    public var thriftProtocol: ThriftProtocol
    public var transport: Transport
    /// `host:port` for TCP, a Unix socket path for ShmIPC. With ``discovery``: the instances registered now.
    public var endpoints: [String]
    /// Relative weights of ``endpoints`` (empty: all equal); discovered instances carry theirs.
    public var weights: [Int] = []
    /// nil: ``endpoints`` as configured.
    public var discovery: Discovery?
    public var balance: Balance
    public var timeouts: Timeouts
    public var retry: Retry
    /// Per-method settings by method name (service defaults with the method's overrides applied).
    public var methods: [String: MethodSettings]
    /// Request headers passed to the backend (TTHeader string info / gRPC metadata), besides the request id.
    public var forwardHeaders: [String]
    /// Reject query parameters and JSON keys the request type lacks (UNKNOWN_FIELD) instead of ignoring them.
    public var strict: Bool
    /// Protobuf replies keyed by `.proto` field names instead of JSON names (requests accept both either way).
    public var protoNames: Bool = false
    /// Put before the names of forwarded headers and the request id in TTHeader string info. nil: `RPC_TRANSIT_`
    /// for TTHeader (Kitex handlers see only `RPC_TRANSIT_`/`RPC_PERSIST_` keys), nothing for other framings.
    public var metadataPrefix: String?
    /// Where a server stream resumes when an SSE client reconnects with `Last-Event-ID` (`sse_resume`).
    public enum StreamResume: Sendable, Hashable {
        /// The value is bound to this request field (as a query parameter of that name would be).
        case field(String)
        /// The value is sent as this metadata (gRPC metadata, TTHeader string info with the metadata prefix).
        case metadata(String)
    }

    /// How a reconnecting SSE client's `Last-Event-ID` reaches the backend; nil: it does not (event ids still
    /// continue after it).
    public var sseResume: StreamResume?
    /// The auth policy (a name under `auth:` in the gateway config) guarding the service's routes; nil: none.
    /// Methods may name another policy or `none`.
    public var auth: String?
    /// TLS to a gRPC service's endpoints (`tls:` in the config); nil: plaintext.
    public var tls: ClientTLSConfiguration?

    /// The prefix in effect for `framing`.
    public func metadataPrefix(for framing: Framing) -> String {
        metadataPrefix ?? (framing == .ttheader ? "RPC_TRANSIT_" : "")
    }

    public init(
        name: String, schema: SchemaReference, include: [String] = [], service: String, framing: Framing? = nil,
        thriftProtocol: ThriftProtocol = .binary, transport: Transport = .tcp, endpoints: [String],
        balance: Balance = .roundRobin, timeouts: Timeouts = Timeouts(), retry: Retry = Retry(),
        methods: [String: MethodSettings] = [:], forwardHeaders: [String] = [], strict: Bool = true
    ) {
        self.name = name
        self.schema = schema
        self.include = include
        self.service = service
        self.framing = framing
        self.thriftProtocol = thriftProtocol
        self.transport = transport
        self.endpoints = endpoints
        self.balance = balance
        self.timeouts = timeouts
        self.retry = retry
        self.methods = methods
        self.forwardHeaders = forwardHeaders
        self.strict = strict
        metadataPrefix = nil
    }

    /// The retry and timeout settings that apply to `method`.
    public func settings(for method: String) -> MethodSettings {
        methods[method] ?? MethodSettings(retry: retry, rpcTimeout: timeouts.rpc, auth: auth)
    }
}
