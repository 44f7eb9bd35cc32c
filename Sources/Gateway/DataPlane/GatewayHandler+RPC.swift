import DynamicCodec
import HTTPMapping
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A request routed to a method, before its body is mapped.
struct RoutedRequest {
    var match: RouteMatch
    var service: ServiceConfig
    var options: HTTPMappingOptions
    /// The metrics label: `GET /v1/shelves/{shelf}`.
    var label: String
    /// The route's concurrency slot; nil when routes have no limit (nothing to give back).
    var slot: RouteSlot?
    var callerTimeout: Duration?
    var isServerStream: Bool
    /// The method takes a stream of requests (client-streaming or bidirectional): an NDJSON body over HTTP, or a
    /// WebSocket.
    var isClientStream = false
    /// The auth policy guarding the route, nil when none does.
    var authenticator: TokenAuthenticator?
}

/// A request the gateway answers itself, without a backend call: the metrics label and the response.
struct Refusal: Error {
    var label: String
    var response: GatewayResponse
}

/// A request ready to call: the backend call and what the reply mapping needs.
struct PreparedCall {
    var call: BackendCall
    var routed: RoutedRequest
    /// The request as the mapping reads it, credentials the auth policy consumed (a query token) removed.
    var parts: HTTPRequestParts
    /// The request's trace and span ids, for log lines (tracing on).
    var traceIDs: TraceIDs?
}

extension GatewayHandler {
    /// Route, concurrency slot, caller deadline. The answer to give instead when any of them refuses.
    func route(_ head: HTTPRequest) -> Result<RoutedRequest, Refusal> {
        let snapshot = holder.snapshot
        let method = head.method == .head ? "GET" : head.method.rawValue
        let parts = HTTPRequestParts(method: method, target: head.path ?? "/")
        let match: RouteMatch
        do {
            match = try snapshot.match(method: method, path: parts.path)
        } catch {
            return .failure(Refusal(label: "unmatched", response: GatewayResponse(GatewayError(error))))
        }
        let label = match.route.label
        guard let (service, options) = snapshot.service(for: match.route.target) else {
            return .failure(Refusal(label: label, response: GatewayResponse(GatewayError(CallError(.unavailable, "no service serves \(label)")))))
        }
        let authenticator: TokenAuthenticator?
        switch self.authenticator(for: service, method: match.route.target.methodName) {
        case .failure(let error): return .failure(Refusal(label: label, response: GatewayResponse(error)))
        case .success(let value): authenticator = value
        }
        var isServerStream = false
        var isClientStream = false
        if case .protobuf(_, _, let protoMethod, _) = match.route.target {
            isServerStream = protoMethod.serverStreaming
            isClientStream = protoMethod.clientStreaming
        }
        guard limiter.acquire(label) else {
            metrics.rejected(limit: "concurrency")
            var error = GatewayError(
                code: "RESOURCE_EXHAUSTED", status: 429,
                "\(label) already runs \(limiter.limit ?? 0) requests; try again later",
                details: ["limit": String(limiter.limit ?? 0)])
            error.headers = [("Retry-After", "1")]
            return .failure(Refusal(label: label, response: GatewayResponse(error)))
        }
        let slot = limiter.limit == nil ? nil : RouteSlot(limiter, route: label)
        let callerTimeout: Duration?
        do {
            callerTimeout = try CallerDeadline.timeout(
                grpc: head.headerFields[Self.grpcTimeoutField], portico: head.headerFields[Self.porticoTimeoutField])
        } catch {
            return .failure(Refusal(label: label, response: GatewayResponse(error)))
        }
        return .success(
            RoutedRequest(
                match: match, service: service, options: options, label: label, slot: slot,
                callerTimeout: callerTimeout, isServerStream: isServerStream, isClientStream: isClientStream,
                authenticator: authenticator))
    }

