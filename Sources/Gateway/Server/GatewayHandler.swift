import DynamicCodec
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

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
    let connections = ConnectionWatches()
    /// True while the server listens and is not shutting down (`/readyz`).
    let ready = Atomic<Bool>(false)

    init(
        config: GatewayConfig, control: GatewayControl, invoker: any BackendInvoker, metrics: GatewayMetrics,
        logger: Logger
    ) {
        self.control = control
        holder = control.holder
        self.invoker = invoker
        self.metrics = metrics
        self.logger = logger
        limits = config.limits
        adminToken = config.adminToken
        limiter = RouteConcurrencyLimiter(limit: config.limits.maxConcurrent)
    }

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    /// Answers one request. `channel`: the connection it came from, whose closing cancels the backend call (nil
    /// for requests built in-process, as in tests).
    func respond(to request: Request, channel: (any Channel)? = nil) async -> Response {
        let start = ContinuousClock.now
        let requestID = RequestID.accept(request.headers[Self.requestIDField]) ?? RequestID.generate()
        metrics.inFlight(1)
        defer { metrics.inFlight(-1) }
        let path = request.uri.path
        var label: String
        var response: Response
        if let maxHeader = limits.maxHeader, headerSize(request) > maxHeader {
            label = "rejected"
            metrics.rejected(limit: "header")
            response = Self.response(
                GatewayError(
                    code: "HEADERS_TOO_LARGE", status: 431, "the request headers are larger than \(maxHeader) bytes",
                    details: ["limit": String(maxHeader)]))
        } else if adminToken != nil,
            path == "/admin/descriptors" || path.hasPrefix("/admin/descriptors/")
                || path == "/admin/services" || path.hasPrefix("/admin/services/")
        {
            label = "admin"
            response = await admin(request, path: path)
        } else if let operations = operations(request, path: path) {
            label = "operations"
            response = operations
        } else {
            (label, response) = await rpc(request, requestID: requestID, start: start, channel: channel)
        }
        response.headers[Self.requestIDField] = requestID
        if request.method == .head { response.body = ResponseBody() }
        metrics.request(route: label, status: response.status.code, duration: .now - start)
        return response
    }

    private func headerSize(_ request: Request) -> Int {
        request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }

    // MARK: Responses

    static let jsonType = "application/json"

    static func response(_ error: GatewayError) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = jsonType
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: error.body)))
    }

    static func json(_ text: String, status: Int = 200) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: jsonType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

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
