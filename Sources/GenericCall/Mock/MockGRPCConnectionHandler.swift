import NIOCore
import NIOHPACK
import NIOHTTP2

/// Serves the gRPC mock on one HTTP/2 connection: frames in, frames out, on the connection's event loop, with no
/// task, stream channel or copy of the reply per call.
final class MockGRPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// A call whose request is still arriving or whose reply waits for the configured delay.
    struct Call {
        var method: String?
        var timeout: Duration?
        var requestBytes = 0
        /// Reply scheduled: the request has ended.
        var answering = false
    }

    let server: MockServer
    let answers: MockGRPCAnswers
    var calls: [Int32: Call] = [:]
    var needsFlush = false

    init(server: MockServer, answers: MockGRPCAnswers) {
        self.server = server
        self.answers = answers
    }

    func channelActive(context: ChannelHandlerContext) {
        let increment = MockGRPCAnswers.connectionWindowSize - 65_535
        context.writeAndFlush(
            wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))),
            promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let id = Int32(frame.streamID)
        switch frame.payload {
        case .headers(let headers):
            if calls[id] == nil { calls[id] = started(headers.headers) }
            if headers.endStream { requestEnded(id, context: context) }
        case .data(let data):
            guard calls[id] != nil else { return }
            calls[id]!.requestBytes += data.data.readableBytes
            if calls[id]!.requestBytes > MockGRPCAnswers.maximumRequestLength {
                answer(id, .status(.resourceExhausted, "the request is over 16 MiB"), context: context)
                context.write(
                    wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .rstStream(.noError))), promise: nil)
            } else if data.endStream {
                requestEnded(id, context: context)
            }
        case .rstStream:
            calls[id] = nil
        default:
            break
        }
    }

    /// A new call: records its metadata (what the backend saw, for tests) and remembers its method and deadline.
    private func started(_ headers: HPACKHeaders) -> Call {
        var call = Call()
        call.method = headers.first(name: ":path").flatMap(answers.method(path:))
        call.timeout = headers.first(name: "grpc-timeout").flatMap(DurationText.parseGRPCTimeout)
        if call.method != nil {
            var seen: [String: String] = [:]
            for (name, value, _) in headers where !name.hasPrefix(":") && name != "content-type" && name != "te" {
                seen[name] = value
            }
            server.record(seen)
        }
        return call
    }

    /// The whole request is in: answer now, or after the configured delay (DEADLINE_EXCEEDED first if the
    /// caller's deadline is shorter).
    private func requestEnded(_ id: Int32, context: ChannelHandlerContext) {
        guard let call = calls[id], !call.answering else { return }
        guard let method = call.method else {
            answer(id, .status(.unimplemented, "unknown method"), context: context)
            return
        }
        calls[id]!.answering = true
        let delay = server.behavior.delay
        guard delay > .zero else {
            reply(id, method: method, context: context)
            return
        }
        if let timeout = call.timeout, timeout < delay {
            _ = context.eventLoop.assumeIsolated().scheduleTask(in: GRPCTime.amount(timeout)) {
                self.answer(id, .status(.deadlineExceeded, "the deadline passed"), context: context)
                self.flushIfNeeded(context: context)
            }
            return
        }
        _ = context.eventLoop.assumeIsolated().scheduleTask(in: GRPCTime.amount(delay)) {
            self.reply(id, method: method, context: context)
            self.flushIfNeeded(context: context)
        }
    }

    /// Counts the call and answers it with the configured reply, or an injected failure.
    private func reply(_ id: Int32, method: String, context: ChannelHandlerContext) {
        guard calls[id] != nil else { return }
        server.calls.add(1, ordering: .relaxed)
        if server.behavior.decide() != .answer {
            answer(id, .status(.unavailable, "injected failure"), context: context)
        } else {
            answer(id, answers.byMethod[method] ?? .status(.unimplemented, "unknown method"), context: context)
        }
    }

    private func answer(_ id: Int32, _ answer: MockGRPCAnswers.Answer, context: ChannelHandlerContext) {
        guard calls.removeValue(forKey: id) != nil else { return }
        let streamID = HTTP2StreamID(id)
        switch answer {
        case .messages(let messages):
            context.write(
                wrapOutboundOut(
                    HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: MockGRPCAnswers.responseHeaders)))),
                promise: nil)
            if messages.readableBytes > 0 {
                context.write(
                    wrapOutboundOut(HTTP2Frame(streamID: streamID, payload: .data(.init(data: .byteBuffer(messages))))),
                    promise: nil)
            }
            context.write(
                wrapOutboundOut(
                    HTTP2Frame(
                        streamID: streamID,
                        payload: .headers(.init(headers: MockGRPCAnswers.okTrailers, endStream: true)))),
                promise: nil)
        case .status(let status, let message):
            let headers = MockGRPCAnswers.trailersOnly(status, message)
            context.write(
                wrapOutboundOut(
                    HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: headers, endStream: true)))),
                promise: nil)
        }
        needsFlush = true
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? NIOHTTP2WindowUpdatedEvent, let inbound = event.inboundWindowSize else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let target: Int
        if event.streamID == .rootStream {
            target = MockGRPCAnswers.connectionWindowSize
        } else {
            guard let call = calls[Int32(event.streamID)], !call.answering else { return }
            target = MockGRPCAnswers.streamWindowSize
        }
        guard let increment = HTTP2WindowRefill.increment(inbound: inbound, target: target) else { return }
        context.write(
            wrapOutboundOut(
                HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: increment))),
            promise: nil)
        needsFlush = true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            calls[Int32(streamError.streamID)] = nil
            return
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        calls.removeAll()
        context.fireChannelInactive()
    }
}
