/// A ShmIPC session: one Unix-domain socket plus the shared buffer and queue regions, carrying any number
/// of streams. Create a client session with ``connect(socketPath:configuration:)``; servers get theirs from
/// ``ShmIPCListener/accept()``.
///
/// Keep the session alive while its streams are in use: dropping the last reference closes it.
public final class ShmIPCSession: Sendable {
    let core: SessionCore

    init(core: SessionCore) { self.core = core }

    deinit { core.terminate(ShmIPCError(.sessionClosed, "the session was released")) }

    /// Connects to a ShmIPC server listening on `socketPath` and runs the handshake (v3 memfd or v2 file
    /// path, per `configuration.mappingMode`) within `configuration.handshakeTimeout`.
    public static func connect(
        socketPath: String, configuration: ShmIPCConfiguration = ShmIPCConfiguration()
    ) async throws(ShmIPCError) -> ShmIPCSession {
        let result = await onThread { () -> Result<ShmIPCSession, ShmIPCError> in
            do throws(ShmIPCError) {
                return .success(
                    ShmIPCSession(core: try ClientHandshake.run(socketPath: socketPath, configuration: configuration)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The negotiated protocol version (2 or 3).
    public var protocolVersion: UInt8 { core.version }

    /// False while the session recently had to fall back to the socket (for `unhealthyPeriod`), and once
    /// it has ended. Callers may prefer other sessions meanwhile.
    public var isHealthy: Bool { core.isHealthy }

    /// Why the session ended, or nil while it is open.
    public var closeReason: ShmIPCError? { core.terminationError }

    /// Opens a new stream (client sessions only). The peer learns of it with the first flushed data.
    public func openStream() throws(ShmIPCError) -> ShmIPCStream {
        try core.openStream()
    }

    /// Waits for the next stream the client opened (server sessions only). Throws when the session ends.
    public func acceptStream() async throws(ShmIPCError) -> ShmIPCStream {
        try await core.acceptStream().get()
    }

    /// Closes the socket (there is no goodbye in the protocol: the peer ends all streams) and releases the
    /// session's memory once its streams are released. Pending reads end with `SHMIPC_SESSION_CLOSED`.
    public func close() {
        core.terminate(ShmIPCError(.sessionClosed, "the session was closed"))
    }
}
