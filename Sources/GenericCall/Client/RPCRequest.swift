public import DynamicCodec

/// A key/value pair carried with a call: TTHeader string info, gRPC metadata.
public struct RPCHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One call, already encoded: what the client sends, whatever the framing.
public struct RPCRequest: Sendable {
    /// `package.Service` for Protobuf (the gRPC path), the IDL service name for Thrift (TTHeader ToService).
    public var service: String
    public var method: String
    /// The Thrift arguments struct (`method_args`) or the Protobuf request message.
    public var payload: [UInt8]
    public var headers: [RPCHeader]
    /// A Thrift `oneway` method: no reply is read.
    public var isOneway: Bool
    /// Key for consistent-hash balancing.
    public var hashKey: String?

    public init(
        service: String, method: String, payload: [UInt8], headers: [RPCHeader] = [], isOneway: Bool = false,
        hashKey: String? = nil
    ) {
        self.service = service
        self.method = method
        self.payload = payload
        self.headers = headers
        self.isOneway = isOneway
        self.hashKey = hashKey
    }
}

/// A successful reply.
public struct RPCReply: Sendable {
    /// The Thrift result struct (`method_result`: field 0 success, then declared exceptions) or the Protobuf reply.
    public var payload: [UInt8]
    /// TTHeader string info or gRPC initial and trailing metadata.
    public var headers: [RPCHeader]
    /// Attempts made (1 without retries).
    public var attempts: Int
    public var endpoint: Endpoint

    public init(payload: [UInt8], headers: [RPCHeader] = [], attempts: Int = 1, endpoint: Endpoint) {
        self.payload = payload
        self.headers = headers
        self.attempts = attempts
        self.endpoint = endpoint
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}
