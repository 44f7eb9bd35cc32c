public import DynamicCodec
public import NIOCore
import NIOHTTP2
import NIOPosix
import ShmIPC
import Synchronization

/// A stand-in backend for any loaded service on any framing: answers every method with the configured JSON (or a
/// default value), with optional delay and injected failures.
public final class MockServer: Sendable {
    public let responder: MockResponder
    public let framing: Framing
    public let behavior: MockBehavior
    private struct Running {
        var channel: (any Channel)?
        /// Open gRPC connections, closed by `stop()` with the listener.
        var connections: [ObjectIdentifier: any Channel] = [:]
        var task: Task<Void, Never>?
        var listener: ShmIPCListener?
    }

    private let state = Mutex(Running())
    /// Calls answered so far (for tests and the demo).
    public var callCount: Int { calls.load(ordering: .relaxed) }
    let calls = Atomic<Int>(0)
    /// TTHeader int info and gRPC metadata of the last request (for tests: what the backend saw).
    private let lastSeen = Mutex<[String: String]>([:])

    public init(responder: MockResponder, framing: Framing, behavior: MockBehavior = MockBehavior()) {
        self.responder = responder
        self.framing = framing
        self.behavior = behavior
    }

    public var lastRequestHeaders: [String: String] { lastSeen.withLock { $0 } }

    func record(_ headers: [String: String]) { lastSeen.withLock { $0 = headers } }

    /// Starts listening; returns the bound endpoint (port 0 picks a free port).
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Endpoint {
        if framing == .grpc { return try await startGRPC(host: host, port: port) }
        let channel = try await bootstrap()
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port).get()
        state.withLock { $0.channel = channel }
        return .tcp(host: host, port: channel.localAddress?.port ?? port)
    }

    /// Starts on a Unix domain socket path (for local tests of stream framings).
    public func start(unixPath: String) async throws -> Endpoint {
        let serverBootstrap = try framing == .grpc ? grpcBootstrap() : bootstrap()
        let channel = try await serverBootstrap.bind(unixDomainSocketPath: unixPath, cleanupExistingSocketFile: true).get()
        state.withLock { $0.channel = channel }
        return .unix(path: unixPath)
    }

    /// The server bootstrap of the stream framings: frames split and answered on each connection.
    private func bootstrap() -> ServerBootstrap {
        let codec = MessageCodec(
            framing: framing, thriftProtocol: responder.thriftProtocol, protobufPayload: responder.schema.isProtobuf)
        let server = self
        return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(codec: codec)),
                        MockConnectionHandler(server: server, codec: codec))
                }
            }
    }

    /// Starts on a ShmIPC socket path: every stream of every session carries request frames and gets reply frames.
    public func start(shmipcPath: String) async throws -> Endpoint {
        let codec = MessageCodec(
            framing: framing, thriftProtocol: responder.thriftProtocol, protobufPayload: responder.schema.isProtobuf)
        let listener = try ShmIPCListener(socketPath: shmipcPath)
        let server = self
        let task = Task {
            await withDiscardingTaskGroup { group in
                while let session = try? await listener.accept() {
                    group.addTask {
                        await withDiscardingTaskGroup { streams in
                            while let stream = try? await session.acceptStream() {
                                streams.addTask { await server.serve(stream, codec: codec) }
                            }
                        }
                        session.close()
                    }
                }
            }
        }
        state.withLock {
            $0.task = task
            $0.listener = listener
        }
        return .unix(path: shmipcPath)
    }

    private func serve(_ stream: ShmIPCStream, codec: MessageCodec) async {
        var buffer: [UInt8] = []
        while true {
            guard let chunk = try? await stream.read() else { break }
            buffer.append(contentsOf: chunk)
            while let length = try? codec.frameLength(in: buffer[...]), buffer.count >= length {
                let frame = Array(buffer[..<length])
                buffer.removeFirst(length)
                guard let request = try? codec.decode(frame) else {
                    try? stream.close()
                    return
                }
                switch await respond(to: request, codec: codec) {
                case .frame(let reply):
                    do { try await stream.writeMessage(reply) } catch { return }
                case .close:
                    try? stream.close()
                    return
                case .nothing:
                    break
                }
            }
        }
        try? stream.close()
    }

    private func startGRPC(host: String, port: Int) async throws -> Endpoint {
        let channel = try await grpcBootstrap()
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port).get()
        state.withLock { $0.channel = channel }
        return .tcp(host: host, port: channel.localAddress?.port ?? port)
    }

    /// The gRPC server: HTTP/2 with prior knowledge, every call answered by the connection's handler on its loop.
    private func grpcBootstrap() throws(CallError) -> ServerBootstrap {
        guard case .protobuf(_, let service) = responder.schema else {
            throw CallError(.invalidArgument, "gRPC needs a Protobuf service")
        }
        let answers = MockGRPCAnswers(responder: responder, service: service)
        let configuration = MockGRPCAnswers.handlerConfiguration
        let server = self
        return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                server.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOHTTP2Handler(
                        mode: .server, connectionConfiguration: configuration.connection,
                        streamConfiguration: configuration.stream))
                    try channel.pipeline.syncOperations.addHandler(
                        MockGRPCConnectionHandler(server: server, answers: answers))
                }
            }
    }

    /// Remembers a gRPC connection until it closes, so `stop()` can close it; one accepted after `stop()` took
    /// the list is closed at once.
    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let listening = state.withLock { state in
            guard state.channel != nil else { return false }
            state.connections[key] = channel
            return true
        }
        guard listening else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: key) }
        }
    }

    /// Stops listening and closes connections.
    public func stop() async {
        let taken = state.withLock { state in
            defer { state = Running() }
            return state
        }
        let (channel, task) = (taken.channel, taken.task)
        taken.listener?.close()
        try? await channel?.close()
        for connection in taken.connections.values { try? await connection.close() }
        task?.cancel()
        await task?.value
    }

    /// Waits until the server is stopped (for `portico mock`).
    public func wait() async {
        if let channel = state.withLock({ $0.channel }) {
            try? await channel.closeFuture.get()
        } else if let task = state.withLock({ $0.task }) {
            await task.value
        }
    }
}

