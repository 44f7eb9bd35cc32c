import NIOCore
import NIOTLS

/// Sits between `NIOSSLClientHandler` and the HTTP/2 handler of a TLS connection and tells when it is usable:
/// after the handshake and the server's first bytes (its SETTINGS). Waiting for those catches a server that
/// refuses our client certificate: with TLS 1.3 the client's handshake ends before the server has checked it,
/// and the refusal arrives as an alert in place of the first frame.
///
/// It fails `ready` with the first error, when the connection closes first, or when `timeout` passes (a server
/// that accepts TCP and never answers TLS); after that it only passes everything on.
final class GRPCTLSHandshakeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The handshake did not end within the time allowed.
    struct Timeout: Error {}
    /// The connection closed before the server said anything over TLS.
    struct ClosedEarly: Error {}

    private var ready: EventLoopPromise<Void>?
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var handshakeCompleted = false

    init(ready: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.ready = ready
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = bound.value
            handler.complete(.failure(Timeout()))
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            handshakeCompleted = true
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if handshakeCompleted { complete(.success(())) }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ClosedEarly()))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(.failure(ClosedEarly()))
    }

    private func complete(_ result: Result<Void, any Error>) {
        guard let ready else { return }
        self.ready = nil
        timer?.cancel()
        timer = nil
        ready.completeWith(result)
    }
}
