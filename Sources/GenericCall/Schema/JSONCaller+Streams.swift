extension JSONCaller {
    /// Whether `method` takes a stream of requests (a client-streaming or bidirectional gRPC method).
    public func isClientStreaming(_ method: String) -> Bool {
        if case .protobuf(_, let service) = schema, let descriptor = service.method(named: method) {
            return descriptor.clientStreaming
        }
        return false
    }

    /// A client-streaming or bidirectional call with JSON messages: ``JSONStream/send(_:)`` encodes each request
    /// with the method's input type; replies come back as JSON documents as they arrive.
    public func openStream(method: String, headers: [RPCHeader] = [], options callOptions: CallOptions = CallOptions())
        throws(CallError) -> JSONStream
    {
        let base = try request(method: method, json: Array("{}".utf8), headers: headers)
        let stream = client.openStream(base, options: callOptions)
        let caller = self
        let (output, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let task = Task {
            do {
                for try await message in stream.replies {
                    continuation.yield(try caller.render(method: base.method, reply: message).json)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { reason in
            task.cancel()
            if case .cancelled = reason { stream.cancel() }
        }
        return JSONStream(caller: self, method: method, headers: headers, stream: stream, replies: output)
    }
}

/// A streaming call driven with JSON messages (``JSONCaller/openStream(method:headers:options:)``).
public struct JSONStream: Sendable {
    let caller: JSONCaller
    let method: String
    let headers: [RPCHeader]
    let stream: RPCStream
    /// Reply messages as JSON; ends with the call's error, if any.
    public let replies: AsyncThrowingStream<[UInt8], any Error>

    /// Encodes one JSON request message and sends it; a message that does not encode is refused here, before
    /// anything is sent.
    public func send(_ json: [UInt8]) throws(CallError) {
        stream.send(try caller.request(method: method, json: json, headers: headers).payload)
    }

    public func finishSending() { stream.finishSending() }
    public func cancel() { stream.cancel() }
}
