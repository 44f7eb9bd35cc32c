import GenericCall
import HTTPTypes
import NIOCore
import NIOHTTP1

/// What a WebSocket upgrade to a streaming method was granted: the call prepared from the upgrade request (route,
/// auth, metadata), how messages travel, and the subprotocol answered.
struct WebSocketSession {
    /// How request and reply messages travel.
    enum Mode {
        /// One JSON message per text frame; replies `{"result": ...}`.
        case json
        /// One binary Protobuf message per binary frame (subprotocol `portico.proto`).
        case binary
    }

    static let jsonProtocol = "portico.json"
    static let binaryProtocol = "portico.proto"
    /// A subprotocol offer carrying a token (`bearer.<token>`), for browsers, which cannot set headers.
    static let bearerPrefix = "bearer."

    var prepared: PreparedCall
    var mode: Mode
    /// The subprotocol answered in `Sec-WebSocket-Protocol`; nil when the client offered none of ours.
    var chosenProtocol: String?
    /// The method takes one request message (server-streaming); the first message ends the request side.
    var singleRequest: Bool
    var start: ContinuousClock.Instant
    var trace: RequestTrace?

    /// The subprotocols a client offered, in order (`Sec-WebSocket-Protocol` may repeat and holds lists).
    static func offeredProtocols(_ headers: HTTPHeaders) -> [Substring] {
        headers[canonicalForm: "sec-websocket-protocol"].filter { !$0.isEmpty }
    }

    /// JSON unless the client asks for binary Protobuf; the subprotocol to answer with.
    static func mode(offered: [Substring]) -> (Mode, String?) {
        if offered.contains(where: { $0 == binaryProtocol }) { return (.binary, binaryProtocol) }
        if offered.contains(where: { $0 == jsonProtocol }) { return (.json, jsonProtocol) }
        return (.json, nil)
    }
}

/// What the upgrade decision left for the HTTP handler of the same connection. Confined to the connection's
/// event loop (the upgrader and the HTTP handler run there).
final class WebSocketUpgradeState: @unchecked Sendable {
    /// The answer to give instead of an upgrade (auth refused, concurrency limit, bad mapping): the upgrade
    /// request then reaches the HTTP handler, which writes this response.
    var refusal: Refusal?
    /// The session the upgrade opens, taken by the pipeline setup.
    var session: WebSocketSession?
    /// A proxied upgrade whose backend accepted, taken by the pipeline setup.
    var proxy: ProxiedWebSocket?
}

extension GatewayHandler {
    /// Whether an upgrade request opens a bridged session: not when its path is not a streaming method (nil: it
    /// is served as an ordinary HTTP request), a refusal to answer instead, or the session. A WebSocket upgrade is
    /// always a GET; it reaches a streaming method routed with GET, or with POST when no GET route matches.
    func webSocketSession(_ head: HTTPRequestHead) -> Result<WebSocketSession, Refusal>? {
        let start = ContinuousClock.now
        let requestID = RequestID.accept(head.headers.first(name: "x-request-id")) ?? RequestID.generate()
        let fields = HTTPConnectionHandler.fields(head.headers)
        var request = HTTPRequest(method: .get, scheme: nil, authority: nil, path: head.uri, headerFields: fields)
        var routed: RoutedRequest
        switch route(request) {
        case .success(let value) where value.isServerStream || value.isClientStream:
            routed = value
        case .success, .failure:
            request.method = .post
            guard case .success(let value) = route(request), value.isServerStream || value.isClientStream else {
                return nil
            }
            routed = value
        }
        if let rejection = headerRejection(fields) { return .failure(Refusal(label: routed.label, response: rejection)) }
        let singleRequest = !routed.isClientStream
        // Every frame is mapped as its own message: the upgrade request's (empty) body maps nothing.
        routed.isClientStream = true
        var prepared: PreparedCall
        switch prepare(routed, head: request, body: [], requestID: requestID, start: start) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let value): prepared = value
        }
        var trace: RequestTrace?
        if let tracer {
            let value = RequestTrace(
                tracer: tracer, method: "GET", target: head.uri, headers: head.headers, requestID: requestID)
            value.routed(
                routed.label, service: routed.match.route.target.serviceName,
                method: routed.match.route.target.methodName)
            let service = routed.service
            prepared.call.tracing = value.callTracing(headerPrefix: service.metadataPrefix(for: service.framing ?? .grpc))
            prepared.traceIDs = value.ids
            trace = value
        }
        let (mode, chosen) = WebSocketSession.mode(offered: WebSocketSession.offeredProtocols(head.headers))
        return .success(
            WebSocketSession(
                prepared: prepared, mode: mode, chosenProtocol: chosen, singleRequest: singleRequest, start: start,
                trace: trace))
    }
}
