import NIOCore

/// One streaming gRPC call (client, server or bidirectional) driven on one event loop: the endpoint is picked and
/// connected on that loop's HTTP/2 pool, request messages written as the caller sends them, replies handed over
/// as they arrive, and the deadline kept with `scheduleTask`. Messages sent before the stream opens wait in order.
/// A failure to connect is retried on another endpoint (nothing has reached a server then); once the stream has
/// opened a call is never retried.
final class LoopStreamCall: GRPCCallObserver, @unchecked Sendable {
    let client: RPCClient
    let loopClient: LoopClient
    let request: RPCRequest
    let options: CallOptions
    private let onMessage: ([UInt8]) -> Void
    private var onFinish: ((Result<[RPCHeader], CallError>) -> Void)?
    let started = ContinuousClock.now

    private var handle: GRPCCallHandle?
    private var pending: [ByteBuffer] = []
    private var sendingFinished = false
    private var repliesPaused = false
    private var excluded = Set<Int>()
    private var attempts = 0
    private var timer: Scheduled<Void>?
    /// The deadline being kept and the error its expiry means.
    private var deadline: (deadline: NIODeadline, error: CallError)?
    private var span = AttemptSpan()

    var eventLoop: any EventLoop { loopClient.eventLoop }
    var isFinished: Bool { onFinish == nil }

    init(
        client: RPCClient, loopClient: LoopClient, request: RPCRequest, options: CallOptions,
        onMessage: @escaping ([UInt8]) -> Void, onFinish: @escaping (Result<[RPCHeader], CallError>) -> Void
    ) {
        self.client = client
        self.loopClient = loopClient
        self.request = request
        self.options = options
        self.onMessage = onMessage
        self.onFinish = onFinish
    }

    func start() {
        guard client.configuration.framing == .grpc, !loopClient.grpcPools.isEmpty else {
            finish(.failure(CallError(.invalidArgument, "streaming calls need a gRPC backend over TCP")))
            return
        }
        if let (deadline, error) = CallLimit.earliest(
            options: options, configuredTimeout: client.configuration.rpcTimeout, from: started, awaiting: .streamEnd)
        {
            self.deadline = (deadline, error)
            let now = NIODeadline.now()
            guard deadline > now else {
                finish(.failure(error))
                return
            }
            timer = eventLoop.scheduleTask(deadline: deadline) { [self] in
                timer = nil
                handle?.cancel()
                finish(.failure(error))
            }
        }
        connect()
    }

    // MARK: The caller's side

    func send(_ message: [UInt8]) {
        guard !isFinished, !sendingFinished else { return }
        let buffer = ByteBuffer(bytes: message)
        if let handle {
            handle.send(buffer)
        } else {
            pending.append(buffer)
        }
    }

    func finishSending() {
        guard !isFinished, !sendingFinished else { return }
        sendingFinished = true
        handle?.finishSending()
    }

    func cancel() {
        guard !isFinished else { return }
        handle?.cancel()
        finish(.failure(CallError(.cancelledByCaller, "the caller cancelled the call")))
    }

    var isWritable: Bool { handle?.isWritable ?? true }

    /// The caller cannot take replies now (true) or can again: the stream's flow-control window follows.
    func pauseReplies(_ paused: Bool) {
        guard !isFinished, repliesPaused != paused else { return }
        repliesPaused = paused
        handle?.pauseReplies(paused)
    }

    // MARK: Connecting

    private func connect() {
        attempts += 1
        guard let index = client.balancer.pick(key: request.hashKey, excluding: excluded, now: .now) else {
            finish(.failure(CallError(.unavailable, "no healthy endpoint")))
            return
        }
        let endpoint = client.configuration.endpoints[index]
        var sent = request
        if let tracing = options.tracing {
            span = AttemptSpan(
                tracing, request: &sent, configuration: client.configuration, endpoint: endpoint, number: attempts,
                isBackup: false)
        }
        loopClient.grpcPools[index].acquire { [self] result in
            guard !isFinished else { return }
            switch result {
            case .failure(let error):
                span.failed(error)
                client.balancer.recordFailure(index)
                excluded.insert(index)
                let policy = options.retry ?? client.configuration.retry
                if attempts < policy.maxAttempts, excluded.count < client.configuration.endpoints.count {
                    connect()
                } else {
                    finish(.failure(error))
                }
            case .success(let connection):
                var metadata = sent.headers.map { RPCHeader($0.name.lowercased(), $0.value) }
                if let requestID = options.requestID { metadata.append(RPCHeader("x-request-id", requestID)) }
                let remaining = deadline.map { Duration.nanoseconds(($0.deadline - NIODeadline.now()).nanoseconds) }
                let handle = connection.startStream(
                    path: "/\(request.service)/\(request.method)", metadata: metadata, timeout: remaining,
                    observer: self)
                self.handle = handle
                for message in pending { handle.send(message) }
                pending = []
                if sendingFinished { handle.finishSending() }
                if repliesPaused { handle.pauseReplies(true) }
                client.balancer.recordSuccess(index)
            }
        }
    }

    // MARK: GRPCCallObserver

    func received(headers: [RPCHeader]) {}

    func received(message: ByteBuffer) {
        guard !isFinished else { return }
        onMessage(Array(message.readableBytesView))
    }

    func finished(_ result: Result<[RPCHeader], GRPCCallFailure>) {
        handle = nil
        // The server enforcing the grpc-timeout we sent may end the call a moment before our timer: our timeout.
        if case .failure(let failure) = result, case .grpc(.deadlineExceeded) = failure.error.code, let deadline,
            NIODeadline.now() + .milliseconds(5) >= deadline.deadline
        {
            finish(.failure(deadline.error))
            return
        }
        finish(result.mapError(\.error))
    }

    private func finish(_ result: Result<[RPCHeader], CallError>) {
        guard let onFinish else { return }
        self.onFinish = nil
        timer?.cancel()
        timer = nil
        pending = []
        let seconds = (ContinuousClock.now - started).seconds
        switch result {
        case .success:
            span.succeeded()
            let metrics = loopClient.successMetrics(client.metrics, method: request.method)
            metrics.attempts.increment()
            metrics.duration.recordNanoseconds(Int64(seconds * 1e9))
        case .failure(let error):
            span.failed(error)
            client.metrics.call(method: request.method, code: error.code, seconds: seconds)
        }
        onFinish(result)
    }
}
