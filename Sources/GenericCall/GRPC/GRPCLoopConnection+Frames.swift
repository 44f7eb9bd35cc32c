import NIOCore
import NIOHTTP2

/// What the server sends, stream by stream.
extension GRPCLoopConnection {
    func received(_ frame: HTTP2Frame) {
        switch frame.payload {
        case .headers(let headers):
            guard let stream = streams[Int32(frame.streamID)] else { return }
            received(headers, on: stream)
        case .data(let data):
            guard let stream = streams[Int32(frame.streamID)], case .byteBuffer(let bytes) = data.data else { return }
            received(bytes, endStream: data.endStream, on: stream)
        case .rstStream(let code):
            // After the trailers the call is already finished (grpc-go resets a stream whose reply ended before
            // our END_STREAM was read, with NO_ERROR): only a reset before them fails the call.
            guard let stream = streams[Int32(frame.streamID)] else { return }
            let status = GRPCStatusMapping.status(resetCode: code)
            fail(
                stream, CallError(.grpc(status), "the server reset the stream (\(code))"),
                requestSent: code != .refusedStream, reset: false)
        case .settings(.settings(let settings)):
            controlFramesReceived += 1
            for setting in settings where setting.parameter == .maxConcurrentStreams {
                peerMaxConcurrentStreams = setting.value
            }
        case .goAway(let lastStreamID, let code, _):
            receivedGoAway(lastStreamID: Int(lastStreamID), code: code)
        case .ping, .settings, .priority, .alternativeService, .origin:
            controlFramesReceived += 1
        case .pushPromise, .windowUpdate:
            break
        }
    }

    private func received(_ payload: HTTP2Frame.FramePayload.Headers, on stream: GRPCLoopStream) {
        let headers = payload.headers
        switch stream.phase {
        case .awaitingHeaders:
            if payload.endStream {
                finish(stream, outcome(GRPCReplyHead.outcome(trailers: headers, trailersOnly: true)))
                return
            }
            let httpStatus = headers.first(name: ":status").flatMap { Int($0) } ?? 0
            guard httpStatus == 200 else {
                fail(stream, GRPCReplyHead.httpFailure(httpStatus), reset: true)
                return
            }
            let contentType = headers.first(name: "content-type")
            guard GRPCReplyHead.isGRPC(contentType: contentType) else {
                fail(
                    stream,
                    CallError(.grpc(.unknown), "the reply's content-type \(contentType ?? "(none)") is not gRPC"),
                    reset: true)
                return
            }
            stream.phase = .receivingMessages
            stream.encoding = headers.first(name: "grpc-encoding")
            stream.observer.received(headers: GRPCReplyHead.metadata(headers))
        case .receivingMessages:
            guard payload.endStream else {
                fail(
                    stream, CallError(.grpc(.internal), "the server sent HEADERS twice before its trailers"),
                    reset: true)
                return
            }
            guard !stream.reader.holdsPartialMessage else {
                fail(stream, CallError(.grpc(.internal), "the reply ended inside a message"), reset: false)
                return
            }
            finish(stream, outcome(GRPCReplyHead.outcome(trailers: headers, trailersOnly: false)))
        }
    }

    private func received(_ bytes: ByteBuffer, endStream: Bool, on stream: GRPCLoopStream) {
        guard stream.phase == .receivingMessages else {
            fail(stream, CallError(.grpc(.internal), "the server sent DATA before HEADERS"), reset: !endStream)
            return
        }
        stream.reader.append(bytes)
        while true {
            let message: GRPCMessageReader.Message?
            do {
                message = try stream.reader.next()
            } catch {
                let limit = configuration.maximumMessageLength
                fail(
                    stream,
                    CallError(
                        .grpc(.resourceExhausted),
                        "a reply message of \(error.length) bytes is over the limit of \(limit) bytes",
                        details: ["limit": "\(limit)", "length": "\(error.length)"]),
                    reset: !endStream)
                return
            }
            guard let message else { break }
            if message.compressed {
                let reason =
                    stream.encoding.map { "compressed with \($0), which we never accept" }
                    ?? "compressed without a grpc-encoding"
                fail(stream, CallError(.grpc(.internal), "a reply message is \(reason)"), reset: !endStream)
                return
            }
            stream.observer.received(message: message.bytes)
            // The observer may have cancelled this call, or a failure may have ended it, meanwhile.
            guard streams[stream.id] === stream else { return }
        }
        if endStream {
            fail(stream, CallError(.grpc(.internal), "the server ended the stream without trailers"), reset: false)
        }
    }

