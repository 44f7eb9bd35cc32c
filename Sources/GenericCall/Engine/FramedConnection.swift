import NIOCore
import NIOPosix

/// A TCP or Unix-socket connection to one endpoint, owned by one event loop: frames go out and replies come back
/// on that loop, matched to their calls by sequence id in a plain dictionary (no lock: only the loop touches it).
///
/// Buffered, framed and Kitex protobuf connections carry one call at a time (the servers answer in order, one
/// per connection); TTHeader connections carry many, multiplexed by sequence id.
final class FramedConnection: @unchecked Sendable {
    typealias ReplyHandler = (Result<WireEnvelope, CallError>) -> Void

    let channel: any Channel
    let endpoint: Endpoint
    private var pending: [Int32: ReplyHandler] = [:]
    private(set) var isClosed = false
    /// Leased by a call (connections without multiplexing).
    var isLeased = false

    private init(channel: any Channel, endpoint: Endpoint) {
        self.channel = channel
        self.endpoint = endpoint
    }

    var eventLoop: any EventLoop { channel.eventLoop }
    var isUsable: Bool { !isClosed && channel.isActive }
    var pendingCount: Int { pending.count }

    /// Opens a connection on `eventLoop`; `completion` runs there with the connection or CONNECT_TIMEOUT /
    /// UNAVAILABLE (the request never left).
    static func connect(
        to endpoint: Endpoint, codec: MessageCodec, on eventLoop: any EventLoop, timeout: Duration,
        completion: @escaping (Result<FramedConnection, CallError>) -> Void
    ) {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(max(1, timeout.nanoseconds)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameSplitter(codec: codec)))
                }
            }
        let future: EventLoopFuture<any Channel>
        switch endpoint {
        case .tcp(let host, let port): future = bootstrap.connect(host: host, port: port)
        case .unix(let path): future = bootstrap.connect(unixDomainSocketPath: path)
        }
        let callback = UncheckedBox(completion)
        future.whenComplete { result in
            switch result {
            case .success(let channel):
                let connection = FramedConnection(channel: channel, endpoint: endpoint)
                do {
                    try channel.pipeline.syncOperations.addHandler(
                        ReplyDispatchHandler(connection: connection, codec: codec))
                } catch {
                    channel.close(promise: nil)
                    callback.value(.failure(CallError(.unavailable, "cannot set up \(endpoint): \(error)")))
                    return
                }
                callback.value(.success(connection))
            case .failure(let error) where TCPTransport.isConnectTimeout(error):
                callback.value(
                    .failure(
                        CallError(
                            .connectTimeout, "no connection to \(endpoint) within \(timeout)",
                            details: ["endpoint": "\(endpoint)"])))
            case .failure(let error):
                callback.value(
                    .failure(
                        CallError(
                            .unavailable, "cannot connect to \(endpoint): \(TCPTransport.describe(error))",
                            details: ["endpoint": "\(endpoint)"])))
            }
        }
    }

    /// Writes `frame`; the reply with `sequenceID` goes to `reply`. A oneway frame (`reply` nil) is flushed and
    /// forgotten: a failed write then shows as the connection closing.
    func send(_ frame: ByteBuffer, sequenceID: Int32, reply: ReplyHandler?) {
        eventLoop.preconditionInEventLoop()
        guard !isClosed else {
            reply?(.failure(CallError(.backendClosed, "the connection to \(endpoint) was closed")))
            return
        }
        if let reply { pending[sequenceID] = reply }
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Drops the call waiting for `sequenceID` (timed out, cancelled): a late reply is discarded.
    func forget(_ sequenceID: Int32) {
        pending[sequenceID] = nil
    }

    func deliver(_ envelope: WireEnvelope) {
        guard let handler = pending.removeValue(forKey: envelope.sequenceID) else { return }
        handler(.success(envelope))
    }

    /// Fails every waiting call with `error` and closes the channel.
    func fail(_ error: CallError) {
        guard !isClosed else { return }
        isClosed = true
        let waiting = pending
        pending = [:]
        channel.close(promise: nil)
        for handler in waiting.values { handler(.failure(error)) }
    }

    func close() {
        fail(CallError(.backendClosed, "the connection was closed"))
    }
}

/// Splits the incoming byte stream into whole frames (slices of the read buffer, no copy).
struct FrameSplitter: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let codec: MessageCodec

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let length: Int?
        if codec.framing == .buffered {
            length = try codec.frameLength(in: Array(buffer.readableBytesView)[...])
        } else {
            guard let prefix = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
            guard Int(prefix) <= codec.maxFrameSize else {
                throw FramingError(
                    "frame of \(prefix) bytes exceeds the limit of \(codec.maxFrameSize)", offset: 0)
            }
            length = 4 + Int(prefix)
        }
        guard let length, let frame = buffer.readSlice(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

/// Decodes reply frames and hands them to the connection; fails the connection's calls when it ends.
final class ReplyDispatchHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let connection: FramedConnection
    let codec: MessageCodec

    init(connection: FramedConnection, codec: MessageCodec) {
        self.connection = connection
        self.codec = codec
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        do {
            connection.deliver(try codec.decode(frame))
        } catch {
            // A stream we cannot parse cannot be resynchronised: fail everything on it.
            connection.fail(
                CallError(
                    .badBackendReply, "malformed reply frame: \(error.message)",
                    details: ["offset": String(error.offset)]))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.fail(CallError(.backendClosed, "the backend closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? FramingError {
            connection.fail(
                CallError(
                    .badBackendReply, "malformed reply frame: \(error.message)",
                    details: ["offset": String(error.offset)]))
        } else {
            connection.fail(CallError(.backendClosed, "connection error: \(error)"))
        }
    }
}

/// Carries a non-Sendable value into a callback that runs on the event loop it was created for.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
