package import NIOCore
import NIOHTTP2
import NIOPosix

/// A gRPC client connection (HTTP/2 with prior knowledge over plaintext, or over TLS with ALPN `h2`) bound to one
/// event loop: calls are streams multiplexed on it, their frames read and written on the loop, with no lock, task
/// or continuation per call.
///
/// Everything is called on ``eventLoop`` and calls back on it. Deadlines are the caller's to keep: the timeout of
/// a call is sent as `grpc-timeout`, and ``GRPCCallHandle/cancel()`` ends a call early.
package final class GRPCLoopConnection {
    package let eventLoop: any EventLoop
    let configuration: GRPCLoopConfiguration
    let authority: String
    /// `:scheme` of every request: `https` over TLS, else `http`.
    let scheme: String
    /// The handler's context once the channel is set up; nil after it is gone.
    var context: ChannelHandlerContext?
    /// Calls in flight by stream id.
    var streams: [Int32: GRPCLoopStream] = [:]
    var nextStreamID = 1
    /// The lowest last-stream-id of the GOAWAY frames received.
    var goAwayLastStreamID: Int?
    var isClosed = false
    /// Why the connection ended, told to the calls it fails.
    var closeReason: String?
    /// SETTINGS_MAX_CONCURRENT_STREAMS of the peer; until it says, swift-nio-http2 allows 100.
    var peerMaxConcurrentStreams = 100
    /// A frame was written outside a read (flushed then at the end of the read).
    var needsFlush = false
    /// Control frames (PING, SETTINGS...) received so far, as the frame limits count them: grpc-go's bandwidth
    /// pings show here.
    package internal(set) var controlFramesReceived = 0
    /// Inside ``startCall``: failures found then are delivered on the next loop tick, never before it returns.
    var isStartingCall = false

    init(eventLoop: any EventLoop, configuration: GRPCLoopConfiguration, authority: String) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.authority = authority
        scheme = configuration.tls == nil ? "http" : "https"
    }

    /// Connects (TCP or Unix socket per `endpoint`) on `eventLoop` and calls `completion` once, on the loop:
    /// CONNECT_TIMEOUT when the connect timeout fired, UNAVAILABLE when the connection was refused or failed.
    ///
    /// With ``GRPCLoopConfiguration/tls`` the connection is handed out only once the TLS handshake is done and the
    /// server's first bytes arrived; a handshake failure is UNAVAILABLE saying why ("TLS handshake with ...
    /// failed: ..."), and a handshake that takes longer than the connect timeout (at least 2 s) CONNECT_TIMEOUT.
    package static func connect(
        to endpoint: Endpoint, on eventLoop: any EventLoop, connectTimeout: Duration,
        configuration: GRPCLoopConfiguration = GRPCLoopConfiguration(),
        completion: @escaping (Result<GRPCLoopConnection, CallError>) -> Void
    ) {
        let authority: String
        switch endpoint {
        case .tcp: authority = endpoint.description
        case .unix: authority = "localhost"
        }
        let connection = GRPCLoopConnection(eventLoop: eventLoop, configuration: configuration, authority: authority)
        let bound = NIOLoopBound(connection, eventLoop: eventLoop)
        let handlerConfiguration = configuration.handlerConfiguration
        let tls = configuration.tls
        // Completed by the TLS handler once the connection is usable, or failed (always completed: a connect that
        // fails fails it too).
        let tlsReady = tls == nil ? nil : eventLoop.makePromise(of: Void.self)
        let handshakeTimeout = max(connectTimeout, .seconds(2))
        let host: String
        switch endpoint {
        case .tcp(let name, _): host = name
        case .unix: host = "localhost"
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(max(1, GRPCTime.nanoseconds(connectTimeout))))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls, let tlsReady {
                        try channel.pipeline.syncOperations.addHandler(tls.makeHandler(connectingTo: host))
                        try channel.pipeline.syncOperations.addHandler(
                            GRPCTLSHandshakeHandler(ready: tlsReady, timeout: GRPCTime.amount(handshakeTimeout)))
                    }
                    let http2 = NIOHTTP2Handler(
                        mode: .client, connectionConfiguration: handlerConfiguration.connection,
                        streamConfiguration: handlerConfiguration.stream)
                    try channel.pipeline.syncOperations.addHandler(http2)
                    try channel.pipeline.syncOperations.addHandler(GRPCLoopConnectionHandler(connection: bound.value))
                }
            }
        let future: EventLoopFuture<any Channel>
        switch endpoint {
        case .tcp(let host, let port): future = bootstrap.connect(host: host, port: port)
        case .unix(let path): future = bootstrap.connect(unixDomainSocketPath: path)
        }
        future.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                guard let tlsReady else {
                    // NIO completes the connect before it fires channelActive, where the HTTP/2 handler sends the
                    // connection preface: hand the connection out on the next tick, when the preface has gone first.
                    eventLoop.assumeIsolated().execute { completion(.success(connection)) }
                    return
                }
                tlsReady.futureResult.assumeIsolated().whenComplete { ready in
                    switch ready {
                    case .success:
                        // Completed inside the read of the server's first bytes: let HTTP/2 take them first.
                        eventLoop.assumeIsolated().execute { completion(.success(connection)) }
                    case .failure(let error):
                        channel.close(promise: nil)
                        completion(
                            .failure(
                                GRPCTLSFailure.error(
                                    error, endpoint: endpoint, timeout: handshakeTimeout,
                                    presentsCertificate: tls?.presentsCertificate ?? false)))
                    }
                }
            case .failure(let error):
                tlsReady?.fail(error)
                completion(.failure(GRPCConnectFailure.error(error, endpoint: endpoint, timeout: connectTimeout)))
            }
        }
    }

    /// False once a GOAWAY arrived, the connection closed, or its stream ids ran out: open a new one.
    package var isUsable: Bool {
        !isClosed && context != nil && goAwayLastStreamID == nil && nextStreamID <= Int(Int32.max)
    }

    package var activeStreams: Int { streams.count }

    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS (100 until it says): calls past it wait for a free stream.
    package var maxConcurrentStreams: Int { peerMaxConcurrentStreams }

    /// Starts a call on a new stream: HEADERS (`:path`, `:authority`, content-type, te, grpc-timeout, the
    /// metadata lower-cased, `-bin` values base64), then `message` (the encoded request, without prefix) in one
    /// length-prefixed DATA frame with END_STREAM.
    package func startCall(
        path: String, metadata: [RPCHeader], timeout: Duration?, message: ByteBuffer, observer: any GRPCCallObserver
    ) -> GRPCCallHandle {
        isStartingCall = true
        defer { isStartingCall = false }
        guard let (id, context) = open(path: path, metadata: metadata, timeout: timeout, observer: observer) else {
            return GRPCCallHandle(connection: nil, streamID: 0)
        }
        streams[id]?.sendingFinished = true
        var body = context.channel.allocator.buffer(capacity: 5 + message.readableBytes)
        body.writeInteger(UInt8(0))
        body.writeInteger(UInt32(truncatingIfNeeded: message.readableBytes))
        body.writeImmutableBuffer(message)
        context.write(
            NIOAny(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .data(.init(data: .byteBuffer(body), endStream: true)))),
            promise: nil)
        context.flush()
        return GRPCCallHandle(connection: self, streamID: id)
    }

    /// Starts a streaming call (client or bidirectional, or a server stream whose request is sent later): HEADERS
    /// only. Messages follow with ``GRPCCallHandle/send(_:)`` and the request side ends with
    /// ``GRPCCallHandle/finishSending()``.
    package func startStream(path: String, metadata: [RPCHeader], timeout: Duration?, observer: any GRPCCallObserver)
        -> GRPCCallHandle
    {
        guard let (id, context) = open(path: path, metadata: metadata, timeout: timeout, observer: observer) else {
            return GRPCCallHandle(connection: nil, streamID: 0)
        }
        context.flush()
        return GRPCCallHandle(connection: self, streamID: id)
    }

    /// A new stream for a call: registered, its HEADERS written (not flushed). nil when the connection cannot take
    /// calls; the observer then hears UNAVAILABLE on the next tick (the request never left).
    private func open(path: String, metadata: [RPCHeader], timeout: Duration?, observer: any GRPCCallObserver)
        -> (Int32, ChannelHandlerContext)?
    {
        eventLoop.assertInEventLoop()
        guard isUsable, let context else {
            let reason = goAwayLastStreamID != nil ? "the server is going away (GOAWAY)" : closeReason ?? "closed"
            let failure = GRPCCallFailure(
                error: CallError(.unavailable, "the connection to \(authority) cannot take calls: \(reason)"),
                requestSent: false)
            eventLoop.assumeIsolated().execute { observer.finished(.failure(failure)) }
            return nil
        }
        let id = Int32(nextStreamID)
        nextStreamID += 2
        streams[id] = GRPCLoopStream(
            id: id, observer: observer, maximumMessageLength: configuration.maximumMessageLength)
        let head = GRPCRequestHead.headers(
            scheme: scheme, path: path, authority: authority, metadata: metadata, timeout: timeout)
        context.write(NIOAny(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .headers(.init(headers: head)))), promise: nil)
        return (id, context)
    }

    /// Writes one request message of a streaming call; false when the call has ended.
    func send(streamID id: Int32, message: ByteBuffer) -> Bool {
        eventLoop.assertInEventLoop()
        guard let stream = streams[id], !stream.sendingFinished, let context else { return false }
        var body = context.channel.allocator.buffer(capacity: 5 + message.readableBytes)
        body.writeInteger(UInt8(0))
        body.writeInteger(UInt32(truncatingIfNeeded: message.readableBytes))
        body.writeImmutableBuffer(message)
        context.writeAndFlush(
            NIOAny(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .data(.init(data: .byteBuffer(body))))),
            promise: nil)
        return true
    }

    /// Ends the request side of a streaming call (an empty DATA frame with END_STREAM).
    func finishSending(streamID id: Int32) {
        eventLoop.assertInEventLoop()
        guard let stream = streams[id], !stream.sendingFinished, let context else { return }
        stream.sendingFinished = true
        context.writeAndFlush(
            NIOAny(
                HTTP2Frame(
                    streamID: HTTP2StreamID(id),
                    payload: .data(.init(data: .byteBuffer(context.channel.allocator.buffer(capacity: 0)), endStream: true)))),
            promise: nil)
    }

    /// Whether the connection's socket takes more bytes now (false: a streaming caller should stop reading its
    /// source until it does).
    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// Closes the connection at once; calls in flight fail (BACKEND_CLOSED, or UNAVAILABLE for streams not
    /// started).
    package func close() {
        eventLoop.assertInEventLoop()
        if closeReason == nil { closeReason = "closed by us" }
        context?.close(promise: nil)
    }

    /// Resets a call's stream with RST_STREAM(CANCEL); its observer hears nothing more.
    func cancel(streamID id: Int32) {
        eventLoop.assertInEventLoop()
        guard streams.removeValue(forKey: id) != nil else { return }
        reset(id)
        closeIfDrained()
    }

    /// Writes RST_STREAM(CANCEL) for a stream we give up on.
    func reset(_ id: Int32) {
        guard let context else { return }
        context.write(NIOAny(HTTP2Frame(streamID: HTTP2StreamID(id), payload: .rstStream(.cancel))), promise: nil)
        context.flush()
    }

    /// Ends a call: removes it, then tells its observer (which may start or cancel other calls meanwhile).
    func finish(_ stream: GRPCLoopStream, _ result: Result<[RPCHeader], GRPCCallFailure>) {
        guard streams.removeValue(forKey: stream.id) != nil else { return }
        if !stream.sendingFinished, let context {
            // The server ended a streaming call while we could still send: close our side too.
            context.write(
                NIOAny(HTTP2Frame(streamID: HTTP2StreamID(stream.id), payload: .rstStream(.noError))), promise: nil)
            context.flush()
        }
        notify(stream, result)
    }

    /// Ends a call with an error; `reset` also resets its stream (the server has not ended its side).
    func fail(_ stream: GRPCLoopStream, _ error: CallError, requestSent: Bool = true, reset shouldReset: Bool) {
        // Removed first: writing RST_STREAM closes the stream at once, and its close event must find no call.
        guard streams.removeValue(forKey: stream.id) != nil else { return }
        if shouldReset { reset(stream.id) }
        notify(stream, .failure(GRPCCallFailure(error: error, requestSent: requestSent)))
    }

    private func notify(_ stream: GRPCLoopStream, _ result: Result<[RPCHeader], GRPCCallFailure>) {
        if isStartingCall {
            eventLoop.assumeIsolated().execute { stream.observer.finished(result) }
        } else {
            stream.observer.finished(result)
        }
        closeIfDrained()
    }

    /// After a GOAWAY the connection only finishes what it has; once nothing is left it is closed.
    func closeIfDrained() {
        if goAwayLastStreamID != nil, streams.isEmpty, !isClosed {
            if closeReason == nil { closeReason = "the server sent GOAWAY" }
            context?.close(promise: nil)
        }
    }
}
