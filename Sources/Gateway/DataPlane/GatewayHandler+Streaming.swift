import DynamicCodec
import HTTPMapping
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

extension GatewayHandler {
    /// How a server stream is written: Server-Sent Events when the client accepts `text/event-stream`,
    /// newline-delimited JSON otherwise.
    enum StreamFormat {
        case serverSentEvents, ndjson

        var contentType: String {
            switch self {
            case .serverSentEvents: "text/event-stream"
            case .ndjson: "application/x-ndjson"
            }
        }

        /// One message; an SSE event carries `id` (the stream's sequence number, what `Last-Event-ID` names on a
        /// reconnect).
        func message(_ json: [UInt8], id: Int) -> ByteBuffer {
            switch self {
            case .serverSentEvents:
                var buffer = ByteBuffer(string: "id: \(id)\ndata: ")
                buffer.writeBytes(json)
                buffer.writeString("\n\n")
                return buffer
            case .ndjson:
                var buffer = ByteBuffer(bytes: json)
                buffer.writeString("\n")
                return buffer
            }
        }

        /// What opens an SSE stream: the reconnection time a client should wait (`retry:`).
        func opening(retry: Duration) -> ByteBuffer? {
            guard self == .serverSentEvents else { return nil }
            let milliseconds = retry.components.seconds * 1000 + retry.components.attoseconds / 1_000_000_000_000_000
            return ByteBuffer(string: "retry: \(milliseconds)\n\n")
        }

        /// A comment that keeps idle proxies from cutting the stream (SSE), or nothing (NDJSON has no comments).
        var keepAlive: ByteBuffer? { self == .serverSentEvents ? ByteBuffer(string: ": keep-alive\n\n") : nil }

        /// An error after the first message: an `error` event, or a `{"error": {...}}` line.
        func error(_ error: GatewayError) -> ByteBuffer {
            switch self {
            case .serverSentEvents: ByteBuffer(string: "event: error\ndata: \(error.body)\n\n")
            case .ndjson: ByteBuffer(string: "{\"error\":\(error.body)}\n")
            }
        }
    }

