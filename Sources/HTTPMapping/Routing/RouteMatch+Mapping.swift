public import DynamicCodec
extension RouteMatch {
    /// The encoded request of the matched method, built from the HTTP request by the route's convention: the
    /// google.api.http rule, the Thrift `api.*` annotations, or (generic routes) the JSON body as the whole
    /// request. Thrift requests are the method's arguments struct.
    public func request(_ request: HTTPRequestParts, options: HTTPMappingOptions = HTTPMappingOptions())
        throws(CodecError) -> [UInt8]
    {
        switch route.target {
        case .protobuf(let schema, _, let method, let rule):
            return try ProtoHTTPMapping.request(
                request, pathParameters: pathParameters, rule: rule, method: method,
                schema: schema, options: options)
        case .thrift(let schema, _, let method):
            return try ThriftHTTPMapping.request(
                request, pathParameters: pathParameters, method: method,
                schema: schema, generic: route.isGeneric, options: options)
        }
    }

    /// One request message of a stream (a WebSocket frame, an NDJSON line) in `request.body`: the whole request
    /// message, as with `body: "*"`, even when the route's rule has no body (a WebSocket upgrade is a GET), with
    /// the path variables bound into it. A blank message is built from the path and query by the route's rule.
    public func streamMessage(_ request: HTTPRequestParts, options: HTTPMappingOptions = HTTPMappingOptions())
        throws(CodecError) -> [UInt8]
    {
        guard case .protobuf(let schema, _, let method, let rule?) = route.target, rule.body == nil,
            request.body.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        else { return try self.request(request, options: options) }
        var whole = rule
        whole.body = "*"
        return try ProtoHTTPMapping.request(
            request, pathParameters: pathParameters, rule: whole, method: method, schema: schema, options: options)
    }

    /// The HTTP response for an encoded reply of the matched method (Thrift: the result struct).
    public func response(_ reply: [UInt8], options: HTTPMappingOptions = HTTPMappingOptions())
        throws(CodecError) -> HTTPResponseParts
    {
        switch route.target {
        case .protobuf(let schema, _, let method, let rule):
            return try ProtoHTTPMapping.response(reply, rule: rule, method: method, schema: schema, options: options)
        case .thrift(let schema, _, let method):
            return try ThriftHTTPMapping.response(
                reply, method: method, schema: schema, generic: route.isGeneric,
                options: options)
        }
    }
}
