import Synchronization

/// Everything one session owns: the socket, the mapped regions, the two queues and the stream table.
/// Streams keep a strong reference to it, so the mappings outlive every access.
final class SessionCore: @unchecked Sendable {
    enum Role: Sendable { case client, server }

    struct State {
        var streams: [UInt32: ShmIPCStream] = [:]
        var nextStreamID: UInt32 = 2
        var pendingAccepts: [ShmIPCStream] = []
        var acceptWaiters: [(id: Int, continuation: CheckedContinuation<Result<ShmIPCStream, ShmIPCError>, Never>)] = []
        var nextWaiterID = 0
        var terminated: ShmIPCError?
        var unhealthyUntil: UInt64 = 0
        /// Ids of streams a server has forgotten, so that late data for them (sent before the client saw our
        /// close) is dropped instead of opening a new stream; bounded, oldest first out.
        var forgotten = ForgottenStreams()
        /// Streams whose readable handlers the receive thread runs once it has stopped (the session ended on
        /// that thread, possibly inside a handler: no handler may run inside another).
        var endedStreams: [ShmIPCStream] = []
    }

    let role: Role
    let version: UInt8
    let configuration: ShmIPCConfiguration
    let socket: SessionSocket
    let buffer: BufferManager
    let queueRegion: SharedRegion
    let sendQueue: SharedQueue
    let receiveQueue: SharedQueue
    let state = Mutex(State())
    let pollingEvent: [UInt8]
    /// The receive thread's pthread id (0 before it starts).
    let receiveThread = Atomic<UInt>(0)
    /// Receive thread only: a drain stopped at a close element until the socket's unread bytes are handled.
    var drainDeferred = false
    /// Receive thread only: StreamClose events that arrived while the drain was deferred, applied after it.
    var closesAfterDrain: [UInt32] = []

    init(
        role: Role, version: UInt8, configuration: ShmIPCConfiguration, socket: SessionSocket,
        buffer: BufferManager, queueRegion: SharedRegion, sendQueue: SharedQueue, receiveQueue: SharedQueue
    ) {
        self.role = role
        self.version = version
        self.configuration = configuration
        self.socket = socket
        self.buffer = buffer
        self.queueRegion = queueRegion
        self.sendQueue = sendQueue
        self.receiveQueue = receiveQueue
        self.pollingEvent = Events.empty(.polling, version: version)
    }

    /// Starts the receive thread; it owns `reader` from now on.
    func start(reader: EventReader) {
        startThread { [self] in receiveLoop(reader) }
    }

    var terminationError: ShmIPCError? { state.withLock { $0.terminated } }

    func checkOpen() throws(ShmIPCError) {
        if let error = terminationError { throw error }
    }

    var isHealthy: Bool {
        state.withLock { $0.terminated == nil && monotonicNanoseconds() >= $0.unhealthyUntil }
    }

    func markUnhealthy() {
        let until = monotonicNanoseconds() + configuration.unhealthyPeriod.nanoseconds
        state.withLock { $0.unhealthyUntil = max($0.unhealthyUntil, until) }
    }

    // MARK: Streams

    func openStream() throws(ShmIPCError) -> ShmIPCStream {
        guard role == .client else {
            throw ShmIPCError(.invalidArgument, "only the client side opens streams; a server accepts them")
        }
        return try state.withLock { (state) throws(ShmIPCError) -> ShmIPCStream in
            if let error = state.terminated { throw error }
            var id = state.nextStreamID
            while state.streams[id] != nil || id < 2 { id = id &+ 1 }
            state.nextStreamID = id &+ 1
            let stream = ShmIPCStream(id: id, core: self)
            state.streams[id] = stream
            return stream
        }
    }

    func acceptStream() async -> Result<ShmIPCStream, ShmIPCError> {
        let waiterID = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Result<ShmIPCStream, ShmIPCError>? = state.withLock { state in
                    if !state.pendingAccepts.isEmpty { return .success(state.pendingAccepts.removeFirst()) }
                    if let error = state.terminated { return .failure(error) }
                    if Task.isCancelled { return .failure(ShmIPCError(.cancelled, "accepting a stream was cancelled")) }
                    state.acceptWaiters.append((waiterID, continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.acceptWaiters.firstIndex { $0.id == waiterID }.map { state.acceptWaiters.remove(at: $0) }
            }
            waiter?.continuation.resume(
                returning: .failure(ShmIPCError(.cancelled, "accepting a stream was cancelled")))
        }
    }

    /// Forgets a stream once it is over (either side closed it). A server also remembers the id for a while,
    /// so that data the client sent before it saw our close does not open a new stream.
    func removeStream(_ stream: ShmIPCStream) {
        state.withLock { state in
            guard state.streams[stream.id] === stream else { return }
            state.streams[stream.id] = nil
            if role == .server { state.forgotten.insert(stream.id) }
        }
    }

    /// Streams the session still knows (for tests and diagnostics).
    var streamCount: Int { state.withLock { $0.streams.count } }

    // MARK: Sending

    /// Wakes the peer if (and only if) it declared itself idle.
    func notifyPeer() throws(ShmIPCError) {
        if sendQueue.markWorking() { try socket.send(pollingEvent) }
    }

    /// Puts `element`, retrying a full queue as configured; the retries sleep the calling thread.
    func putBlocking(_ element: QueueElement) -> Bool {
        if sendQueue.put(element) { return true }
        for _ in 0..<configuration.queueFullRetries {
            sleepNanoseconds(configuration.queueFullRetryInterval.nanoseconds)
            if terminationError != nil { return false }
            if sendQueue.put(element) { return true }
        }
        return false
    }
}
