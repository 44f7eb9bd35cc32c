import DynamicCodec
import HTTPMapping
import GenericCall
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension GatewayHandler {
    /// route -> request mapping -> backend call -> reply mapping. Returns the metrics label (the route template,
    /// or `unmatched`) and the response.
    func rpc(_ request: Request, requestID: String, start: ContinuousClock.Instant, channel: (any Channel)?) async
        -> (String, Response)
    {
        let snapshot = holder.snapshot
        let method = request.method == .head ? "GET" : request.method.rawValue
        let target = request.head.path ?? "/"
        var parts = HTTPRequestParts(method: method, target: target)
        let match: RouteMatch
        do {
            match = try snapshot.match(method: method, path: parts.path)
        } catch {
            return ("unmatched", Self.response(GatewayError(error)))
        }
        let label = "\(match.route.httpMethod) \(match.route.template)"
        guard let (service, options) = snapshot.service(for: match.route.target) else {
            return (label, Self.response(GatewayError(CallError(.unavailable, "no service serves \(label)"))))
        }
        guard limiter.acquire(label) else {
            metrics.rejected(limit: "concurrency")
            var error = GatewayError(
                code: "RESOURCE_EXHAUSTED", status: 429,
                "\(label) already runs \(limiter.limit ?? 0) requests; try again later",
                details: ["limit": String(limiter.limit ?? 0)])
            error.headers = [("Retry-After", "1")]
            return (label, Self.response(error))
        }
        let slot = RouteSlot(limiter, route: label)
        defer { slot.hold() }
        let callerTimeout: Duration?
        do {
            callerTimeout = try CallerDeadline.timeout(
                grpc: request.headers[Self.grpcTimeoutField], portico: request.headers[Self.porticoTimeoutField])
        } catch {
            return (label, Self.response(error))
        }
        parts.headers = request.headers.map { HTTPHeader($0.name.rawName, $0.value) }
        var call = BackendCall(
            service: service, target: match.route.target, payload: [], deadline: callerTimeout.map { start + $0 },
            start: start, headers: forwardedHeaders(request, service: service, requestID: requestID),
            requestID: requestID, hashKey: hashKey(request, service: service))

        if case .protobuf(_, _, let protoMethod, _) = match.route.target {
            if protoMethod.clientStreaming {
                return (
                    label,
                    Self.response(
                        GatewayError(
                            code: "UNIMPLEMENTED", status: 501,
                            "\(protoMethod.fullName) is client-streaming, which HTTP/JSON routes do not serve"))
                )
            }
            if protoMethod.serverStreaming {
                do {
                    parts.body = try await collectBody(request.body, contentLength: request.headers[.contentLength])
                    call.payload = try match.request(parts, options: options)
                } catch {
                    return (label, Self.response(Self.gatewayError(error)))
                }
                let response = await stream(
                    call, match: match, options: options, request: request, label: label, slot: slot)
                return (label, response)
            }
        }

        let response = await unary(
            call, parts: parts, body: request.body, contentLength: request.headers[.contentLength], match: match,
            options: options, label: label, watch: channel.flatMap { connections.watch(for: $0) })
        return (label, response)
    }

    private func unary(
        _ call: BackendCall, parts: HTTPRequestParts, body: RequestBody, contentLength: String?, match: RouteMatch,
        options: HTTPMappingOptions, label: String, watch: ConnectionWatch?
    ) async -> Response {
        // Made only when something is logged: building its metadata on every request was measurable.
        var logger: Logger { requestLogger(requestID: call.requestID, route: label) }
        var call = call
        var parts = parts
        do {
            parts.body = try await collectBody(body, contentLength: contentLength)
            call.payload = try match.request(parts, options: options)
        } catch {
            if Task.isCancelled { return cancelled(call, label: label, logger: logger) }
            return Self.response(Self.gatewayError(error))
        }
        let reply: [UInt8]
        let finalCall = call
        do {
            reply = try await CallRace.run(
                deadline: call.effectiveDeadline, deadlineError: { Self.deadlineError(finalCall) }, watch: watch
            ) { [invoker] () throws(CallError) in
                try await invoker.unary(finalCall)
            }.get()
        } catch {
            if error.code == .cancelledByCaller || Task.isCancelled {
                return cancelled(call, label: label, logger: logger)
            }
            record(error, call: call, logger: logger)
            return Self.response(GatewayError(error))
        }
        do {
            let mapped = try match.response(reply, options: options)
            return Self.response(mapped)
        } catch {
            logger.warning("reply does not map to HTTP", metadata: ["error": "\(error)"])
            metrics.backendError(code: "BAD_BACKEND_REPLY", service: call.service.name)
            return Self.response(GatewayError(error, reply: true))
        }
    }

    static func deadlineError(_ call: BackendCall) -> CallError {
        if call.callerDeadlineIsEarlier {
            return CallError(.timeoutByCaller, "the caller's deadline passed before the backend replied")
        }
        return CallError(
            .rpcTimeout, "no reply within the RPC timeout of \(ConfigUnits.format(call.rpcTimeout))",
            details: ["timeout": ConfigUnits.format(call.rpcTimeout)])
    }

    func cancelled(_ call: BackendCall, label: String, logger: Logger) -> Response {
        metrics.cancelledByCaller(route: label)
        metrics.backendError(code: "CANCELLED_BY_CALLER", service: call.service.name)
        logger.notice("CANCELLED_BY_CALLER: the client went away before the reply")
        return Self.response(GatewayError(CallError(.cancelledByCaller, "the client closed the connection")))
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

    static func response(_ parts: HTTPResponseParts) -> Response {
        var headers = HTTPFields()
        for header in parts.headers + parts.setCookieHeaders {
            guard let name = HTTPField.Name(header.name) else { continue }
            headers.append(HTTPField(name: name, value: header.value))
        }
        if headers[.contentType] == nil, !parts.body.isEmpty { headers[.contentType] = jsonType }
        return Response(
            status: HTTPResponse.Status(code: parts.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: parts.body)))
    }

    static let grpcTimeoutField = HTTPField.Name("grpc-timeout")!
    static let porticoTimeoutField = HTTPField.Name("X-Portico-Timeout")!

    func forwardedHeaders(_ request: Request, service: ServiceConfig, requestID: String) -> [(String, String)] {
        var headers: [(String, String)] = []
        for name in service.forwardHeaders {
            guard let field = HTTPField.Name(name) else { continue }
            for value in request.headers[values: field] { headers.append((name.lowercased(), value)) }
        }
        headers.append(("x-request-id", requestID))
        return headers
    }

    func hashKey(_ request: Request, service: ServiceConfig) -> String? {
        guard case .consistentHash(let header) = service.balance, let field = HTTPField.Name(header) else { return nil }
        return request.headers[field]
    }

    func requestLogger(requestID: String, route: String) -> Logger {
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "route"] = "\(route)"
        return logger
    }
}
