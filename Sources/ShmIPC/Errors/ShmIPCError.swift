/// The one error type of ShmIPC: a stable machine-readable ``code`` plus a message a person can act on.
///
/// Codes never change once published, so callers (and the GenericCall transport) may switch on them.
public struct ShmIPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code such as `SHMIPC_BAD_MAGIC`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An event header did not carry the magic 0x7758.
        public static let badMagic = Code(rawValue: "SHMIPC_BAD_MAGIC")
        /// A protocol version the peer or we cannot use (0, or not 2/3 in a handshake).
        public static let badVersion = Code(rawValue: "SHMIPC_BAD_VERSION")
        /// A malformed event: unknown type, impossible length, truncated payload.
        public static let badEvent = Code(rawValue: "SHMIPC_BAD_EVENT")
        /// A well-formed event that is not allowed at this point of the protocol.
        public static let unexpectedEvent = Code(rawValue: "SHMIPC_UNEXPECTED_EVENT")
        /// The handshake did not finish within the configured time.
        public static let handshakeTimeout = Code(rawValue: "SHMIPC_HANDSHAKE_TIMEOUT")
        /// The handshake failed for another reason (see the message).
        public static let handshakeFailed = Code(rawValue: "SHMIPC_HANDSHAKE_FAILED")
        /// A shared-memory region whose layout is invalid (sizes, list headers, queue capacity).
        public static let badMapping = Code(rawValue: "SHMIPC_BAD_MAPPING")
        /// A peer-supplied offset or length points outside the buffer region or at no slice.
        public static let badOffset = Code(rawValue: "SHMIPC_BAD_OFFSET")
        /// A peer-supplied stream id is not acceptable.
        public static let badStreamID = Code(rawValue: "SHMIPC_BAD_STREAM_ID")
        /// The send queue stayed full through all retries.
        public static let queueFull = Code(rawValue: "SHMIPC_QUEUE_FULL")
        /// The peer closed the connection or died; streams that had not ended end with this.
        public static let peerGone = Code(rawValue: "SHMIPC_PEER_GONE")
        /// The session was closed locally.
        public static let sessionClosed = Code(rawValue: "SHMIPC_SESSION_CLOSED")
        /// The stream was closed locally; no more writes (or reads after a local abort).
        public static let streamClosed = Code(rawValue: "SHMIPC_STREAM_CLOSED")
        /// An invalid argument or configuration.
        public static let invalidArgument = Code(rawValue: "SHMIPC_INVALID_ARGUMENT")
        /// A system call failed (the message names it and the errno).
        public static let system = Code(rawValue: "SHMIPC_SYSTEM")
        /// The operation was cancelled by its task.
        public static let cancelled = Code(rawValue: "SHMIPC_CANCELLED")
    }

    /// The stable code.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension ShmIPCError {
    @inline(never)
    static func system(_ call: String, errno value: Int32) -> ShmIPCError {
        ShmIPCError(.system, "\(call) failed: \(errnoDescription(value)) (errno \(value))")
    }
}
