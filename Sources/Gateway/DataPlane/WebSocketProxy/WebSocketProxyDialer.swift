import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A backend that accepted a proxied upgrade: its channel (WebSocket codec and relay installed, not reading until
/// linked to the client) and the subprotocol it chose.
struct WebSocketProxyBackend {
    var channel: any Channel
    var relay: WebSocketProxyRelay
    var subprotocol: String?
}

/// Why the backend could not be dialled or refused the upgrade; answered to the client as 502.
struct WebSocketProxyDialError: Error {
    var message: String
    var details: [String: String]

    var gatewayError: GatewayError {
        GatewayError(code: "UPGRADE_REFUSED", status: 502, message, details: details)
    }
}

/// Dials a WebSocket backend and performs the client side of the opening handshake (RFC 6455 section 4.1) with
/// the headers a proxy forwards. Written on NIO's HTTP codec rather than its client upgrader because a proxy needs
/// the status of a refused upgrade and the exact response head.
enum WebSocketProxyDialer {
    /// Request headers relayed from the client as they are (all their values).
    static let relayedHeaders = ["origin", "cookie", "authorization", "user-agent", "sec-websocket-protocol"]

    static func dial(
        _ route: WebSocketProxyRoute, target: String, client head: HTTPRequestHead, clientAddress: SocketAddress?,
        requestID: String, on eventLoop: any EventLoop, maxFrameSize: Int
    ) -> EventLoopFuture<WebSocketProxyBackend> {
        let promise = eventLoop.makePromise(of: WebSocketProxyBackend.self)
        let key = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        let request = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: target,
            headers: forwardedHeaders(route, client: head, clientAddress: clientAddress, key: key, requestID: requestID))
        let timeout = eventLoop.scheduleTask(in: TimeAmount(route.connectTimeout)) {
            promise.fail(
                WebSocketProxyDialError(
                    message: "the WebSocket backend \(route.host):\(route.port) did not accept the upgrade within \(route.connectTimeout)",
                    details: ["reason": "timeout"]))
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        let handshake = WebSocketProxyHandshake(
            request: request, expectedAccept: acceptValue(for: key), maxFrameSize: maxFrameSize, promise: promise)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(route.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(HTTPRequestEncoder())
                    try operations.addHandler(
                        ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)),
                        name: WebSocketProxyHandshake.decoderName)
                    try operations.addHandler(handshake)
                }
            }
            .connect(host: route.host, port: route.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    // A handshake that lost the race with the timeout leaves nothing open.
                    promise.futureResult.whenFailure { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.fail(
                        WebSocketProxyDialError(
                            message: "the WebSocket backend \(route.host):\(route.port) cannot be reached: \(error)",
                            details: ["reason": "connect"]))
                }
            }
        return promise.futureResult
    }

    static func forwardedHeaders(
        _ route: WebSocketProxyRoute, client head: HTTPRequestHead, clientAddress: SocketAddress?, key: String,
        requestID: String
    ) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(route.host):\(route.port)")
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Sec-WebSocket-Key", value: key)
        headers.add(name: "Sec-WebSocket-Version", value: "13")
        for name in relayedHeaders {
            for value in head.headers[name] { headers.add(name: name, value: value) }
        }
        let forwardedFor = (head.headers["x-forwarded-for"] + [clientAddress?.ipAddress].compactMap { $0 })
            .joined(separator: ", ")
        if !forwardedFor.isEmpty { headers.add(name: "X-Forwarded-For", value: forwardedFor) }
        headers.add(name: "X-Forwarded-Proto", value: head.headers.first(name: "x-forwarded-proto") ?? "http")
        if let host = head.headers.first(name: "x-forwarded-host") ?? head.headers.first(name: "host") {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        headers.add(name: "X-Request-Id", value: requestID)
        return headers
    }

    /// `Sec-WebSocket-Accept` for a key: base64 of the SHA-1 of the key and the protocol's GUID.
    static func acceptValue(for key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }
}

/// The client side of the opening handshake: writes the upgrade request, checks the answer, and on 101 swaps the
/// HTTP codec for the WebSocket one (bytes the backend sent after its 101 reach the frame decoder).
final class WebSocketProxyHandshake: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    static let decoderName = "portico.ws-proxy.http-decoder"

    private let request: HTTPRequestHead
    private let expectedAccept: String
    private let maxFrameSize: Int
    private let promise: EventLoopPromise<WebSocketProxyBackend>
    private var accepted: HTTPResponseHead?
    private var done = false

    init(
        request: HTTPRequestHead, expectedAccept: String, maxFrameSize: Int,
        promise: EventLoopPromise<WebSocketProxyBackend>
    ) {
        self.request = request
        self.expectedAccept = expectedAccept
        self.maxFrameSize = maxFrameSize
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let problem = problem(with: head) {
                refuse(context, problem, status: head.status.code)
            } else {
                accepted = head
            }
        case .body:
            break
        case .end:
            guard let head = accepted else { return }
            upgrade(context, head)
        }
    }

    private func problem(with head: HTTPResponseHead) -> String? {
        guard head.status == .switchingProtocols else {
            return "the WebSocket backend answered the upgrade with \(head.status.code) \(head.status.reasonPhrase)"
        }
        guard head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }) else {
            return "the WebSocket backend's 101 does not upgrade to websocket"
        }
        guard head.headers.first(name: "sec-websocket-accept") == expectedAccept else {
            return "the WebSocket backend's Sec-WebSocket-Accept does not match the key sent"
        }
        return nil
    }

    private func refuse(_ context: ChannelHandlerContext, _ message: String, status: UInt) {
        done = true
        promise.fail(WebSocketProxyDialError(message: message, details: ["backend_status": String(status)]))
        context.close(promise: nil)
    }

    private func upgrade(_ context: ChannelHandlerContext, _ head: HTTPResponseHead) {
        done = true
        let channel = context.channel
        let relay = WebSocketProxyRelay(side: .backend)
        do {
            let operations = channel.pipeline.syncOperations
            // Not reading until the client's side is linked; what the decoder already holds is kept by the relay.
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self)
            try operations.addHandler(
                ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)), position: .after(decoder))
            try operations.addHandler(WebSocketFrameEncoder(), position: .first)
            try operations.addHandler(relay)
            _ = operations.removeHandler(context: try operations.context(handlerType: HTTPRequestEncoder.self))
            _ = operations.removeHandler(context: context)
            _ = operations.removeHandler(decoder)
        } catch {
            refuse(context, "the WebSocket backend's connection could not be switched to WebSocket: \(error)", status: 101)
            return
        }
        let chosen = head.headers.first(name: "sec-websocket-protocol")
        promise.succeed(WebSocketProxyBackend(channel: channel, relay: relay, subprotocol: chosen))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(
                WebSocketProxyDialError(
                    message: "the WebSocket backend closed the connection during the upgrade", details: ["reason": "closed"]))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done { refuse(context, "the WebSocket backend's answer is not HTTP: \(error)", status: 0) }
    }
}
