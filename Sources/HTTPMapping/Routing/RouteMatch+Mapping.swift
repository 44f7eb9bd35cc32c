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
