import GenericCall
import NIOHTTP1
import Tracing

/// The server span of one request on the data plane: started from the incoming `traceparent`/`tracestate` (or as
/// a new trace), named by the route once it is known, parent of the backend attempts' spans, ended with the
/// response status. Only exists when tracing is on.
struct RequestTrace {
    let tracer: any Tracer
    let span: any Span
    /// The span's ids, for log lines.
    let ids: TraceIDs?

    init(tracer: any Tracer, method: String, target: String, headers: HTTPHeaders, requestID: String) {
        var context = ServiceContext.topLevel
        tracer.extract(headers, into: &context, using: HTTPHeadersExtractor())
        let span = tracer.startSpan(method, context: context, ofKind: .server)
        var attributes = SpanAttributes()
        attributes["http.request.method"] = method
        attributes["url.path"] = String(target.prefix { $0 != "?" })
        attributes["portico.request_id"] = requestID
        span.attributes = attributes
        self.tracer = tracer
        self.span = span
        ids = TraceIDs(tracer: tracer, context: span.context)
    }

    /// The request matched `route` (`GET /v1/shelves/{shelf}`), of `service`'s `method`.
    func routed(_ route: String, service: String, method: String) {
        span.operationName = route
        span.attributes["http.route"] = route
        span.attributes["rpc.service"] = service
        span.attributes["rpc.method"] = method
    }

    /// The backend call's tracing: attempts are children of this span; `prefix` goes before the propagation keys.
    func callTracing(headerPrefix: String) -> CallTracing {
        CallTracing(tracer: tracer, parent: span.context, headerPrefix: headerPrefix)
    }

    /// Ends the span with the response: error status for 5xx (a server span's own failures) with the code.
    func finish(status: Int, code: String?) {
        span.attributes["http.response.status_code"] = status
        if let code { span.attributes["portico.code"] = code }
        if status >= 500 { span.setStatus(SpanStatus(code: .error, message: code)) }
        span.end()
    }
}

/// Trace and span id of a span, as log fields: read from the `traceparent` the tracer would send, so any tracer
/// that speaks W3C trace context works.
struct TraceIDs: Sendable, Hashable {
    var traceID: String
    var spanID: String
    var flags: String

    init?(tracer: any Tracer, context: ServiceContext) {
        var fields: [String: String] = [:]
        tracer.inject(context, into: &fields, using: DictionaryInjector())
        guard let parent = fields["traceparent"] else { return nil }
        self.init(traceparent: parent)
    }

    /// Parses `00-<32 hex>-<16 hex>-<2 hex>`.
    init?(traceparent: String) {
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4, parts[1].utf8.count == 32, parts[2].utf8.count == 16, parts[3].utf8.count == 2 else {
            return nil
        }
        traceID = String(parts[1])
        spanID = String(parts[2])
        flags = String(parts[3])
    }
}

struct HTTPHeadersExtractor: Extractor {
    func extract(key: String, from carrier: HTTPHeaders) -> String? { carrier.first(name: key) }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
