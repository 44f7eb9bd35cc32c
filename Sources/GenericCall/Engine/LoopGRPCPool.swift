import NIOCore

/// The HTTP/2 connections of one event loop to one gRPC endpoint. Calls share a connection (one stream each) until
/// it is full — the peer's SETTINGS_MAX_CONCURRENT_STREAMS — then another is opened, up to `maxConnections`; past
/// that the least loaded one takes the call and swift-nio-http2 queues its stream. Only that loop touches it.
final class LoopGRPCPool {
    typealias Lease = (Result<GRPCLoopConnection, CallError>) -> Void

    let endpoint: Endpoint
    let eventLoop: any EventLoop
    let maxConnections: Int
    let connectTimeout: Duration
    let configuration: GRPCLoopConfiguration

    private var connections: [GRPCLoopConnection] = []
    /// Calls waiting for the connection being opened.
    private var waiting: [Lease] = []
    private var isConnecting = false
    private var isShutDown = false

    init(
        endpoint: Endpoint, eventLoop: any EventLoop, maxConnections: Int, connectTimeout: Duration,
        configuration: GRPCLoopConfiguration = GRPCLoopConfiguration()
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.maxConnections = max(1, maxConnections)
        self.connectTimeout = connectTimeout
    }

    func acquire(_ lease: @escaping Lease) {
        guard !isShutDown else {
            lease(.failure(CallError(.backendClosed, "the client is shut down")))
            return
        }
        connections.removeAll { !$0.isUsable }
        var best: GRPCLoopConnection?
        for connection in connections where best == nil || connection.activeStreams < best!.activeStreams {
            best = connection
        }
        if let best, best.activeStreams < best.maxConcurrentStreams || connections.count >= maxConnections {
            lease(.success(best))
            return
        }
        waiting.append(lease)
        guard !isConnecting else { return }
        isConnecting = true
        GRPCLoopConnection.connect(
            to: endpoint, on: eventLoop, connectTimeout: connectTimeout, configuration: configuration
        ) { result in
            self.isConnecting = false
            let leases = self.waiting
            self.waiting = []
            switch result {
            case .success(let connection):
                guard !self.isShutDown else {
                    connection.close()
                    for lease in leases { lease(.failure(CallError(.backendClosed, "the client is shut down"))) }
                    return
                }
                self.connections.append(connection)
                for lease in leases { lease(.success(connection)) }
            case .failure(let error):
                for lease in leases { lease(.failure(error)) }
            }
        }
    }

    func shutDown() {
        isShutDown = true
        let open = connections
        connections = []
        for connection in open { connection.close() }
    }
}

/// Collects the outcome of one unary gRPC call for its attempt: the message, initial and trailing metadata.
final class GRPCUnaryObserver: GRPCCallObserver {
    private let attempt: LoopAttempt
    private var headers: [RPCHeader] = []
    private var message: ByteBuffer?

    init(attempt: LoopAttempt) {
        self.attempt = attempt
    }

    func received(headers: [RPCHeader]) {
        self.headers = headers
    }

    func received(message: ByteBuffer) {
        if self.message == nil { self.message = message }
    }

    func finished(_ result: Result<[RPCHeader], GRPCCallFailure>) {
        switch result {
        case .success(let trailers):
            guard let message else {
                attempt.grpcFinished(
                    .failure(
                        GRPCCallFailure(
                            error: CallError(.grpc(.internal), "the server sent no reply message"), requestSent: true)))
                return
            }
            attempt.grpcFinished(
                .success(
                    RPCReply(
                        payload: Array(message.readableBytesView), headers: headers + trailers,
                        endpoint: attempt.endpoint)))
        case .failure(let failure):
            attempt.grpcFinished(.failure(failure))
        }
    }
}