    /// Maps the request (head and whole body) to the backend call.
    /// For a streaming request (`routed.isClientStream`) the body is not mapped here (see
    /// ``streamMessages(_:)``): the call's payload stays empty.
    func prepare(
        _ routed: RoutedRequest, head: HTTPRequest, body: [UInt8], requestID: String, start: ContinuousClock.Instant
    ) -> Result<PreparedCall, Refusal> {
        let method = head.method == .head ? "GET" : head.method.rawValue
        var parts = HTTPRequestParts(method: method, target: head.path ?? "/")
        parts.headers = head.headerFields.map { HTTPHeader($0.name.rawName, $0.value) }
        parts.body = body
        var claims: TokenAuthenticator.Forwarded = []
        if let authenticator = routed.authenticator {
            switch authenticate(&parts, with: authenticator, route: routed.label, requestID: requestID) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let forwarded): claims = forwarded
            }
        }
        var call = BackendCall(
            service: routed.service, target: routed.match.route.target, payload: [],
            deadline: routed.callerTimeout.map { start + $0 }, start: start,
            headers: forwardedHeaders(head.headerFields, service: routed.service, requestID: requestID, claims: claims),
            requestID: requestID, hashKey: hashKey(head.headerFields, service: routed.service))
        if let rejection = ttheaderRejection(call.headers, service: routed.service) {
            metrics.rejected(limit: "header")
            return .failure(Refusal(label: routed.label, response: GatewayResponse(rejection)))
        }
        if !routed.isClientStream {
            do {
                call.payload = try routed.match.request(parts, options: routed.options)
            } catch {
                return .failure(Refusal(label: routed.label, response: GatewayResponse(Self.gatewayError(error))))
            }
        }
        return .success(PreparedCall(call: call, routed: routed, parts: parts))
    }

    /// The response for a finished unary call: the mapped reply, or the error (counted and logged).
    func finish(_ prepared: PreparedCall, result: Result<[UInt8], CallError>) -> GatewayResponse {
        let call = prepared.call
        let label = prepared.routed.label
        switch result {
        case .failure(let error):
            let logger = requestLogger(requestID: call.requestID, route: label, trace: prepared.traceIDs)
            if error.code == .cancelledByCaller { return cancelled(call, label: label, logger: logger) }
            record(error, call: call, logger: logger)
            return GatewayResponse(GatewayError(error))
        case .success(let reply):
            do {
                return Self.response(try prepared.routed.match.response(reply, options: prepared.routed.options))
            } catch {
                requestLogger(requestID: call.requestID, route: label, trace: prepared.traceIDs)
                    .warning("reply does not map to HTTP", metadata: ["error": "\(error)"])
                metrics.backendError(code: "BAD_BACKEND_REPLY", service: call.service.name)
                return GatewayResponse(GatewayError(error, reply: true))
            }
        }
    }

    /// The async path of an RPC route (in-process callers, and streams): route, read the body, map, call.
    func rpc(_ request: Request, requestID: String, start: ContinuousClock.Instant, tracing: CallTracing? = nil) async
        -> (String, Response)
    {
        let routed: RoutedRequest
        switch route(request.head) {
        case .failure(let refusal): return (refusal.label, refusal.response.hummingbird)
        case .success(let value): routed = value
        }
        defer { routed.slot?.hold() }
        let body: [UInt8]
        do {
            body = try await collectBody(request.body, contentLength: request.headers[.contentLength])
        } catch {
            return (routed.label, GatewayResponse(Self.gatewayError(error)).hummingbird)
        }
        // A reconnecting SSE client names the last event it saw: the stream resumes after it, and the backend is
        // told where to resume when the service says how (`sse_resume`).
        var head = request.head
        var firstEventID = 1
        var resumeMetadata: (String, String)?
        if routed.isServerStream, let last = request.headers[Self.lastEventIDField], !last.isEmpty {
            if let number = Int(last), number >= 0, number < Int.max { firstEventID = number + 1 }
            switch routed.service.sseResume {
            case .field(let name)?:
                let pair = Self.queryPair(name, last)
                let path = head.path ?? "/"
                head.path = path + (path.contains("?") ? "&" : "?") + pair
            case .metadata(let name)?:
                resumeMetadata = (name.lowercased(), last)
            case nil:
                break
            }
        }
        var prepared: PreparedCall
        switch prepare(routed, head: head, body: body, requestID: requestID, start: start) {
        case .failure(let refusal): return (refusal.label, refusal.response.hummingbird)
        case .success(let value): prepared = value
        }
        prepared.call.tracing = tracing
        if let (name, value) = resumeMetadata {
            let prefix = routed.service.metadataPrefix(for: routed.service.framing ?? .grpc)
            prepared.call.headers.append((prefix + name, value))
        }
        var messages: [[UInt8]]?
        if routed.isClientStream {
            switch streamMessages(prepared) {
            case .failure(let refusal): return (refusal.label, refusal.response.hummingbird)
            case .success(let value): messages = value
            }
        }
        if routed.isServerStream {
            let response = await stream(
                prepared.call, match: routed.match, options: routed.options, request: request, label: routed.label,
                slot: routed.slot, messages: messages, firstEventID: firstEventID)
            return (routed.label, response)
        }
        if let messages {
            let eventLoop = eventLoopGroup.next()
            let box = CancellationBox()
            let call = prepared
            let result = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>) in
                    eventLoop.execute { [self] in
                        let handle = startClientStream(call, messages: messages, on: eventLoop) {
                            continuation.resume(returning: $0)
                        }
                        box.attach { handle.cancel() }
                    }
                }
            } onCancel: {
                box.cancel()
            }
            return (routed.label, finish(prepared, result: result).hummingbird)
        }
        let eventLoop = eventLoopGroup.next()
        let box = CancellationBox()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], CallError>, Never>) in
                eventLoop.execute { [invoker] in
                    let handle = invoker.start(prepared.call, on: eventLoop) { continuation.resume(returning: $0) }
                    box.attach { handle.cancel() }
                }
            }
        } onCancel: {
            box.cancel()
        }
        return (routed.label, finish(prepared, result: result).hummingbird)
    }

    func cancelled(_ call: BackendCall, label: String, logger: Logger) -> GatewayResponse {
        metrics.cancelledByCaller(route: label)
        metrics.backendError(code: "CANCELLED_BY_CALLER", service: call.service.name)
        logger.notice("CANCELLED_BY_CALLER: the client went away before the reply")
        return GatewayResponse(GatewayError(CallError(.cancelledByCaller, "the client closed the connection")))
    }

    /// Counts and logs a failed call.
    func record(_ error: CallError, call: BackendCall, logger: Logger) {
        metrics.backendError(code: error.code.name, service: call.service.name)
        switch error.code {
        case .rpcTimeout: metrics.timeout(kind: "rpc")
        case .timeoutByCaller: metrics.timeout(kind: "caller")
        case .connectTimeout: metrics.timeout(kind: "connect")
        case .retryExhausted(let last):
            if let attempts = error.details["attempts"].flatMap(Int.init), attempts > 1 {
                metrics.retries(service: call.service.name, count: attempts - 1)
            }
            switch last.code {
            case .rpcTimeout: metrics.timeout(kind: "rpc")
            case .connectTimeout: metrics.timeout(kind: "connect")
            default: break
            }
        default: break
        }
        let level: Logger.Level = error.httpStatus >= 500 ? .warning : .info
        logger.log(
            level: level, "backend call failed", metadata: ["code": "\(error.code.name)", "error": "\(error.message)"])
    }

    /// The error to answer with for anything thrown before the call.
    static func gatewayError(_ error: any Error) -> GatewayError {
        switch error {
        case let error as GatewayError: error
        case let error as CodecError: GatewayError(error)
        case let error as CallError: GatewayError(error)
        default: GatewayError(code: "INVALID_ARGUMENT", status: 400, "the request could not be read: \(error)")
        }
    }

    static func response(_ parts: HTTPResponseParts) -> GatewayResponse {
        if parts.hasOnlyJSONContentType || (parts.headers.isEmpty && parts.cookies.isEmpty) {
            // The usual reply: a JSON body and no mapped headers (the fields are shared, not built per request).
            return GatewayResponse(
                status: parts.status, headers: parts.body.isEmpty ? HTTPFields() : jsonFields,
                body: ByteBuffer(bytes: parts.body))
        }
        var headers = HTTPFields()
        for header in parts.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            headers.append(HTTPField(name: name, value: header.value))
        }
        for header in parts.setCookieHeaders {
            headers.append(HTTPField(name: .setCookie, value: header.value))
        }
        if headers[.contentType] == nil, !parts.body.isEmpty { headers[.contentType] = GatewayResponse.jsonType }
        return GatewayResponse(status: parts.status, headers: headers, body: ByteBuffer(bytes: parts.body))
    }

    private static let jsonFields: HTTPFields = [.contentType: GatewayResponse.jsonType]

    static let grpcTimeoutField = HTTPField.Name("grpc-timeout")!
    static let lastEventIDField = HTTPField.Name("Last-Event-ID")!

    /// `name=value`, percent-encoded for a query string.
    static func queryPair(_ name: String, _ value: String) -> String {
        func encode(_ text: String) -> String {
            var encoded = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "~"):
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = Array("0123456789ABCDEF".utf8)
                    encoded += "%" + String(UnicodeScalar(hex[Int(byte >> 4)])) + String(UnicodeScalar(hex[Int(byte & 15)]))
                }
            }
            return encoded
        }
        return encode(name) + "=" + encode(value)
    }
    static let porticoTimeoutField = HTTPField.Name("X-Portico-Timeout")!

    /// The service's `forward_headers` the request carries, then the request id, named with the service's
    /// metadata prefix (`RPC_TRANSIT_x-tenant` for a TTHeader service, so Kitex handlers can see them).
    /// Claims forwarded from a token take the place of request headers of the same name, so a client cannot
    /// pass off its own value as a verified one.
    func forwardedHeaders(
        _ fields: HTTPFields, service: ServiceConfig, requestID: String, claims: TokenAuthenticator.Forwarded = []
    ) -> [(String, String)] {
        let prefix = service.metadataPrefix(for: service.framing ?? .framed)
        var headers: [(String, String)] = []
        for name in service.forwardHeaders {
            let lowered = name.lowercased()
            guard let field = HTTPField.Name(name), !claims.contains(where: { $0.name == lowered }) else { continue }
            for value in fields[values: field] { headers.append((prefix + lowered, value)) }
        }
        for claim in claims { headers.append((prefix + claim.name, claim.value)) }
        headers.append((prefix + "x-request-id", requestID))
        return headers
    }

    /// 431 when forwarded headers cannot travel in TTHeader string info (a value over 65,535 bytes, or more than
    /// fits its 262,140-byte header): refused here rather than failing at the framing.
    func ttheaderRejection(_ headers: [(String, String)], service: ServiceConfig) -> GatewayError? {
        guard service.framing == .ttheader else { return nil }
        var total = 0
        for (name, value) in headers {
            let size = max(name.utf8.count, value.utf8.count)
            guard size <= TTHeader.maxStringLength else {
                return GatewayError(
                    code: "HEADERS_TOO_LARGE", status: 431,
                    "header '\(name)' is \(value.utf8.count) bytes; TTHeader carries at most \(TTHeader.maxStringLength)",
                    details: ["header": name])
            }
            total += 4 + name.utf8.count + value.utf8.count
        }
        // Room for the integer info the client adds (service, method, timeout, log id).
        guard total <= TTHeader.maxHeaderLength - 4096 else {
            return GatewayError(
                code: "HEADERS_TOO_LARGE", status: 431,
                "the forwarded headers take \(total) bytes; a TTHeader header holds at most \(TTHeader.maxHeaderLength)")
        }
        return nil
    }

    func hashKey(_ fields: HTTPFields, service: ServiceConfig) -> String? {
        guard case .consistentHash(let header) = service.balance, let field = HTTPField.Name(header) else { return nil }
        return fields[field]
    }

    func requestLogger(requestID: String, route: String, trace: TraceIDs? = nil) -> Logger {
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "route"] = "\(route)"
        if let trace {
            logger[metadataKey: "trace_id"] = "\(trace.traceID)"
            logger[metadataKey: "span_id"] = "\(trace.spanID)"
            logger[metadataKey: "trace_flags"] = "\(trace.flags)"
        }
        return logger
    }

    /// A duration in milliseconds, to the microsecond.
    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1e6 + Double(attoseconds) / 1e12).rounded()) / 1000
    }

    /// The access log line of one request.
    func logAccess(
        requestID: String, route: String, status: Int, code: String?, duration: Duration, trace: TraceIDs?
    ) {
        var metadata: Logger.Metadata = [
            "status": "\(status)", "duration_ms": "\(Self.milliseconds(duration))",
        ]
        if let code { metadata["code"] = "\(code)" }
        requestLogger(requestID: requestID, route: route, trace: trace).info("request", metadata: metadata)
    }
}
