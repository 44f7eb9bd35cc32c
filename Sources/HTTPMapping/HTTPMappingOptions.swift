public import DynamicCodec
/// Options of the HTTP request and response mappings.
public struct HTTPMappingOptions: Sendable, Hashable {
    /// Reject query parameters and JSON keys the request type does not have (UNKNOWN_FIELD) instead of ignoring
    /// them.
    public var strict: Bool
    /// How replies are written as JSON (proto3 JSON options; `ignoreUnknownFields` is set from ``strict``).
    public var protoJSON: ProtoJSONOptions
    /// How Thrift JSON bodies are read and replies written (`ignoreUnknownFields` is set from ``strict``).
    public var thriftJSON: ThriftJSONOptions
    /// The Thrift protocol request structs are encoded with and replies are read with.
    public var thriftProtocol: ThriftProtocol
    public var limits: CodecLimits

    public init(
        strict: Bool = false, protoJSON: ProtoJSONOptions = ProtoJSONOptions(),
        thriftJSON: ThriftJSONOptions = ThriftJSONOptions(), thriftProtocol: ThriftProtocol = .binary,
        limits: CodecLimits = .default
    ) {
        self.strict = strict
        self.protoJSON = protoJSON
        self.thriftJSON = thriftJSON
        self.thriftProtocol = thriftProtocol
        self.limits = limits
    }

    /// The Thrift JSON options for reading request bodies and writing replies.
    var thriftJSONOptions: ThriftJSONOptions {
        var options = thriftJSON
        options.ignoreUnknownFields = !strict
        options.limits = limits
        return options
    }

    /// The JSON options for reading request bodies.
    var requestJSON: ProtoJSONOptions {
        var options = protoJSON
        options.ignoreUnknownFields = !strict
        options.limits = limits
        return options
    }
}
