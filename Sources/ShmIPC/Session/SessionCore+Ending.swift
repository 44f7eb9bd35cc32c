import Glibc

/// How a session ends: once, for every stream and waiter, without a handler running inside another.
extension SessionCore {
    /// Ends the session once: the socket is shut down, every stream and waiter learns `error`.
    /// Locally closed sessions drop unread data; a lost peer lets streams (accepted or not yet) read what
    /// already arrived.
    func terminate(_ error: ShmIPCError) {
        let taken = state.withLock {
            state -> ([ShmIPCStream], [CheckedContinuation<Result<ShmIPCStream, ShmIPCError>, Never>])? in
            guard state.terminated == nil else { return nil }
            state.terminated = error
            let streams = Array(state.streams.values)
            state.streams.removeAll()
            // Streams the peer opened before it went away stay acceptable, to read what they carried.
            if error.code == .sessionClosed { state.pendingAccepts.removeAll() }
            let waiters = state.acceptWaiters.map(\.continuation)
            state.acceptWaiters.removeAll()
            return (streams, waiters)
        }
        guard let (streams, waiters) = taken else { return }
        socket.shutdown()
        queueRegion.unlinkNow()
        // The client's region (and a v2 file) goes with its last session; a server removes a v2 client's buffer
        // file after the last session using it, and its queue file (above) at once.
        switch role {
        case .client: BufferRegionRegistry.release(buffer)
        case .server: ServerBufferRegistry.release(buffer)
        }
        let discard = error.code == .sessionClosed
        // On the receive thread this may be inside a readable handler: the handlers run after the thread stops.
        let deferHandlers = isReceiveThread
        for stream in streams { stream.sessionEnded(error, discardUnread: discard, notify: !deferHandlers) }
        if deferHandlers { state.withLock { $0.endedStreams = streams } }
        for waiter in waiters { waiter.resume(returning: .failure(error)) }
    }

    /// Ends the session if the peer shrank a region under us: the mapping now reads as zeros (``MappingGuard``).
    func checkMappings() throws(ShmIPCError) {
        guard buffer.region.isRevoked || queueRegion.isRevoked else { return }
        let error = ShmIPCError(.badMapping, "the peer shrank the shared memory under the session")
        terminate(error)
        throw error
    }

    /// Whether the caller runs on this session's receive thread.
    var isReceiveThread: Bool {
        let thread = receiveThread.load(ordering: .acquiring)
        return thread != 0 && pthread_equal(pthread_t(thread), pthread_self()) != 0
    }

    /// Run by the receive thread as it stops: the readable handlers that `terminate` left to it.
    func notifyEndedStreams() {
        let streams = state.withLock { state in
            defer { state.endedStreams.removeAll() }
            return state.endedStreams
        }
        for stream in streams { stream.notifyReadable() }
    }
}