    /// A server-streaming call (or a bidirectional one over plain HTTP, whose request `messages` are all sent
    /// first). Until the first message arrives an error is an ordinary error response; after it, errors travel
    /// in-band and the stream ends. The whole stream is bound by the call's deadline. SSE streams open with a
    /// `retry:` hint, number their events from `firstEventID` (one past the `Last-Event-ID` of a reconnect), and
    /// send a `:` comment after every `streams.keepalive` without an event.
    func stream(
        _ call: BackendCall, match: RouteMatch, options: HTTPMappingOptions, request: Request, label: String,
        slot: RouteSlot?, messages requestMessages: [[UInt8]]? = nil, firstEventID: Int = 1
    ) async -> Response {
        let accept = request.headers[.accept] ?? ""
        let format: StreamFormat = accept.contains("text/event-stream") ? .serverSentEvents : .ndjson
        let logger = requestLogger(requestID: call.requestID, route: label)
        let source = requestMessages.map { bidirectionalReplies(call, messages: $0) } ?? invoker.serverStream(call)
        let items = bounded(
            source, call: call, keepAlive: format == .serverSentEvents ? streamSettings.keepAlive : nil)
        var iterator = items.makeAsyncIterator()
        var first: [UInt8]?
        // A stream still silent after the keep-alive interval starts with a comment (so a proxy does not cut it);
        // from then on an error travels in-band, as after the first event.
        var startedIdle = false
        do {
            if let item = try await iterator.next() {
                switch item {
                case .message(let message): first = message
                case .keepAlive: startedIdle = true
                }
            }
        } catch {
            let failure = failure(error, call: call, logger: logger)
            return Self.response(failure)
        }
        var firstJSON: [UInt8] = []
        if let first {
            do {
                firstJSON = try match.response(first, options: options).body
            } catch {
                metrics.backendError(code: "BAD_BACKEND_REPLY", service: call.service.name)
                return Self.response(GatewayError(error, reply: true))
            }
        }
        let remaining = UnsafeSendableIterator(iterator)
        let opensIdle = startedIdle
        let firstMessage = first == nil ? nil : firstJSON
        let metrics = self.metrics
        let retry = streamSettings.retry
        // The body holds the route's concurrency slot until the stream ends.
        let body = ResponseBody { [self, slot] writer in
            defer { slot?.hold() }
            var iterator = remaining.iterator
            var eventID = firstEventID
            if let opening = format.opening(retry: retry) { try await writer.write(opening) }
            if opensIdle, let comment = format.keepAlive { try await writer.write(comment) }
            if let firstMessage {
                try await writer.write(format.message(firstMessage, id: eventID))
                eventID += 1
            }
            while true {
                let item: StreamItem?
                do {
                    item = try await iterator.next()
                } catch {
                    try await writer.write(format.error(self.failure(error, call: call, logger: logger)))
                    break
                }
                guard let item else { break }
                let json: [UInt8]
                switch item {
                case .keepAlive:
                    if let comment = format.keepAlive { try await writer.write(comment) }
                    continue
                case .message(let message):
                    do throws(CodecError) {
                        json = try match.response(message, options: options).body
                    } catch {
                        metrics.backendError(code: "BAD_BACKEND_REPLY", service: call.service.name)
                        try await writer.write(format.error(GatewayError(error, reply: true)))
                        try await writer.finish(nil)
                        return
                    }
                }
                do {
                    try await writer.write(format.message(json, id: eventID))
                    eventID += 1
                } catch {
                    // The client went away; dropping the iterator ends the backend stream.
                    metrics.cancelledByCaller(route: label)
                    logger.notice("CANCELLED_BY_CALLER: the client went away during a stream")
                    throw error
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: format.contentType, .cacheControl: "no-cache"], body: body)
    }

    /// What a stream's body loop waits for: a reply message, or a keep-alive tick.
    enum StreamItem: Sendable {
        case message([UInt8])
        case keepAlive
    }

    /// The stream ended at `call.effectiveDeadline` with the right timeout error, with a tick after every
    /// `keepAlive` without a message.
    private func bounded(
        _ messages: AsyncThrowingStream<[UInt8], any Error>, call: BackendCall, keepAlive: Duration?
    ) -> AsyncThrowingStream<StreamItem, any Error> {
        let (output, continuation) = AsyncThrowingStream<StreamItem, any Error>.makeStream()
        let lastMessage = LastActivity()
        let forward = Task {
            do {
                for try await message in messages {
                    lastMessage.touch()
                    continuation.yield(.message(message))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        let deadline = call.effectiveDeadline
        let timer = Task {
            try await Task.sleep(until: deadline, clock: .continuous)
            continuation.finish(throwing: call.deadlineError)
            forward.cancel()
        }
        let ticker = keepAlive.map { interval in
            Task {
                while !Task.isCancelled {
                    let due = lastMessage.time + interval
                    if ContinuousClock.now >= due {
                        lastMessage.touch()
                        continuation.yield(.keepAlive)
                        continue
                    }
                    try await Task.sleep(until: due, clock: .continuous)
                }
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            timer.cancel()
            ticker?.cancel()
        }
        return output
    }

    private func failure(_ error: any Error, call: BackendCall, logger: Logger) -> GatewayError {
        if let error = error as? CallError {
            record(error, call: call, logger: logger)
            return GatewayError(error)
        }
        let wrapped = CallError(.grpc(.unknown), "the stream failed: \(error)")
        record(wrapped, call: call, logger: logger)
        return GatewayError(wrapped)
    }
}

/// When a stream last sent something.
private final class LastActivity: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var time: ContinuousClock.Instant { instant.withLock { $0 } }
    func touch() { instant.withLock { $0 = .now } }
}

/// Hands the stream's iterator to the response body writer, which is the only one to use it from then on.
private struct UnsafeSendableIterator: @unchecked Sendable {
    let iterator: AsyncThrowingStream<GatewayHandler.StreamItem, any Error>.AsyncIterator
    init(_ iterator: AsyncThrowingStream<GatewayHandler.StreamItem, any Error>.AsyncIterator) { self.iterator = iterator }
}
