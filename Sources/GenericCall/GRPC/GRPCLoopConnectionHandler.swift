import NIOCore
import NIOHTTP2

/// The last handler of a ``GRPCLoopConnection``'s pipeline, after `NIOHTTP2Handler` (which answers PINGs,
/// acknowledges SETTINGS and keeps flow control): hands every frame and HTTP/2 event to the connection.
final class GRPCLoopConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let connection: GRPCLoopConnection

    init(connection: GRPCLoopConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        // The connection window starts at 65,535 bytes whatever SETTINGS say: open it to its size at once.
        let increment = connection.configuration.connectionWindowSize - 65_535
        if increment > 0 {
            context.writeAndFlush(
                wrapOutboundOut(
                    HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))),
                promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if connection.needsFlush {
            connection.needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let event as NIOHTTP2WindowUpdatedEvent: connection.windowUpdated(event)
        case let event as NIOHTTP2StreamCreatedEvent: connection.streamCreated(event.streamID)
        case let event as StreamClosedEvent: connection.streamClosed(event)
        default: context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.caught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !connection.isClosed { connection.closed() }
    }
}