/// What the mock does with one request.
enum MockReply {
    case frame([UInt8])
    case close
    case nothing
}

extension MockServer {
    /// The reply frame for one request, after the configured delay and failure injection.
    func respond(to request: WireEnvelope, codec: MessageCodec) async -> MockReply {
        var seen: [String: String] = [:]
        for (key, value) in request.intInfo { seen["int:\(key)"] = value }
        for header in request.stringInfo { seen[header.name] = header.value }
        record(seen)
        if behavior.delay > .zero { try? await Task.sleep(for: behavior.delay) }
        calls.add(1, ordering: .relaxed)
        guard request.type != .oneway else { return .nothing }
        var reply = WireEnvelope(method: request.method, type: .reply, sequenceID: request.sequenceID, payload: [])
        func exception(_ exception: TApplicationException) {
            reply.type = .exception
            reply.payload = codec.protobufPayload ? exception.errorProto() : exception.encoded(codec.thriftProtocol)
        }
        switch behavior.decide() {
        case .close:
            return .close
        case .exception:
            exception(TApplicationException(message: "injected failure", type: TApplicationException.internalError))
        case .answer:
            do {
                switch try responder.answer(method: request.method) {
                case .payload(let payloads): reply.payload = payloads.first ?? []
                case .applicationException(let value): exception(value)
                case .grpcStatus(_, let message):
                    exception(TApplicationException(message: message, type: TApplicationException.internalError))
                case .business(let status, let message, let payload):
                    reply.payload = payload
                    reply.stringInfo = [RPCHeader("biz-status", status), RPCHeader("biz-message", message)]
                case .echo:
                    reply.payload = request.payload
                }
            } catch {
                exception(TApplicationException(message: "\(error)", type: TApplicationException.internalError))
            }
        }
        // A reply our own encoder cannot frame cannot happen with the mock's headers; close rather than lie.
        guard let frame = try? codec.encode(reply) else { return .close }
        return .frame(frame)
    }
}

/// Answers each request frame on one connection; replies may leave out of order (TTHeader multiplexing).
final class MockConnectionHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Result<WireEnvelope, FramingError>
    typealias OutboundOut = ByteBuffer
    let server: MockServer
    let codec: MessageCodec

    init(server: MockServer, codec: MessageCodec) {
        self.server = server
        self.codec = codec
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .success(let request) = unwrapInboundIn(data) else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        let server = self.server
        let codec = self.codec
        Task {
            switch await server.respond(to: request, codec: codec) {
            case .frame(let frame): channel.writeAndFlush(channel.allocator.buffer(bytes: frame), promise: nil)
            case .close: channel.close(promise: nil)
            case .nothing: break
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
