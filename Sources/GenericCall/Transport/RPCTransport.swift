/// A way to open byte-stream connections to endpoints. TCP (SwiftNIO) and ShmIPC implement it; the client above
/// does the framing, pooling, balancing, timeouts and retries the same way for both.
public protocol RPCTransport: Sendable {
    /// Opens a connection whose incoming bytes are split into frames by `codec`. Throws CONNECT_TIMEOUT,
    /// UNAVAILABLE (refused, unreachable) — errors that mean the request never left.
    func connect(to endpoint: Endpoint, codec: MessageCodec, timeout: Duration) async throws(CallError)
        -> any RPCConnection
}

/// One open connection carrying request frames out and reply frames back, matched by sequence id.
public protocol RPCConnection: AnyObject, Sendable {
    /// Sends `frame` and waits for the reply with `sequenceID`. A reply for a sequence id nobody waits for (a late
    /// reply after a timeout) is dropped. Honours task cancellation: the wait ends, the id is forgotten.
    /// Throws BACKEND_CLOSED when the connection ends first, BAD_BACKEND_REPLY on a malformed frame.
    func roundTrip(_ frame: [UInt8], sequenceID: Int32) async throws(CallError) -> WireEnvelope
    /// Sends a frame that gets no reply (Thrift oneway).
    func send(_ frame: [UInt8]) async throws(CallError)
    /// Whether new calls may use the connection.
    var isUsable: Bool { get }
    /// Calls waiting for a reply on it.
    var pendingCount: Int { get }
    func close()
}
