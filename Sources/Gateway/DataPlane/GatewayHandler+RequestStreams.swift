import GenericCall
import HTTPMapping
import HTTPTypes
import NIOCore

extension GatewayHandler {
    /// The request messages of a streaming request body: one JSON value per line (NDJSON; blank lines and a
    /// trailing CR are ignored), each mapped like a unary body, with the route's path and query bound into every
    /// message. A line that does not map refuses the whole request (INVALID_JSON / INVALID_ARGUMENT, with the
    /// line number in `details.line`). Reads the request as ``prepare(_:head:body:requestID:start:)`` left it, so
    /// a token the auth policy took from the query is not mapped as a field.
    func streamMessages(_ prepared: PreparedCall) -> Result<[[UInt8]], Refusal> {
        let routed = prepared.routed
        var parts = prepared.parts
        let body = parts.body
        var messages: [[UInt8]] = []
        var lineNumber = 0
        for var line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            parts.body = Array(line)
            do {
                messages.append(try routed.match.streamMessage(parts, options: routed.options))
            } catch {
                let base = Self.gatewayError(error)
                let refused = GatewayError(
                    code: base.code, status: base.status, "line \(lineNumber) of the NDJSON body: \(base.message)",
                    details: ["line": String(lineNumber)])
                return .failure(Refusal(label: routed.label, response: GatewayResponse(refused)))
            }
        }
        return .success(messages)
    }

    /// A client-streaming call on `eventLoop`: the messages are sent, the request side closed, and the one reply
    /// handed to `completion` like a unary call's.
    func startClientStream(
        _ prepared: PreparedCall, messages: [[UInt8]], on eventLoop: any EventLoop,
        completion: @escaping (Result<[UInt8], CallError>) -> Void
    ) -> BackendCallHandle {
        var replies: [[UInt8]] = []
        let handle = invoker.startStream(
            prepared.call, on: eventLoop, onMessage: { replies.append($0) },
            onFinish: { result in
                switch result {
                case .failure(let error): completion(.failure(error))
                case .success:
                    guard replies.count == 1 else {
                        completion(
                            .failure(
                                CallError(
                                    .badBackendReply,
                                    "a client-streaming method answered \(replies.count) messages instead of one")))
                        return
                    }
                    completion(.success(replies[0]))
                }
            })
        for message in messages { handle.send(message) }
        handle.finishSending()
        return BackendCallHandle { handle.cancel() }
    }

    /// A bidirectional call over plain HTTP (half duplex): every request message is sent, then the replies stream
    /// back (SSE or NDJSON, like a server stream).
    func bidirectionalReplies(_ call: BackendCall, messages: [[UInt8]]) -> AsyncThrowingStream<[UInt8], any Error> {
        let (replies, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let eventLoop = eventLoopGroup.next()
        eventLoop.execute { [invoker] in
            let handle = invoker.startStream(
                call, on: eventLoop, onMessage: { continuation.yield($0) },
                onFinish: { result in
                    switch result {
                    case .success: continuation.finish()
                    case .failure(let error): continuation.finish(throwing: error)
                    }
                })
            for message in messages { handle.send(message) }
            handle.finishSending()
            continuation.onTermination = { reason in
                if case .cancelled = reason { handle.cancel() }
            }
        }
        return replies
    }
}
