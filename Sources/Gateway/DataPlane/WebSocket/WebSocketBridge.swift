import DynamicCodec
import GenericCall
import HTTPMapping
import NIOCore
import NIOWebSocket

/// A WebSocket session bridged to a streaming gRPC call, on the connection's event loop.
///
/// Request messages arrive one per frame (JSON text frames, or binary Protobuf frames in `portico.proto` mode);
/// an empty text frame half-closes the request side. Replies go out one per frame (`{"result": ...}` text frames,
/// or binary frames). The end is a status text frame (`{"status": ...}`) and a Close frame whose code follows the
/// status (``WebSocketStatus``). Backpressure both ways: while the backend cannot take more bytes the socket is
/// not read; while the client's socket cannot take more, the backend stream's flow-control window is not
/// refilled. A ping goes to the client after every `streams.websocket_ping` without a frame from it; a second
/// silent period closes the connection. Confined to the channel's event loop.
final class WebSocketBridge: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State {
        case open
        /// Our Close frame is written; waiting for the client's, or the timer, to close the connection.
        case closing
        case closed
    }

    private let gateway: GatewayHandler
    private var session: WebSocketSession
    /// The route's concurrency slot, held until the session ends.
    private var slot: RouteSlot?
    private var backend: BackendStreamHandle?
    private var context: ChannelHandlerContext?
    private var state = State.open
    private var messages = 0
    private var halfClosed = false
    private var repliesPaused = false
    private var readsPaused = false
    private var pinger: RepeatedTask?
    private var heardFromClient = true
    private var pingCount: UInt64 = 0
    private var closeTimer: Scheduled<Void>?
    private var outcome: WebSocketStatus?

    init(gateway: GatewayHandler, session: WebSocketSession) {
        self.gateway = gateway
        self.session = session
        slot = session.prepared.routed.slot
    }

    private var label: String { session.prepared.routed.label }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if backend == nil, state == .open { start(context) }
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard backend == nil else { return }
        gateway.metrics.webSocketSessions(1)
        backend = gateway.invoker.startStream(
            session.prepared.call, on: context.eventLoop, onMessage: { [self] in reply($0) },
            onFinish: { [self] in backendFinished($0) })
        let interval = TimeAmount.nanoseconds(max(1_000_000, gateway.streamSettings.webSocketPing.nanosecondsClamped))
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            pingTick()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state == .open {
            gateway.metrics.cancelledByCaller(route: label)
            ended(WebSocketStatus(GatewayError(CallError(.cancelledByCaller, "the client went away"))))
        }
        state = .closed
        stopTimers()
        backend?.cancel()
        backend = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame aggregator's refusals: a message over the limit, or fragments out of order.
        if let error = error as? NIOWebSocketFrameAggregator.Error {
            switch error {
            case .accumulatedFrameSizeIsTooLarge, .tooManyFragments:
                let limit = gateway.streamSettings.maxWebSocketMessage
                fail(
                    GatewayError(
                        code: "PAYLOAD_TOO_LARGE", status: 413, "a message is larger than \(limit) bytes",
                        details: ["limit": String(limit)]),
                    closeCode: .messageTooLarge)
            default:
                fail(.invalidArgument("the frames break the WebSocket protocol: \(error)"), closeCode: .protocolError)
            }
            return
        }
        context.close(promise: nil)
    }

    // MARK: From the client

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        heardFromClient = true
        guard state == .open else {
            // The close handshake: the client's answer to ours ends the connection; anything else is dropped.
            if frame.opcode == .connectionClose, state == .closing { context.close(promise: nil) }
            return
        }
        switch frame.opcode {
        case .text:
            let payload = frame.unmaskedData
            if payload.readableBytes == 0 {
                halfClose()
            } else if !Self.isUTF8(payload) {
                fail(.invalidArgument("a text frame is not valid UTF-8"), closeCode: .dataInconsistentWithMessage)
            } else if session.mode == .binary {
                fail(
                    .invalidArgument("in portico.proto mode request messages go in binary frames"),
                    closeCode: .unacceptableData)
            } else {
                request(payload)
            }
        case .binary:
            guard session.mode == .binary else {
                fail(
                    .invalidArgument("request messages go in text frames (binary frames need the portico.proto subprotocol)"),
                    closeCode: .unacceptableData)
                return
            }
            request(frame.unmaskedData)
        case .ping:
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            clientClosed(frame)
        default:
            break  // pongs (heard above); continuations never pass the aggregator
        }
    }

    private func request(_ payload: ByteBuffer) {
        guard !halfClosed else {
            fail(.failedPrecondition("a request message arrived after the half-close"), closeCode: .policyViolation)
            return
        }
        guard !(session.singleRequest && messages > 0) else {
            fail(
                .invalidArgument("\(label) is server-streaming: it takes one request message"),
                closeCode: .policyViolation)
            return
        }
        messages += 1
        let message: [UInt8]
        switch session.mode {
        case .binary:
            message = Array(payload.readableBytesView)
        case .json:
            var parts = session.prepared.parts
            parts.body = Array(payload.readableBytesView)
            do {
                message = try session.prepared.routed.match.streamMessage(parts, options: session.prepared.routed.options)
            } catch {
                let base = GatewayHandler.gatewayError(error)
                fail(
                    GatewayError(
                        code: base.code, status: base.status, "request message \(messages): \(base.message)",
                        details: ["message": String(messages)]))
                return
            }
        }
        backend?.send(message)
        if session.singleRequest { finishSending() }
        pauseReadsWhileBackendIsFull()
    }

    private func halfClose() {
        guard !halfClosed else { return }
        if session.singleRequest, messages == 0 {
            // No message: the one a server-streaming method takes comes from the path and query alone.
            request(ByteBuffer())
            return
        }
        finishSending()
    }

    private func finishSending() {
        halfClosed = true
        backend?.finishSending()
    }

    /// The client's Close: the call is cancelled if it still runs, and the Close echoed.
    private func clientClosed(_ frame: WebSocketFrame) {
        guard let context else { return }
        var data = frame.unmaskedData
        let code = data.readWebSocketErrorCode()
        if backend != nil {
            gateway.metrics.cancelledByCaller(route: label)
            ended(WebSocketStatus(GatewayError(CallError(.cancelledByCaller, "the client closed the session"))))
        }
        state = .closing
        stopTimers()
        backend?.cancel()
        backend = nil
        var reply = context.channel.allocator.buffer(capacity: 2)
        let echoed: WebSocketErrorCode =
            switch code {
            case .some(.unknown(let value)) where value < 1000 || value == 1005 || value == 1006 || value == 1015:
                .protocolError
            case .some(let value): value
            case nil: .normalClosure
            }
        reply.write(webSocketErrorCode: echoed)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: From the backend

    private func reply(_ message: [UInt8]) {
        guard state == .open, let context else { return }
        let frame: WebSocketFrame
        switch session.mode {
        case .binary:
            frame = WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(bytes: message))
        case .json:
            let json: [UInt8]
            do throws(CodecError) {
                json = try session.prepared.routed.match.response(message, options: session.prepared.routed.options)
                    .body
            } catch {
                gateway.metrics.backendError(code: "BAD_BACKEND_REPLY", service: session.prepared.call.service.name)
                fail(GatewayError(error, reply: true))
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: json.count + 11)
            buffer.writeString("{\"result\":")
            buffer.writeBytes(json)
            buffer.writeInteger(UInt8(ascii: "}"))
            frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        if !context.channel.isWritable, !repliesPaused {
            repliesPaused = true
            backend?.pauseReplies()
        }
    }

    private func backendFinished(_ result: Result<Void, CallError>) {
        backend = nil
        guard state == .open else { return }
        switch result {
        case .success:
            end(.ok)
        case .failure(let error):
            let logger = gateway.requestLogger(
                requestID: session.prepared.call.requestID, route: label, trace: session.prepared.traceIDs)
            gateway.record(error, call: session.prepared.call, logger: logger)
            end(WebSocketStatus(error))
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, repliesPaused {
            repliesPaused = false
            backend?.resumeReplies()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Backpressure toward the backend

    /// Stops reading the client while the backend connection cannot take more; checks again shortly.
    private func pauseReadsWhileBackendIsFull() {
        guard let context, let backend, !backend.isWritable, !readsPaused else { return }
        readsPaused = true
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        context.eventLoop.scheduleTask(in: .milliseconds(2)) { [self] in resumeReadsWhenBackendDrains() }
    }

    private func resumeReadsWhenBackendDrains() {
        guard readsPaused, let context else { return }
        if let backend, state == .open, !backend.isWritable {
            context.eventLoop.scheduleTask(in: .milliseconds(2)) { [self] in resumeReadsWhenBackendDrains() }
            return
        }
        readsPaused = false
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        context.read()
    }

    // MARK: Ending

    /// A failure on our side or the client's: the call is cancelled and the session ended with `error`.
    private func fail(_ error: GatewayError, closeCode: WebSocketErrorCode? = nil) {
        guard state == .open else { return }
        end(WebSocketStatus(error, closeCode: closeCode))
        backend?.cancel()
        backend = nil
    }

    /// Writes the status frame and the Close frame, then waits up to 5 s for the client's Close.
    private func end(_ status: WebSocketStatus) {
        guard state == .open, let context else { return }
        state = .closing
        ended(status)
        stopTimers()
        let allocator = context.channel.allocator
        context.write(
            wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: allocator.buffer(string: status.frameText))),
            promise: nil)
        var close = allocator.buffer(capacity: 2 + status.reason.utf8.count)
        close.write(webSocketErrorCode: status.closeCode)
        close.writeString(status.reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: close)), promise: nil)
        let channel = context.channel
        closeTimer = context.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
    }

    /// Counts and logs the session's end once, and lets go of its concurrency slot.
    private func ended(_ status: WebSocketStatus) {
        guard outcome == nil else { return }
        outcome = status
        let httpStatus = status.httpStatus
        let duration = ContinuousClock.now - session.start
        gateway.metrics.request(route: label, status: httpStatus, duration: duration)
        gateway.metrics.webSocketSessions(-1)
        session.trace?.finish(status: httpStatus, code: status.code == "OK" ? nil : status.code)
        if gateway.accessLog {
            gateway.logAccess(
                requestID: session.prepared.call.requestID, route: label, status: httpStatus,
                code: status.code == "OK" ? nil : status.code, duration: duration, trace: session.trace?.ids)
        }
        slot = nil
    }

    private func stopTimers() {
        pinger?.cancel()
        pinger = nil
        if state == .closed {
            closeTimer?.cancel()
            closeTimer = nil
        }
    }

    // MARK: Liveness

    private func pingTick() {
        guard state == .open, let context else { return }
        guard heardFromClient else {
            // Two periods without a frame, the ping unanswered: the client is gone.
            gateway.metrics.cancelledByCaller(route: label)
            ended(WebSocketStatus(GatewayError(CallError(.cancelledByCaller, "the client stopped answering pings"))))
            state = .closed
            backend?.cancel()
            backend = nil
            context.close(promise: nil)
            return
        }
        heardFromClient = false
        pingCount += 1
        var data = context.channel.allocator.buffer(capacity: 8)
        data.writeInteger(pingCount)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: data)), promise: nil)
    }

    static func isUTF8(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { String(validating: $0, as: UTF8.self) != nil }
    }
}
