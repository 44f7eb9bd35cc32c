/// Closing a stream. The deployed protocol has no half close: the first close, from either side, ends the
/// stream in both directions, and each side forgets it at once.
extension ShmIPCStream {
    /// Flushes what is pending and ends the stream: the peer reads end-of-stream after the data, and neither
    /// side sends anything more on it. Sent as a close element, or as a StreamClose event when the queue is
    /// full or the stream is on fallback (which keeps the order with the fallback data). After the peer's own
    /// close nothing is sent (the deployed peer expects no answer to its close) and unflushed bytes are
    /// dropped. Reads keep returning what had already arrived, then end-of-stream. Closing twice does nothing.
    public func close() throws(ShmIPCError) {
        let wasOpen = try writing.withLock { (state) throws(ShmIPCError) -> Bool in
            guard !state.closed else { return false }
            defer {
                state.closed = true
                dropPending(&state)
            }
            if core.terminationError != nil || peerClosed.load(ordering: .acquiring) { return true }
            if state.hasPending, try !flushLocked(&state, retry: true) {
                throw ShmIPCError(.queueFull, "the send queue stayed full while closing stream \(id)")
            }
            if state.fallback
                || !core.putBlocking(QueueElement(streamID: id, offsetInBuffer: 0, status: QueueElement.statusClosed))
            {
                try core.socket.send(Events.streamClose(streamID: id, version: core.version))
            } else {
                try core.notifyPeer()
            }
            return true
        }
        guard wasOpen else { return }
        let (waiter, notify) = reading.withLock { state in
            state.localClosed = true
            defer { state.waiter = nil }
            return (state.waiter, state.readableHandler != nil)
        }
        core.removeStream(self)
        waiter?.resume()
        if notify { notifyReadable() }
    }

    /// Gives back the slices of an unflushed message (the stream is closed; nobody will send them).
    private func dropPending(_ state: inout WriteState) {
        if let head = state.head {
            core.buffer.setSize(state.tailUsed, ofSlice: state.tail)
            core.buffer.freeChain(head)
        }
        state.head = nil
        state.tailUsed = 0
        state.tailCapacity = 0
        state.heap.removeAll()
    }
}
