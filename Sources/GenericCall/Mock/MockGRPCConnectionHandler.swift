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
        /// Request messages read one by one: streaming requests, and echo answers.
        var reader: GRPCMessageReader?
        /// The request messages an echo answer sends back at the end (unary and client-streaming calls).
        var collected = ByteBuffer()
        /// A bidirectional call: replies flow while the request streams.
        var bidirectional = false
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
            if calls[id] == nil {
                calls[id] = started(headers.headers)
                if calls[id]!.bidirectional {
                    context.write(
                        wrapOutboundOut(
                            HTTP2Frame(
                                streamID: frame.streamID,
                                payload: .headers(.init(headers: MockGRPCAnswers.responseHeaders)))),
                        promise: nil)
                    needsFlush = true
                }
            }
            if headers.endStream { requestEnded(id, context: context) }
        case .data(let data):
            guard calls[id] != nil else { return }
            if calls[id]!.reader != nil {
                if case .byteBuffer(let bytes) = data.data { readMessages(id, bytes, context: context) }
                if data.endStream, calls[id] != nil { requestEnded(id, context: context) }
                // Replies of a streaming call go now: frames can reach this handler after read-complete.
                flushIfNeeded(context: context)
                return
            }
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
        if let method = call.method {
            var echo = false
            if case .echo? = answers.byMethod[method] { echo = true }
            if answers.streamingRequests.contains(method) || echo {
                call.reader = GRPCMessageReader(maximumLength: MockGRPCAnswers.maximumRequestLength)
            }
            call.bidirectional = answers.streamingRequests.contains(method) && answers.streamingReplies.contains(method)
        }
        return call
    }

    /// Reads the request messages of a streaming or echo call as they arrive: a bidirectional call answers each
    /// one at once, the others keep what an echo sends back at the end.
    private func readMessages(_ id: Int32, _ bytes: ByteBuffer, context: ChannelHandlerContext) {
        calls[id]!.reader!.append(bytes)
        while let call = calls[id] {
            let message: GRPCMessageReader.Message?
            do {
                message = try calls[id]!.reader!.next()
            } catch {
                answer(id, .status(.resourceExhausted, "a request message is over 16 MiB"), context: context)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .rstStream(.noError))), promise: nil)
                return
            }
            guard let message else { return }
            let answer = call.method.flatMap { answers.byMethod[$0] }
            guard call.bidirectional else {
                if case .echo = answer { calls[id]!.collected.writeImmutableBuffer(message.bytes) }
                continue
            }
            switch answer {
            case .echo?:
                write(id, MockGRPCAnswers.prefixed(message.bytes), context: context)
            case .messages(let messages)?:
                write(id, messages, context: context)
            case .status(let status, let text)?:
                endBidirectional(id, trailers: MockGRPCAnswers.trailers(status, text), context: context)
            case nil:
                endBidirectional(id, trailers: MockGRPCAnswers.trailers(.unimplemented, "unknown method"), context: context)
            }
        }
    }

    private func write(_ id: Int32, _ messages: ByteBuffer, context: ChannelHandlerContext) {
        guard messages.readableBytes > 0 else { return }
        context.write(
            wrapOutboundOut(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .data(.init(data: .byteBuffer(messages))))),
            promise: nil)
        needsFlush = true
    }

    /// Ends a bidirectional call whose response headers have gone: trailers only.
    private func endBidirectional(_ id: Int32, trailers: HPACKHeaders, context: ChannelHandlerContext) {
        guard calls.removeValue(forKey: id) != nil else { return }
        server.calls.add(1, ordering: .relaxed)
        context.write(
            wrapOutboundOut(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .headers(.init(headers: trailers, endStream: true)))),
            promise: nil)
        needsFlush = true
    }

    /// The whole request is in: answer now, or after the configured delay (DEADLINE_EXCEEDED first if the
    /// caller's deadline is shorter).
    private func requestEnded(_ id: Int32, context: ChannelHandlerContext) {
        guard let call = calls[id], !call.answering else { return }
        guard let method = call.method else {
            answer(id, .status(.unimplemented, "unknown method"), context: context)
            return
        }
        if call.bidirectional {
            endBidirectional(id, trailers: MockGRPCAnswers.okTrailers, context: context)
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
            var chosen = answers.byMethod[method] ?? .status(.unimplemented, "unknown method")
            if case .echo = chosen, let call = calls[id] { chosen = .messages(MockGRPCAnswers.prefixed(call.collected)) }
            answer(id, chosen, context: context)
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
        case .echo:
            // Replaced by the collected messages before it gets here; never sent as such.
            let headers = MockGRPCAnswers.trailersOnly(.internal, "echo without a request")
            context.write(
                wrapOutboundOut(
                    HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: headers, endStream: true)))),
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
        // Flushed now: the window may be reported after the read-complete flush (see GRPCLoopConnection).
        context.writeAndFlush(
            wrapOutboundOut(
                HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: increment))),
            promise: nil)
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

