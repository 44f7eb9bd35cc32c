import NIOCore
import NIOWebSocket

/// One side of a proxied WebSocket session: data frames read on this side are written on the other, pings are
/// answered per hop, and Close frames travel through so each end sees the other's code. Both sides run on the
/// client connection's event loop (the backend is dialled on it), so the two handlers call each other directly.
final class WebSocketProxyRelay: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum Side {
        /// The browser's connection: the gateway is the server and sends unmasked frames.
        case client
        /// The backend's connection: the gateway is the client and masks every frame it sends.
        case backend
    }

    let side: Side
    private var context: ChannelHandlerContext?
    private var peer: WebSocketProxyRelay?
    /// Frames the backend sent before the client's side was linked.
    private var pending: [WebSocketFrame] = []
    private var closeReceived = false
    private var closeSent = false
    private var closeTimer: Scheduled<Void>?
    /// The connection is closed (before the other side was linked, for the backend).
    private var gone = false
    /// Linked to the other side once (stays true after either side is gone).
    private(set) var linked = false
    /// Called once when this side's connection is gone (the client side counts the session's end).
    var onClosed: (() -> Void)?

    init(side: Side) {
        self.side = side
    }

    /// Links the client's side to the backend's; the backend starts reading and what it sent meanwhile is relayed.
    static func link(client: WebSocketProxyRelay, backend: WebSocketProxyRelay) {
        client.peer = backend
        backend.peer = client
        client.linked = true
        backend.linked = true
        let pending = backend.pending
        backend.pending = []
        for frame in pending { backend.relay(frame) }
        if backend.gone, !backend.closeReceived {
            var payload = ByteBuffer()
            payload.write(webSocketErrorCode: .unknown(1014))
            backend.closeReceived = true
            client.sendClose(payload)
        }
        client.flush()
        if let context = backend.context {
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            context.read()
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            guard !closeSent else { return }
            send(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
            context.flush()
        case .pong:
            break
        default:
            if peer == nil, side == .backend { pending.append(frame) } else { relay(frame) }
        }
    }

    /// A data or Close frame read on this side, passed to the other.
    private func relay(_ frame: WebSocketFrame) {
        guard !closeReceived else { return }
        if frame.opcode == .connectionClose {
            closeReceived = true
            let payload = Self.relayedClose(frame.unmaskedData)
            if let peer { peer.sendClose(payload) } else { sendClose(payload) }
            finishIfDone()
        } else {
            peer?.forward(frame)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer?.flush()
        context.fireChannelReadComplete()
    }

    /// The other side's frame, written here (masked toward the backend).
    private func forward(_ frame: WebSocketFrame) {
        guard !closeSent else { return }
        send(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData))
        if let context, !context.channel.isWritable { peer?.setReading(false) }
    }

    private func send(_ frame: WebSocketFrame) {
        guard let context else { return }
        var frame = frame
        if side == .backend { frame.maskKey = .random() }
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    private func flush() {
        context?.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { peer?.setReading(true) }
        context.fireChannelWritabilityChanged()
    }

    private func setReading(_ on: Bool) {
        guard let context else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: on).whenComplete { _ in }
        if on { context.read() }
    }

    /// Sends a Close (the other side's code and reason) and gives this side 5 s to answer before closing.
    private func sendClose(_ payload: ByteBuffer) {
        guard !closeSent, let context else { return }
        closeSent = true
        send(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
        context.flush()
        let channel = context.channel
        closeTimer = context.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        finishIfDone()
    }

    /// Both Close frames crossed: this connection is done.
    private func finishIfDone() {
        guard closeReceived, closeSent, let context else { return }
        closeTimer?.cancel()
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeTimer?.cancel()
        gone = true
        if !closeReceived, let peer {
            // The connection ended without a Close: the other end hears "going away" from a vanished client and
            // "bad gateway" (1014) from a vanished backend; the reserved 1006 never goes on the wire.
            closeReceived = true
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: side == .client ? .goingAway : .unknown(1014))
            peer.sendClose(payload)
        }
        peer?.peerGone()
        peer = nil
        onClosed?()
        onClosed = nil
        context.fireChannelInactive()
    }

    /// The other connection is closed: nothing more will be relayed to it.
    private func peerGone() {
        peer = nil
        if closeSent, closeReceived { context?.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A frame the codec refused (too large, malformed). Toward the client NIO's protocol error handler has
        // answered; the backend's faults reach the client as 1014.
        if side == .backend, !closeReceived, let peer {
            closeReceived = true
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: .unknown(1014))
            peer.sendClose(payload)
        }
        context.close(promise: nil)
    }

    /// A Close payload as relayed: codes that must not be sent (reserved, or below 1000) become 1002.
    static func relayedClose(_ payload: ByteBuffer) -> ByteBuffer {
        var reading = payload
        guard let code = reading.readInteger(as: UInt16.self) else { return ByteBuffer() }
        if code < 1000 || code == 1005 || code == 1006 || code == 1015 {
            var replaced = ByteBuffer()
            replaced.writeInteger(UInt16(1002))
            replaced.writeBuffer(&reading)
            return replaced
        }
        return payload
    }
}
