import DynamicCodec
import HTTPMapping
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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

        /// One message.
        func message(_ json: [UInt8]) -> ByteBuffer {
            switch self {
            case .serverSentEvents:
                var buffer = ByteBuffer(string: "data: ")
                buffer.writeBytes(json)
                buffer.writeString("\n\n")
                return buffer
            case .ndjson:
                var buffer = ByteBuffer(bytes: json)
                buffer.writeString("\n")
                return buffer
            }
        }

        /// An error after the first message: an `error` event, or a `{"error": {...}}` line.
        func error(_ error: GatewayError) -> ByteBuffer {
            switch self {
            case .serverSentEvents: ByteBuffer(string: "event: error\ndata: \(error.body)\n\n")
            case .ndjson: ByteBuffer(string: "{\"error\":\(error.body)}\n")
            }
        }
    }

    /// A server-streaming call. Until the first message arrives an error is an ordinary error response; after it,
    /// errors travel in-band and the stream ends. The whole stream is bound by the call's deadline.
    func stream(
        _ call: BackendCall, match: RouteMatch, options: HTTPMappingOptions, request: Request, label: String,
        slot: RouteSlot
    ) async -> Response {
        let accept = request.headers[.accept] ?? ""
        let format: StreamFormat = accept.contains("text/event-stream") ? .serverSentEvents : .ndjson
        let logger = requestLogger(requestID: call.requestID, route: label)
        let messages = bounded(invoker.serverStream(call), call: call)
        var iterator = messages.makeAsyncIterator()
        let first: [UInt8]?
        do {
            first = try await iterator.next()
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
        let firstMessage = first == nil ? nil : firstJSON
        let metrics = self.metrics
        // The body holds the route's concurrency slot until the stream ends.
        let body = ResponseBody { [self, slot] writer in
            defer { slot.hold() }
            var iterator = remaining.iterator
            if let firstMessage { try await writer.write(format.message(firstMessage)) }
            while true {
                let message: [UInt8]?
                do {
                    message = try await iterator.next()
                } catch {
                    try await writer.write(format.error(self.failure(error, call: call, logger: logger)))
                    break
                }
                guard let message else { break }
                let json: [UInt8]
                do throws(CodecError) {
                    json = try match.response(message, options: options).body
                } catch {
                    metrics.backendError(code: "BAD_BACKEND_REPLY", service: call.service.name)
                    try await writer.write(format.error(GatewayError(error, reply: true)))
                    break
                }
                do {
                    try await writer.write(format.message(json))
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

    /// The stream ended at `call.effectiveDeadline` with the right timeout error.
    private func bounded(_ messages: AsyncThrowingStream<[UInt8], any Error>, call: BackendCall)
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let (output, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let forward = Task {
            do {
                for try await message in messages { continuation.yield(message) }
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
        continuation.onTermination = { _ in
            forward.cancel()
            timer.cancel()
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

/// Hands the stream's iterator to the response body writer, which is the only one to use it from then on.
private struct UnsafeSendableIterator: @unchecked Sendable {
    let iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    init(_ iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator) { self.iterator = iterator }
}
