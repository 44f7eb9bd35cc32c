/// Settings of a ShmIPC client or server. The defaults match the deployed shmipc implementations.
public struct ShmIPCConfiguration: Sendable {
    /// How the client hands its shared memory to the server.
    public enum MappingMode: Sendable, Hashable {
        /// Protocol v3: anonymous memfds passed over the socket with SCM_RIGHTS (nothing left in /dev/shm).
        case memfd
        /// Protocol v2: files under /dev/shm whose paths are sent to the server.
        case filePath
    }

    /// Client: the handshake to use. A server accepts both whatever this says.
    public var mappingMode: MappingMode = .memfd
    /// Client: bytes of the buffer region (message bytes). Shared by all client sessions of the process that
    /// use the same settings.
    public var bufferRegionSize: Int = 32 << 20
    /// Client: the slice lists of the buffer region, ascending slice size.
    public var sliceLists: [SliceListSpec] = SliceListSpec.defaults
    /// Client: elements per queue (each session gets one queue per direction).
    public var queueCapacity: Int = 8192
    /// Client: prefix of the region names (`<prefix>_<pid>_buffer`, `<prefix>_<pid>_queue_<sessionId>`).
    public var pathPrefix: String = "/dev/shm/shmipc"
    /// Server: the directory tree a v2 client may name files in. The default, `/`, accepts any path as the
    /// deployed server does; either way only a regular file owned by the client's user, named by a plain
    /// absolute path (no `.` or `..`, no symlink at the end), is mapped (and removed when its sessions end).
    public var allowedFileDirectory: String = "/"
    /// Both: the whole handshake must finish within this time.
    public var handshakeTimeout: Duration = .seconds(1)
    /// Both: how long a session reports itself unhealthy after it had to fall back to the socket.
    public var unhealthyPeriod: Duration = .seconds(30)
    /// Server: the highest protocol version it offers (2 or 3).
    public var maximumProtocolVersion: UInt8 = 3
    /// Both: the largest event accepted from the peer (bounds FallbackData): 64 MiB of data plus its 16-byte
    /// header by default, so a larger fallback message from a peer ends the session with `SHMIPC_BAD_EVENT`.
    public var maximumEventLength: Int = (64 << 20) + 16
    /// Server: the most streams a client may have open at once.
    public var maximumStreams: Int = 65_536
    /// Both: how often a full send queue is retried, and how far apart, before `SHMIPC_QUEUE_FULL`.
    public var queueFullRetries: Int = 10
    public var queueFullRetryInterval: Duration = .milliseconds(10)
    /// Both: after a batch of received elements, how long the receive thread keeps watching the queue (with the
    /// workingFlag still set, so the peer sends no Polling event) before it sleeps on the socket. Replies that
    /// come within this time cost neither side a system call; an idle session spends at most this much CPU
    /// after its last message. Zero sleeps at once, as the deployed implementations do.
    public var receiveSpin: Duration = .microseconds(50)

    public init() {}
}
