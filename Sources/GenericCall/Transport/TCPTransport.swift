public import NIOCore
public import NIOPosix

/// TCP connections with SwiftNIO: one event loop group for the process, frames split on the event loop.
public struct TCPTransport: RPCTransport {
    let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    public func connect(to endpoint: Endpoint, codec: MessageCodec, timeout: Duration) async throws(CallError)
        -> any RPCConnection
    {
        let pending = PendingReplies()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(max(1, timeout.nanoseconds))))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(codec: codec)),
                        ReplyDispatcher(pending: pending))
                }
            }
        do {
            let channel: any Channel
            switch endpoint {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
            case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
            return TCPConnection(channel: channel, pending: pending)
        } catch where Self.isConnectTimeout(error) {
            throw CallError(
                .connectTimeout, "no connection to \(endpoint) within \(timeout)", details: ["endpoint": "\(endpoint)"])
        } catch {
            throw CallError(
                .unavailable, "cannot connect to \(endpoint): \(Self.describe(error))",
                details: ["endpoint": "\(endpoint)"])
        }
    }

    static func isConnectTimeout(_ error: any Error) -> Bool {
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { isConnectTimeout($0.error) }
        }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
        }
        return "\(error)"
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A TCP connection: writes frames, matches reply frames to waiting calls by sequence id.
final class TCPConnection: RPCConnection {
    let channel: any Channel
    let pending: PendingReplies

    init(channel: any Channel, pending: PendingReplies) {
        self.channel = channel
        self.pending = pending
    }

    var isUsable: Bool { channel.isActive && !pending.isClosed }

    var pendingCount: Int { pending.count }

    func roundTrip(_ frame: [UInt8], sequenceID: Int32) async throws(CallError) -> WireEnvelope {
        let pending = self.pending
        let channel = self.channel
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    guard pending.register(sequenceID, continuation) else { return }
                    if Task.isCancelled {
                        pending.fail(sequenceID, CancellationError())
                        return
                    }
                    channel.writeAndFlush(channel.allocator.buffer(bytes: frame)).whenFailure { error in
                        pending.fail(
                            sequenceID, CallError(.backendClosed, "write failed: \(error)"))
                    }
                }
            } onCancel: {
                pending.fail(sequenceID, CancellationError())
            }
        } catch let error as CallError {
            throw error
        } catch {
            throw CallError(.cancelledByCaller, "the call was cancelled")
        }
    }

    func send(_ frame: [UInt8]) async throws(CallError) {
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: frame)).get()
        } catch {
            throw CallError(.backendClosed, "write failed: \(error)")
        }
    }

    func close() {
        pending.close(CallError(.backendClosed, "the connection was closed"))
        channel.close(promise: nil)
    }
}

/// Splits the incoming byte stream into whole frames and decodes their envelopes.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Result<WireEnvelope, FramingError>
    let codec: MessageCodec

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let length: Int?
        do {
            if codec.framing == .buffered {
                length = try codec.frameLength(in: Array(view)[...])
            } else {
                guard view.count >= 4 else { return .needMoreData }
                length = try codec.frameLength(in: Array(view.prefix(4))[...])
            }
        } catch {
            context.fireChannelRead(wrapInboundOut(.failure(error)))
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        guard let length, buffer.readableBytes >= length, let frame = buffer.readBytes(length: length) else {
            return .needMoreData
        }
        do {
            context.fireChannelRead(wrapInboundOut(.success(try codec.decode(frame))))
        } catch {
            context.fireChannelRead(wrapInboundOut(.failure(error)))
        }
        return .continue
    }
}

/// Hands decoded replies to the calls waiting for them; fails them all when the connection ends.
final class ReplyDispatcher: ChannelInboundHandler {
    typealias InboundIn = Result<WireEnvelope, FramingError>
    let pending: PendingReplies

    init(pending: PendingReplies) {
        self.pending = pending
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .success(let envelope):
            pending.deliver(envelope)
        case .failure(let error):
            // A stream we cannot parse cannot be resynchronised: fail everything on it and close.
            pending.close(CallError(.badBackendReply, "malformed reply frame: \(error.message)",
                                    details: ["offset": String(error.offset)]))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending.close(CallError(.backendClosed, "the backend closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending.close(CallError(.backendClosed, "connection error: \(error)"))
        context.close(promise: nil)
    }
}
