/// What the session's receive thread (or the session's end) tells a stream: data, the peer's close, the end.
extension ShmIPCStream {
    /// Hands over received data; released at once when the stream is already over.
    func enqueue(_ chunk: Chunk) {
        let (accepted, waiter, notify) = reading.withLock { state in
            guard !state.isOver, state.failure == nil else {
                return (false, nil as CheckedContinuation<Void, Never>?, false)
            }
            state.chunks.append(chunk)
            defer { state.waiter = nil }
            return (true, state.waiter, state.readableHandler != nil)
        }
        if !accepted { chunk.release(core.buffer) }
        waiter?.resume()
        if notify { notifyReadable() }
    }

    /// The peer closed the stream. There is no half close: the stream is over, the session forgets it, and
    /// reads return what had already arrived, then end-of-stream.
    func remoteClosed() {
        peerClosed.store(true, ordering: .releasing)
        let (waiter, notify) = reading.withLock { state in
            state.remoteClosed = true
            defer { state.waiter = nil }
            return (state.waiter, state.readableHandler != nil)
        }
        core.removeStream(self)
        waiter?.resume()
        if notify { notifyReadable() }
    }

    /// The session ended with `error`. With `notify` false the caller runs the readable handler later
    /// (the receive thread does so once it has stopped, so that no handler runs inside another).
    func sessionEnded(_ error: ShmIPCError, discardUnread: Bool, notify: Bool) {
        let buffer = core.buffer
        let (waiter, hasHandler) = reading.withLock { state in
            if !state.isOver && state.failure == nil { state.failure = error }
            if discardUnread {
                for chunk in state.chunks[state.first...] { chunk.release(buffer) }
                state.chunks.removeAll()
                state.first = 0
                state.consumed = 0
            }
            defer { state.waiter = nil }
            return (state.waiter, state.readableHandler != nil)
        }
        waiter?.resume()
        if notify && hasHandler { notifyReadable() }
    }
}
