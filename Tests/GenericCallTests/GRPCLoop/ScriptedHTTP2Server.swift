import GenericCall
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// An HTTP/2 server that answers each request path with a scripted sequence of frames, including what no
/// well-behaved gRPC server sends: HTTP errors, missing content-type, compressed flags, oversized prefixes,
/// resets before and after trailers, GOAWAY with streams in flight, SETTINGS changes.
final class ScriptedHTTP2Server: Sendable {
    let channel: any Channel
    var endpoint: Endpoint { .tcp(host: "127.0.0.1", port: channel.localAddress?.port ?? 0) }

    init(maxConcurrentStreams: Int = 100) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var connection = NIOHTTP2Handler.ConnectionConfiguration()
                    connection.initialSettings = [
                        HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams)
                    ]
                    try channel.pipeline.syncOperations.addHandler(
                        NIOHTTP2Handler(
                            mode: .server, connectionConfiguration: connection, streamConfiguration: .init()))
                    try channel.pipeline.syncOperations.addHandler(ScriptedHTTP2Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Answers as soon as a request's HEADERS arrive (before its END_STREAM, as grpc-go's early replies do).
final class ScriptedHTTP2Handler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    static let grpcHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
    static let okTrailers: HPACKHeaders = ["grpc-status": "0"]
    var held: [HTTP2StreamID] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard case .headers(let headers) = frame.payload, let path = headers.headers.first(name: ":path") else {
            return
        }
        let id = frame.streamID
        func send(_ payload: HTTP2Frame.FramePayload, on stream: HTTP2StreamID = id) {
            context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: payload)), promise: nil)
        }
        func body(_ bytes: [UInt8], end: Bool = false) -> HTTP2Frame.FramePayload {
            .data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)), endStream: end))
        }
        func head(_ fields: HPACKHeaders, end: Bool = false) -> HTTP2Frame.FramePayload {
            .headers(.init(headers: fields, endStream: end))
        }
        func message(_ bytes: [UInt8], compressed: Bool = false) -> [UInt8] {
            let length = UInt32(bytes.count)
            return [
                compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
                UInt8(length & 0xFF),
            ] + bytes
        }
        func success(_ bytes: [UInt8], on stream: HTTP2StreamID = id) {
            send(head(Self.grpcHeaders), on: stream)
            send(body(message(bytes)), on: stream)
            send(head(Self.okTrailers, end: true), on: stream)
        }
        switch path {
        case "/t/http404":
            send(head([":status": "404"], end: true))
        case "/t/http503":
            send(head([":status": "503", "content-type": "text/plain"]))
            send(body(Array("busy".utf8), end: true))
        case "/t/no-content-type":
            send(head([":status": "200"]))
            send(body(message([1])))
            send(head(Self.okTrailers, end: true))
        case "/t/compressed":
            send(head(Self.grpcHeaders))
            send(body(message([9, 9], compressed: true)))
            send(head(Self.okTrailers, end: true))
        case "/t/big":
            send(head(Self.grpcHeaders))
            send(body([0, 0x01, 0x10, 0, 0, 1, 2, 3]))
        case "/t/medium":
            success(Array(repeating: 5, count: 2_000))
        case "/t/split":
            send(head(Self.grpcHeaders))
            send(body([0, 0, 0, 0, 5, 1, 2]))
            send(body([3, 4]))
            send(body([5, 0, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0]))
            send(head(["grpc-status": "0", "x-trailer": "t"], end: true))
        case "/t/rst-after-trailers":
            success([42])
            context.flush()  // swift-nio-http2 drops a stream's unflushed DATA when it resets the stream
            send(.rstStream(.noError))
        case "/t/rst-before-trailers":
            send(head(Self.grpcHeaders))
            send(.rstStream(.noError))
        case "/t/refused":
            send(.rstStream(.refusedStream))
        case "/t/status":
            send(
                head(
                    [
                        ":status": "200", "content-type": "application/grpc", "grpc-status": "5",
                        "grpc-message": "caf%C3%A9 100%25 sure", "grpc-status-details-bin": "CAUSBGdvbmU",
                    ], end: true))
        case "/t/settings":
            send(.settings(.settings([HTTP2Setting(parameter: .maxConcurrentStreams, value: 3)])), on: .rootStream)
            success([3])
        case "/t/hold":
            held.append(id)
        case "/t/goaway":
            // Streams after the first two held ones were never processed: the client may retry them anywhere.
            let last = held.count >= 2 ? held[1] : .rootStream
            send(.goAway(lastStreamID: last, errorCode: .noError, opaqueData: nil), on: .rootStream)
            for stream in held where stream <= last { success([UInt8(Int(stream))], on: stream) }
        default:
            send(head([":status": "200", "content-type": "application/grpc", "grpc-status": "12"], end: true))
        }
        context.flush()
    }

    /// Keeps the connection window open (request bytes are never read, only counted by the HTTP/2 layer).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? NIOHTTP2WindowUpdatedEvent, event.streamID == .rootStream,
            let inbound = event.inboundWindowSize, inbound < 32_768
        else { return }
        context.writeAndFlush(
            wrapOutboundOut(
                HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: 65_535 - inbound))),
            promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
