import GenericCall
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection of the data plane. Requests come one at a time (NIO's pipelining handler holds the
/// next until this one is answered). An RPC route is served entirely on the connection's event loop: parsed,
/// routed, mapped, sent to a backend connection of the same loop, answered and written, with no task and no thread
/// hop. The admin API, `/metrics` and streams take the async path (``GatewayHandler/respond(to:)`` in a task).
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "portico.http"

    private let gateway: GatewayHandler
    /// What the WebSocket upgrader decided for the request it declined to upgrade.
    private let upgrades: WebSocketUpgradeState?

    private struct Receiving {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var tooLarge = false
        var start: ContinuousClock.Instant
    }

    private var receiving: Receiving?
    /// A request refused before its body arrived (too large): the rest of it is ignored and the connection closes.
    private var discarding = false
    private var context: ChannelHandlerContext?
    /// The backend call of the request being served on the loop, cancelled when the client goes away.
    private var call: BackendCallHandle?
    /// The task of a request on the async path.
    private var task: Task<Void, Never>?
    private var isActive = true

    init(gateway: GatewayHandler, upgrades: WebSocketUpgradeState? = nil) {
        self.gateway = gateway
        self.upgrades = upgrades
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard !discarding else { return }
            var request = Receiving(head: head, start: .now)
            receiving = request
            // A declared length over the limit is refused at once, without waiting for the body.
            if let length = head.headers.first(name: "content-length").flatMap(Int.init),
                length > gateway.limits.maxBody
            {
                request.tooLarge = true
                refuseEarly(request, context: context)
            }
        case .body(var chunk):
            guard !discarding, var request = receiving else { return }
            receiving = nil
            if (request.body?.readableBytes ?? 0) + chunk.readableBytes > gateway.limits.maxBody {
                request.tooLarge = true
                request.body = nil
                refuseEarly(request, context: context)
                return
            } else if request.body == nil {
                request.body = chunk
            } else {
                request.body!.writeBuffer(&chunk)
            }
            receiving = request
        case .end:
            guard !discarding, let request = receiving else { return }
            receiving = nil
            serve(request, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        call?.cancel()
        call = nil
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }

    // MARK: Serving

    private func refuseEarly(_ request: Receiving, context: ChannelHandlerContext) {
        receiving = nil
        discarding = true
        serve(request, context: context)
    }

    private func serve(_ request: Receiving, context: ChannelHandlerContext) {
        let gateway = self.gateway
        let head = request.head
        let requestID = RequestID.accept(head.headers.first(name: "x-request-id")) ?? RequestID.generate()
        gateway.metrics.inFlight(1)
        let fields = Self.fields(head.headers)
        let httpRequest = HTTPRequest(
            method: HTTPRequest.Method(head.method.rawValue) ?? .get, scheme: nil, authority: nil, path: head.uri,
            headerFields: fields)
        var exchange = Exchange(
            keepAlive: head.isKeepAlive, version: head.version, isHead: head.method == .HEAD, requestID: requestID,
            start: request.start)
        if request.tooLarge {
            gateway.metrics.rejected(limit: "body")
            var closing = exchange
            closing.keepAlive = false  // the rest of the body may still be on its way
            write(GatewayResponse(GatewayError.payloadTooLarge(limit: gateway.limits.maxBody)), label: "rejected",
                  exchange: closing)
            return
        }
        if let refusal = upgrades?.refusal {
            // A WebSocket upgrade the gateway refused (auth, limits, mapping): answered as HTTP.
            upgrades?.refusal = nil
            exchange.keepAlive = false
            write(refusal.response, label: refusal.label, exchange: exchange)
            return
        }
        if let rejection = gateway.headerRejection(fields) {
            write(rejection, label: "rejected", exchange: exchange)
            return
        }
        // (Without a query the path shares the target's storage.)
        let path = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(head.uri[..<$0]) } ?? head.uri
        if gateway.isAdminPath(path) || path == "/metrics" || gateway.isConsoleRequest(method: httpRequest.method, path: path) {
            serveAsync(httpRequest, body: request.body, exchange: exchange)
            return
        }
        if let operations = gateway.operations(method: httpRequest.method, path: path) {
            write(operations, label: "operations", exchange: exchange)
            return
        }
        if let tracer = gateway.tracer {
            exchange.trace = RequestTrace(
                tracer: tracer, method: head.method.rawValue, target: head.uri, headers: head.headers,
                requestID: requestID)
        }
        let routed: RoutedRequest
        switch gateway.route(httpRequest) {
        case .failure(let refusal):
            write(refusal.response, label: refusal.label, exchange: exchange)
            return
        case .success(let value):
            routed = value
        }
        exchange.trace?.routed(
            routed.label, service: routed.match.route.target.serviceName, method: routed.match.route.target.methodName)
        if routed.isServerStream {
            // Streams take the async path, which routes again and takes the slot for the stream's whole life.
            gateway.metrics.inFlight(-1)
            let service = routed.service
            let tracing = exchange.trace?.callTracing(
                headerPrefix: service.metadataPrefix(for: service.framing ?? .grpc))
            serveAsync(httpRequest, body: request.body, exchange: exchange, tracing: tracing)
            return
        }
        let body = request.body.map { Array($0.readableBytesView) } ?? []
        var prepared: PreparedCall
        switch gateway.prepare(routed, head: httpRequest, body: body, requestID: requestID, start: request.start) {
        case .failure(let refusal):
            write(refusal.response, label: refusal.label, exchange: exchange)
            return
        case .success(let value):
            prepared = value
        }
        if let trace = exchange.trace {
            let service = routed.service
            prepared.call.tracing = trace.callTracing(headerPrefix: service.metadataPrefix(for: service.framing ?? .framed))
            prepared.traceIDs = trace.ids
        }
        // Captured by value: the closure's one context holds them (a captured `var` would be boxed apart).
        let completion: (Result<[UInt8], CallError>) -> Void = { [self, prepared, exchange] result in
            call = nil
            let response = gateway.finish(prepared, result: result)
            prepared.routed.slot?.hold()
            guard isActive else {
                gateway.metrics.inFlight(-1)
                return
            }
            write(response, label: routed.label, exchange: exchange)
        }
        if routed.isClientStream {
            // A client-streaming method: the NDJSON body's lines are its request messages.
            switch gateway.streamMessages(prepared) {
            case .failure(let refusal):
                write(refusal.response, label: refusal.label, exchange: exchange)
            case .success(let messages):
                call = gateway.startClientStream(
                    prepared, messages: messages, on: context.eventLoop, completion: completion)
            }
            return
        }
        call = gateway.invoker.start(prepared.call, on: context.eventLoop, completion: completion)
    }

    /// What the response must honour of its request.
    private struct Exchange {
        var keepAlive: Bool
        var version: HTTPVersion
        var isHead: Bool
        var requestID: String
        var start: ContinuousClock.Instant
        /// The server span, when tracing is on and the request is an RPC route.
        var trace: RequestTrace?
    }

    private func write(_ response: GatewayResponse, label: String, exchange: Exchange) {
        let duration = ContinuousClock.now - exchange.start
        gateway.metrics.request(route: label, status: response.status, duration: duration)
        gateway.metrics.inFlight(-1)
        exchange.trace?.finish(status: response.status, code: response.code)
        if gateway.accessLog {
            gateway.logAccess(
                requestID: exchange.requestID, route: label, status: response.status, code: response.code,
                duration: duration, trace: exchange.trace?.ids)
        }
        guard let context else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 3)
        for field in response.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.replaceOrAdd(name: "x-request-id", value: exchange.requestID)
        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        if !exchange.keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let head = HTTPResponseHead(
            version: exchange.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !exchange.isHead, response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if exchange.keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    // MARK: The async path

    private func serveAsync(
        _ request: HTTPRequest, body: ByteBuffer?, exchange: Exchange, tracing: CallTracing? = nil
    ) {
        guard let context else { return }
        let gateway = self.gateway
        let eventLoop = context.eventLoop
        let writer = LoopBound(self, eventLoop: eventLoop)
        let hummingbird = Request(head: request, body: RequestBody(buffer: body ?? ByteBuffer()))
        // respond(to:) counts the request and its in-flight gauge itself.
        gateway.metrics.inFlight(-1)
        task = Task {
            let response = await gateway.respond(to: hummingbird, tracing: tracing)
            await ChannelResponseWriter.write(response, to: writer, exchange: exchange)
        }
    }

    /// Writes a Hummingbird response from the task that produced it, one part at a time on the loop.
    private struct ChannelResponseWriter: ResponseBodyWriter {
        let handler: LoopBound<HTTPConnectionHandler>
        let exchange: Exchange

        static func write(_ response: Response, to handler: LoopBound<HTTPConnectionHandler>, exchange: Exchange) async {
            let status = response.status.code
            let fields = response.headers
            let length = response.body.contentLength
            do {
                try await handler.submit { handler in
                    try handler.writeHead(status: status, fields: fields, exchange: exchange, length: length)
                }
                try await response.body.write(ChannelResponseWriter(handler: handler, exchange: exchange))
            } catch {
                _ = try? await handler.submit { handler in handler.abort() }
            }
        }

        mutating func write(_ buffer: ByteBuffer) async throws {
            guard !exchange.isHead else { return }
            try await handler.submit { handler in try handler.writeBody(buffer) }.get()
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            let exchange = self.exchange
            try await handler.submit { handler in handler.writeEnd(exchange: exchange) }
        }
    }

    /// The head of an async-path response: with its length when known, chunked otherwise (streams).
    private func writeHead(status: Int, fields: HTTPFields, exchange: Exchange, length: Int?) throws {
        exchange.trace?.finish(status: status, code: nil)
        guard isActive, let context else { throw ChannelError.ioOnClosedChannel }
        var headers = HTTPHeaders()
        for field in fields { headers.add(name: field.name.rawName, value: field.value) }
        headers.replaceOrAdd(name: "x-request-id", value: exchange.requestID)
        if !exchange.keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        if let length {
            headers.replaceOrAdd(name: "content-length", value: String(length))
        } else if !exchange.isHead {
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        context.writeAndFlush(
            wrapOutboundOut(
                .head(HTTPResponseHead(version: exchange.version, status: HTTPResponseStatus(statusCode: status), headers: headers))),
            promise: nil)
    }

    private func writeBody(_ buffer: ByteBuffer) throws -> EventLoopFuture<Void> {
        guard isActive, let context else { throw ChannelError.ioOnClosedChannel }
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
    }

    private func writeEnd(exchange: Exchange) {
        task = nil
        guard isActive, let context else { return }
        if exchange.keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func abort() {
        task = nil
        context?.close(promise: nil)
    }

    static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}

/// A value confined to an event loop, reachable from other threads by submitting work to that loop.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    private let value: Value
    let eventLoop: any EventLoop

    init(_ value: Value, eventLoop: any EventLoop) {
        self.value = value
        self.eventLoop = eventLoop
    }

    func submit<Result>(_ work: @escaping (Value) throws -> Result) async throws -> Result {
        let value = self.value
        return try await eventLoop.submit { try work(value) }.get()
    }
}
