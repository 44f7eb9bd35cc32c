import DynamicCodec
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Tracing

/// Serves every request: operations endpoints, the admin API, and RPC routes from the current snapshot.
final class GatewayHandler: Sendable {
    let control: GatewayControl
    let holder: RouteSnapshotHolder
    let invoker: any BackendInvoker
    let metrics: GatewayMetrics
    let logger: Logger
    let limits: GatewayConfig.Limits
    let adminToken: String?
    let limiter: RouteConcurrencyLimiter
    /// The config's auth policies with their keys loaded, by name.
    let authenticators: [String: TokenAuthenticator]
    /// Spans for RPC requests and their backend attempts; nil when tracing is off (then nothing is traced).
    let tracer: (any Tracer)?
    /// One info line per request (`telemetry.logs.access_log`).
    let accessLog: Bool
    /// SSE and WebSocket settings.
    let streamSettings: GatewayConfig.Streams
    /// Paths whose WebSocket upgrades are relayed to WebSocket backends.
    let webSocketProxies: [WebSocketProxyRoute]
    /// `/console` and `/openapi.json`.
    let console: ConsoleEndpoints
    /// Where backend calls of the async path run (the data plane uses the loop of the request's connection).
    let eventLoopGroup: any EventLoopGroup
    /// True while the server listens and is not shutting down (`/readyz`).
    let ready = Atomic<Bool>(false)

    init(
        config: GatewayConfig, control: GatewayControl, invoker: any BackendInvoker, metrics: GatewayMetrics,
        logger: Logger, eventLoopGroup: any EventLoopGroup, authenticators: [String: TokenAuthenticator],
        tracer: (any Tracer)?
    ) {
        self.authenticators = authenticators
        self.tracer = tracer
        accessLog = config.telemetry.accessLog
        streamSettings = config.streams
        webSocketProxies = config.webSocketProxies
        self.eventLoopGroup = eventLoopGroup
        self.control = control
        holder = control.holder
        self.invoker = invoker
        self.metrics = metrics
        self.logger = logger
        limits = config.limits
        adminToken = config.adminToken
        limiter = RouteConcurrencyLimiter(limit: config.limits.maxConcurrent)
        console = ConsoleEndpoints(
            settings: config.console, adminToken: config.adminToken, authPolicies: config.auth)
    }

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    /// Answers one request on the async path: the admin API, `/metrics`, streams, and in-process callers (tests).
    /// Cancelling the task cancels the backend call.
    /// `tracing`: the spans of a stream's backend call, when the data plane traced the request.
    func respond(to request: Request, tracing: CallTracing? = nil) async -> Response {
        let start = ContinuousClock.now
        let requestID = RequestID.accept(request.headers[Self.requestIDField]) ?? RequestID.generate()
        metrics.inFlight(1)
        defer { metrics.inFlight(-1) }
        let path = request.uri.path
        var label: String
        var response: Response
        if let rejection = headerRejection(request.headers) {
            label = "rejected"
            response = rejection.hummingbird
        } else if isConsoleRequest(method: request.method, path: path) {
            label = "console"
            response = consoleResponse(request, path: path)
        } else if isAdminPath(path) {
            label = "admin"
            response = await admin(request, path: path)
        } else if let operations = operations(method: request.method, path: path) {
            label = "operations"
            response = operations.hummingbird
        } else {
            (label, response) = await rpc(request, requestID: requestID, start: start, tracing: tracing)
        }
        response.headers[Self.requestIDField] = requestID
        if request.method == .head { response.body = ResponseBody() }
        metrics.request(route: label, status: response.status.code, duration: .now - start)
        return response
    }

    /// 431 when the headers exceed the configured limit.
    func headerRejection(_ fields: HTTPFields) -> GatewayResponse? {
        guard let maxHeader = limits.maxHeader else { return nil }
        let size = fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        guard size > maxHeader else { return nil }
        metrics.rejected(limit: "header")
        return GatewayResponse(
            GatewayError(
                code: "HEADERS_TOO_LARGE", status: 431, "the request headers are larger than \(maxHeader) bytes",
                details: ["limit": String(maxHeader)]))
    }

    /// The admin API's paths (served only when an admin token is configured).
    func isAdminPath(_ path: String) -> Bool {
        adminToken != nil
            && (path == "/admin/descriptors" || path.hasPrefix("/admin/descriptors/") || path == "/admin/services"
                || path.hasPrefix("/admin/services/"))
    }

    // MARK: Responses

    static let jsonType = GatewayResponse.jsonType

    static func response(_ error: GatewayError) -> Response { GatewayResponse(error).hummingbird }

    static func json(_ text: String, status: Int = 200) -> Response { GatewayResponse.json(text, status: status).hummingbird }

    /// Reads the body, refusing it with PAYLOAD_TOO_LARGE past the limit (checked against Content-Length before
    /// anything is read, then while reading).
    func collectBody(_ body: RequestBody, contentLength: String?) async throws -> [UInt8] {
        if let contentLength, let length = Int(contentLength), length > limits.maxBody {
            metrics.rejected(limit: "body")
            throw GatewayError.payloadTooLarge(limit: limits.maxBody)
        }
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limits.maxBody else {
                metrics.rejected(limit: "body")
                throw GatewayError.payloadTooLarge(limit: limits.maxBody)
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}
