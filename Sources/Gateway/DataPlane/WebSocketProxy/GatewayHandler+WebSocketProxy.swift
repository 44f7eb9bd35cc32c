import NIOCore
import NIOHTTP1

/// An upgrade the backend accepted, waiting for the client's 101 to be written.
struct ProxiedWebSocket {
    var backend: WebSocketProxyBackend
    var label: String
    var requestID: String
    var start: ContinuousClock.Instant
}

extension GatewayHandler {
    /// The WebSocket proxy route an upgrade request takes and its backend target, or nil.
    func webSocketProxy(_ head: HTTPRequestHead) -> (route: WebSocketProxyRoute, target: String)? {
        for route in webSocketProxies {
            if let target = route.backendTarget(for: head.uri) { return (route, target) }
        }
        return nil
    }

    /// Dials the backend of a proxied upgrade on the client connection's loop; a backend that cannot be reached
    /// or refuses is a 502 refusal answered as HTTP. The backend is closed if the client goes before the link.
    func dialWebSocketProxy(
        _ route: WebSocketProxyRoute, target: String, head: HTTPRequestHead, channel: any Channel
    ) -> EventLoopFuture<Result<ProxiedWebSocket, Refusal>> {
        let start = ContinuousClock.now
        let label = "ws-proxy \(route.path)"
        if let rejection = headerRejection(HTTPConnectionHandler.fields(head.headers)) {
            return channel.eventLoop.makeSucceededFuture(.failure(Refusal(label: label, response: rejection)))
        }
        let requestID = RequestID.accept(head.headers.first(name: "x-request-id")) ?? RequestID.generate()
        return WebSocketProxyDialer.dial(
            route, target: target, client: head, clientAddress: channel.remoteAddress, requestID: requestID,
            on: channel.eventLoop, maxFrameSize: streamSettings.maxWebSocketMessage
        ).map { backend -> Result<ProxiedWebSocket, Refusal> in
            channel.closeFuture.whenComplete { _ in
                if !backend.relay.linked { backend.channel.close(promise: nil) }
            }
            return .success(ProxiedWebSocket(backend: backend, label: label, requestID: requestID, start: start))
        }.recover { error in
            let failure = (error as? WebSocketProxyDialError)?.gatewayError
                ?? GatewayError(code: "UPGRADE_REFUSED", status: 502, "the WebSocket backend failed: \(error)")
            self.metrics.backendError(code: failure.code, service: label)
            return .failure(Refusal(label: label, response: GatewayResponse(failure)))
        }
    }

    /// Links an upgraded client connection to its backend and counts the session until the client's side ends.
    func startWebSocketProxy(_ proxied: ProxiedWebSocket, client channel: any Channel) throws {
        let relay = WebSocketProxyRelay(side: .client)
        try channel.pipeline.syncOperations.addHandler(relay)
        metrics.webSocketSessions(1)
        relay.onClosed = { [self] in
            let duration = ContinuousClock.now - proxied.start
            metrics.webSocketSessions(-1)
            metrics.request(route: proxied.label, status: 101, duration: duration)
            if accessLog {
                logAccess(
                    requestID: proxied.requestID, route: proxied.label, status: 101, code: nil, duration: duration,
                    trace: nil)
            }
        }
        WebSocketProxyRelay.link(client: relay, backend: proxied.backend.relay)
    }
}