    private func outcome(_ result: Result<[RPCHeader], CallError>) -> Result<[RPCHeader], GRPCCallFailure> {
        result.mapError { GRPCCallFailure(error: $0, requestSent: true) }
    }

    /// Streams above the last id the server will process never reached it: they fail, retryable. Streams at or
    /// below it run to their end, and then the connection closes.
    private func receivedGoAway(lastStreamID: Int, code: HTTP2ErrorCode) {
        goAwayLastStreamID = min(goAwayLastStreamID ?? Int.max, lastStreamID)
        if code != .noError { closeReason = "the server sent GOAWAY (\(code))" }
        let refused = streams.values.filter { Int($0.id) > lastStreamID }.sorted { $0.id < $1.id }
        for stream in refused {
            fail(
                stream,
                CallError(.unavailable, "the server is going away (GOAWAY, last stream \(lastStreamID), \(code))"),
                requestSent: false, reset: false)
        }
        closeIfDrained()
    }
}

/// What happens to the connection: stream lifecycle, window refills, errors, the end.
extension GRPCLoopConnection {
    func streamCreated(_ id: HTTP2StreamID) {
        streams[Int32(id)]?.opened = true
    }

    /// A stream the HTTP/2 layer closed while its call still waited: a refused stream or one dropped by GOAWAY
    /// never reached the server.
    func streamClosed(_ event: StreamClosedEvent) {
        guard let stream = streams[Int32(event.streamID)] else { return }
        let sent = stream.opened && event.reason != .refusedStream
        let error =
            sent
            ? CallError(
                .backendClosed,
                "the stream closed before the reply ended (\(event.reason.map { "\($0)" } ?? "no error"))")
            : CallError(.unavailable, "the stream was refused before it started")
        fail(stream, error, requestSent: sent, reset: false)
    }

    /// Refills a receive window once half of it is used: replies are consumed as they arrive.
    func windowUpdated(_ event: NIOHTTP2WindowUpdatedEvent) {
        guard let inbound = event.inboundWindowSize, let context else { return }
        let target: Int
        if event.streamID == .rootStream {
            target = configuration.connectionWindowSize
        } else {
            guard let stream = streams[Int32(event.streamID)] else { return }
            guard !stream.repliesPaused else {
                stream.windowWhilePaused = inbound
                return
            }
            target = configuration.streamWindowSize
        }
        guard let increment = HTTP2WindowRefill.increment(inbound: inbound, target: target) else { return }
        // Flushed now: NIOHTTP2Handler may report the window after our read-complete flush, and a peer waiting
        // for this update sends nothing that would cause another.
        context.writeAndFlush(
            NIOAny(HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: increment))),
            promise: nil)
    }

    /// Stops or restarts refilling a stream's receive window. A resume refills what was withheld at once.
    func setRepliesPaused(streamID id: Int32, _ paused: Bool) {
        eventLoop.assertInEventLoop()
        guard let stream = streams[id], stream.repliesPaused != paused else { return }
        stream.repliesPaused = paused
        guard !paused, let inbound = stream.windowWhilePaused, let context else { return }
        stream.windowWhilePaused = nil
        guard let increment = HTTP2WindowRefill.increment(inbound: inbound, target: configuration.streamWindowSize)
        else { return }
        context.writeAndFlush(
            NIOAny(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .windowUpdate(windowSizeIncrement: increment))),
            promise: nil)
    }

    /// An error for one stream fails that call; any other error ends the connection.
    func caught(_ error: any Error) {
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            guard let stream = streams[Int32(streamError.streamID)] else { return }
            fail(
                stream, CallError(.grpc(.internal), "HTTP/2 stream error: \(streamError.baseError)"),
                requestSent: stream.opened, reset: false)
            return
        }
        if closeReason == nil { closeReason = "\(error)" }
        context?.close(promise: nil)
    }

    /// The channel is gone: every call still waiting fails.
    func closed() {
        isClosed = true
        context = nil
        let reason = closeReason ?? "the backend closed the connection"
        let remaining = streams.values.sorted { $0.id < $1.id }
        for stream in remaining {
            let error =
                stream.opened
                ? CallError(.backendClosed, "the connection closed during the call: \(reason)")
                : CallError(.unavailable, "the connection closed before the call started: \(reason)")
            fail(stream, error, requestSent: stream.opened, reset: false)
        }
    }
}
