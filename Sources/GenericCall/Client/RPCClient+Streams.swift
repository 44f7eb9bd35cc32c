public import NIOCore

/// A streaming call started with ``RPCClient/startStream(_:options:on:onMessage:onFinish:)``. Its methods run on
/// the call's event loop (they hop there when called elsewhere).
public struct RPCStreamHandle: Sendable {
    let call: LoopStreamCall

    /// Sends one request message (encoded, without the gRPC prefix). Ignored after ``finishSending()`` or the end.
    public func send(_ message: [UInt8]) {
        run { $0.send(message) }
    }

    /// Ends the request side (client half-close); replies may still come.
    public func finishSending() {
        run { $0.finishSending() }
    }

    /// Ends the call with CANCELLED_BY_CALLER unless it already ended.
    public func cancel() {
        run { $0.cancel() }
    }

    /// Whether the backend connection takes more bytes now; a caller relaying another stream stops reading it
    /// while this is false. Read on the call's event loop.
    public var isWritable: Bool { call.isWritable }

    /// Stops taking replies: the server is held by HTTP/2 flow control once the stream's window is used (what
    /// is already on its way still arrives). For a caller whose own destination cannot take more now.
    public func pauseReplies() {
        run { $0.pauseReplies(true) }
    }

    /// Takes replies again after ``pauseReplies()``.
    public func resumeReplies() {
        run { $0.pauseReplies(false) }
    }

    public var eventLoop: any EventLoop { call.eventLoop }

    private func run(_ body: @escaping (LoopStreamCall) -> Void) {
        let call = self.call
        if call.eventLoop.inEventLoop {
            body(call)
        } else {
            call.eventLoop.execute { body(call) }
        }
    }
}

extension RPCClient {
    /// Starts a streaming gRPC call (client-streaming, server-streaming or bidirectional) on `eventLoop` (one of
    /// the client's loops; another loop's callbacks are hopped to). `request.payload` is not sent: messages go with
    /// ``RPCStreamHandle/send(_:)``. `onMessage` gets each reply message as it arrives, `onFinish` the trailing
    /// metadata or the error, exactly once, last. Deadlines, cancellation, error codes and metrics are those of
    /// unary calls; a stream is not retried once it has opened.
    public func startStream(
        _ request: RPCRequest, options: CallOptions = CallOptions(), on eventLoop: any EventLoop,
        onMessage: @escaping ([UInt8]) -> Void, onFinish: @escaping (Result<[RPCHeader], CallError>) -> Void
    ) -> RPCStreamHandle {
        let loopClient: LoopClient
        let messages: ([UInt8]) -> Void
        let finish: (Result<[RPCHeader], CallError>) -> Void
        if let own = loopClients.first(where: { $0.eventLoop === eventLoop }) {
            loopClient = own
            messages = onMessage
            finish = onFinish
        } else {
            loopClient = loopClients[Int.random(in: 0..<loopClients.count)]
            let boxedMessage = UncheckedBox(onMessage)
            let boxedFinish = UncheckedBox(onFinish)
            messages = { message in eventLoop.execute { boxedMessage.value(message) } }
            finish = { result in eventLoop.execute { boxedFinish.value(result) } }
        }
        let call = LoopStreamCall(
            client: self, loopClient: loopClient, request: request, options: options, onMessage: messages,
            onFinish: finish)
        if loopClient.eventLoop.inEventLoop {
            call.start()
        } else {
            loopClient.eventLoop.execute { call.start() }
        }
        return RPCStreamHandle(call: call)
    }

    /// A server-streaming gRPC call: reply messages as they arrive. Not retried once started (messages may have
    /// been delivered); the stream fails with a ``CallError``. Cancelling the consumer cancels the call.
    public func serverStream(_ request: RPCRequest, options: CallOptions = CallOptions())
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let stream = openStream(request, options: options)
        stream.send(request.payload)
        stream.finishSending()
        return stream.replies
    }

    /// A streaming call for async code: send with ``RPCStream/send(_:)``, end with ``RPCStream/finishSending()``,
    /// read ``RPCStream/replies`` (which ends with the call's error, if any).
    public func openStream(_ request: RPCRequest, options: CallOptions = CallOptions()) -> RPCStream {
        let (replies, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let loop = group.next()
        let handle = startStream(
            request, options: options, on: loop, onMessage: { continuation.yield($0) },
            onFinish: { result in
                switch result {
                case .success: continuation.finish()
                case .failure(let error): continuation.finish(throwing: error)
                }
            })
        continuation.onTermination = { reason in
            if case .cancelled = reason { handle.cancel() }
        }
        return RPCStream(handle: handle, replies: replies)
    }
}

/// A streaming call as async code sees it.
public struct RPCStream: Sendable {
    public let handle: RPCStreamHandle
    /// Reply messages as they arrive; ends with the call's error, if any.
    public let replies: AsyncThrowingStream<[UInt8], any Error>

    public func send(_ message: [UInt8]) { handle.send(message) }
    public func finishSending() { handle.finishSending() }
    public func cancel() { handle.cancel() }
}
