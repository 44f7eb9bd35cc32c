public import DynamicCodec
public import NIOCore
public import NIOPosix
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
    let budget: RetryBudget
    let sequence = Atomic<Int32>(0)
    let metrics: CallMetrics
    let group: any EventLoopGroup
    /// One per event loop of `group`: where calls run.
    let loopClients: [LoopClient]

    /// `transport` replaces the default TCP transport (the ShmIPC transport, a test double). Calls run on the
    /// event loops of `group`, which should be the caller's own (the gateway's), so that a call never leaves the
    /// loop that started it.
    public init(
        _ configuration: BackendConfiguration, transport: (any RPCTransport)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(CallError) {
        guard !configuration.endpoints.isEmpty else {
            throw CallError(.invalidArgument, "a backend needs at least one endpoint")
        }
        self.configuration = configuration
        balancer = LoadBalancer(
            endpoints: configuration.endpoints, policy: configuration.balance, health: configuration.health,
            weights: configuration.weights)
        budget = RetryBudget(ratio: configuration.retryBudgetRatio)
        metrics = CallMetrics(backend: configuration.name)
        self.group = group
        let onLoop = configuration.framing != .grpc && transport == nil && configuration.transport == .tcp
        var tls: GRPCTLSContext?
        if let settings = configuration.tls {
            guard configuration.framing == .grpc else {
                throw CallError(.invalidArgument, "TLS is offered for gRPC backends only")
            }
            tls = try GRPCTLSContext(loading: settings)
        }
        var loops: [LoopClient] = []
        for loop in group.makeIterator() {
            loops.append(LoopClient(eventLoop: loop, configuration: configuration, onLoopConnections: onLoop, tls: tls))
        }
        loopClients = loops
        if configuration.framing == .grpc {
            guard configuration.transport == .tcp else {
                throw CallError(.invalidArgument, "gRPC backends are reached over TCP only")
            }
            pools = []
        } else if onLoop {
            // The default TCP transport: each event loop's own pools (LoopClient).
            pools = []
        } else {
            let chosen: any RPCTransport = transport ?? ShmIPCTransport()
            let codec = configuration.codec
            // ShmIPC streams are cheap: one per call in flight, reused, rather than sharing one.
            let multiplexed = configuration.framing == .ttheader && chosen is TCPTransport
            pools = configuration.endpoints.map {
                ConnectionPool(
                    endpoint: $0, transport: chosen, codec: codec, maxConnections: configuration.maxConnectionsPerEndpoint,
                    multiplexed: multiplexed, maxConcurrentPerConnection: configuration.maxConcurrentPerConnection)
            }
        }
    }

    /// Closes connections; calls in flight fail with BACKEND_CLOSED.
    public func shutdown() async {
        for pool in pools { pool.close() }
        for loopClient in loopClients {
            try? await loopClient.eventLoop.submit { loopClient.shutDown() }.get()
        }
    }

    func nextSequenceID() -> Int32 {
        let value = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        return value == 0 ? sequence.wrappingAdd(1, ordering: .relaxed).newValue : value & 0x7FFF_FFFF
    }

    /// Calls `request.method` and returns its reply (for Thrift, the result struct: a declared exception is a
    /// normal reply at this level; the JSON layer and the HTTP mapping render it). Runs on one of the client's
    /// event loops; cancelling the task ends the call with CANCELLED_BY_CALLER.
    public func call(_ request: RPCRequest, options: CallOptions = CallOptions()) async throws(CallError) -> RPCReply {
        let loop = group.next()
        let box = CancellationBox()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<RPCReply, CallError>, Never>) in
                let handle = start(request, options: options, on: loop) { continuation.resume(returning: $0) }
                box.attach { handle.cancel() }
            }
        } onCancel: {
            box.cancel()
        }
        return try result.get()
    }

    /// Starts a call on `eventLoop`; `completion` runs on that loop exactly once, with the reply or the
    /// ``CallError``. Everything the call does — connecting, writing, matching the reply, its deadlines, retries
    /// and backup request — happens on that loop when it is one of the client's (otherwise on one of them, with
    /// the completion handed back). The handle cancels it.
    @discardableResult
    public func start(
        _ request: RPCRequest, options: CallOptions = CallOptions(), on eventLoop: any EventLoop,
        completion: @escaping (Result<RPCReply, CallError>) -> Void
    ) -> CallHandle {
        if let loopClient = loopClients.first(where: { $0.eventLoop === eventLoop }) {
            let call = LoopCall(client: self, loopClient: loopClient, request: request, options: options,
                                completion: completion)
            if eventLoop.inEventLoop {
                call.start()
            } else {
                eventLoop.execute { call.start() }
            }
            return CallHandle(call: call)
        }
        let loopClient = loopClients[Int.random(in: 0..<loopClients.count)]
        let back = UncheckedBox(completion)
        let call = LoopCall(client: self, loopClient: loopClient, request: request, options: options) { result in
            eventLoop.execute { back.value(result) }
        }
        loopClient.eventLoop.execute { call.start() }
        return CallHandle(call: call)
    }

    /// A request the framing cannot carry (TTHeader's u16 lengths): INVALID_ARGUMENT, never sent.
    static func unencodable(_ error: FramingError) -> CallError {
        CallError(.invalidArgument, "the request cannot be framed: \(error.message)")
    }

    /// Whether a failure says something about the endpoint (for passive health), not about the request.
    static func isEndpointFailure(_ code: CallErrorCode) -> Bool {
        switch code {
        case .unavailable, .connectTimeout, .backendClosed, .badBackendReply, .grpc(.unavailable): true
        default: false
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

/// Hands a task's cancellation to a call that starts a moment later (on an event loop): whichever comes second,
/// the call's start or the cancellation, cancels it. The gateway's async path uses it too.
package final class CancellationBox: Sendable {
    private let state = Mutex<(cancel: (@Sendable () -> Void)?, cancelled: Bool)>((nil, false))

    package init() {}

    /// The started call's cancel action.
    package func attach(_ cancel: @escaping @Sendable () -> Void) {
        let cancelled = state.withLock { state -> Bool in
            state.cancel = cancel
            return state.cancelled
        }
        if cancelled { cancel() }
    }

    package func cancel() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            return state.cancel
        }
        action?()
    }
}
