public import Tracing

/// Traces the attempts of one call: each attempt (first try, retry or backup request) is a client span, a child
/// of `parent`, and its trace context travels to the backend in the request headers (W3C `traceparent` and
/// `tracestate`: gRPC metadata, TTHeader string info), so the backend's spans join the same trace.
public struct CallTracing: Sendable {
    public var tracer: any Tracer
    /// The context the attempt spans are children of (the gateway's server span).
    public var parent: ServiceContext
    /// Put before the propagation header names: `RPC_TRANSIT_` for TTHeader, where Kitex servers read
    /// `RPC_TRANSIT_traceparent`; empty for gRPC metadata.
    public var headerPrefix: String

    public init(tracer: any Tracer, parent: ServiceContext, headerPrefix: String = "") {
        self.tracer = tracer
        self.parent = parent
        self.headerPrefix = headerPrefix
    }
}

/// Appends propagation fields to a request's headers, each name behind a prefix.
struct RPCHeaderInjector: Injector {
    let prefix: String

    func inject(_ value: String, forKey key: String, into carrier: inout [RPCHeader]) {
        let name = prefix + key
        carrier.removeAll { $0.name == name }
        carrier.append(RPCHeader(name, value))
    }
}

/// The span of one attempt, ended exactly once with its outcome.
struct AttemptSpan {
    private var span: (any Span)?

    /// Starts the span of attempt `number` and writes its context into `request`'s headers.
    init(
        _ tracing: CallTracing, request: inout RPCRequest, configuration: BackendConfiguration, endpoint: Endpoint,
        number: Int, isBackup: Bool
    ) {
        let span = tracing.tracer.startSpan(
            "\(request.service)/\(request.method)", context: tracing.parent, ofKind: .client)
        var attributes = SpanAttributes()
        attributes["rpc.system"] = configuration.framing == .grpc ? "grpc" : configuration.protobuf ? "kitex_protobuf" : "apache_thrift"
        attributes["rpc.service"] = request.service
        attributes["rpc.method"] = request.method
        switch endpoint {
        case .tcp(let host, let port):
            attributes["server.address"] = host
            attributes["server.port"] = port
        case .unix(let path):
            attributes["server.address"] = path
        }
        attributes["portico.framing"] = configuration.framing.rawValue
        attributes["portico.attempt"] = number
        if isBackup { attributes["portico.backup"] = true }
        span.attributes = attributes
        var headers = request.headers
        tracing.tracer.inject(span.context, into: &headers, using: RPCHeaderInjector(prefix: tracing.headerPrefix))
        request.headers = headers
        self.span = span
    }

    init() { span = nil }

    mutating func succeeded() {
        guard let span else { return }
        self.span = nil
        span.attributes["portico.code"] = "OK"
        span.end()
    }

    mutating func failed(_ error: CallError) {
        guard let span else { return }
        self.span = nil
        span.attributes["portico.code"] = error.code.name
        if case .grpc(let status) = error.code { span.attributes["rpc.grpc.status_code"] = status.rawValue }
        span.setStatus(SpanStatus(code: .error, message: error.code.name))
        span.end()
    }

    /// The call no longer waits for this attempt (another one answered, or the call ended): no error of its own.
    mutating func abandoned() {
        guard let span else { return }
        self.span = nil
        span.attributes["portico.code"] = "ABANDONED"
        span.end()
    }
}
