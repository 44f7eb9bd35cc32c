public import GenericCall

/// What the gateway needs from the RPC client: the seam between the HTTP side (this module) and GenericCall.
///
/// The production implementation makes the calls with GenericCall (framing, transport, pools, balancing, retry);
/// tests use an in-process fake. Implementations must be safe to call concurrently.
public protocol BackendInvoker: Sendable {
    /// A unary call. Returns the reply message (Protobuf) or the result struct (Thrift, in the service's protocol;
    /// declared exceptions are fields of it and the gateway renders them). Throws a ``CallError`` with the exact
    /// code of shared/specs/errors.md; a call cancelled because the HTTP client went away may throw anything.
    func unary(_ call: BackendCall) async throws(CallError) -> [UInt8]

    /// A server-streaming gRPC call: the reply messages one by one. The stream ends after the last message or
    /// with a ``CallError``; the gateway stops iterating (which should cancel the call) when its client leaves.
    func serverStream(_ call: BackendCall) -> AsyncThrowingStream<[UInt8], any Error>

    /// The set of services changed (at start, and after every admin change): drop or rebuild the clients of
    /// services that are gone or changed.
    func servicesChanged(_ services: [ServiceConfig]) async
}
