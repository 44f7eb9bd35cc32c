/// Writing: bytes go into slices of the shared buffer (a chain when they exceed one slice), and a flush
/// publishes the chain as one queue element.
extension ShmIPCStream {
    /// Appends `bytes` to the pending message. Nothing reaches the peer before ``flush()``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ShmIPCError) {
        try writing.withLock { (state) throws(ShmIPCError) in
            try checkWritable(state)
            guard state.reservation == nil else {
                throw ShmIPCError(.invalidArgument, "commit the reserved bytes of stream \(id) before writing more")
            }
            try core.checkOpen()
            append(bytes, to: &state)
        }
    }

    /// Appends `bytes` to the pending message.
    public func write(_ bytes: [UInt8]) throws(ShmIPCError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ShmIPCError) in try write(raw) }
        }
        try result.get()
    }

    /// Zero-copy writing: returns `count` writable bytes, inside one shared-memory slice whenever a slice of
    /// that size is free (otherwise a scratch buffer copied at commit). Write into them, then call
    /// ``commit(_:)`` with how many bytes you used. The pointer is valid until the commit.
    public func reserve(_ count: Int) throws(ShmIPCError) -> UnsafeMutableRawBufferPointer {
        try writing.withLock { (state) throws(ShmIPCError) -> UnsafeMutableRawBufferPointer in
            try checkWritable(state)
            guard state.reservation == nil else {
                throw ShmIPCError(.invalidArgument, "stream \(id) already has reserved bytes")
            }
            guard count >= 0 else { throw ShmIPCError(.invalidArgument, "cannot reserve \(count) bytes") }
            try core.checkOpen()
            let buffer = core.buffer
            if !state.fallback, count <= buffer.largestSliceCapacity {
                if state.head == nil || state.tailCapacity - state.tailUsed < count,
                    let slice = buffer.allocateContiguous(count)
                {
                    appendSlice(slice, to: &state)
                }
                if state.head != nil, state.tailCapacity - state.tailUsed >= count {
                    state.reservation = .slice(count: count)
                    return UnsafeMutableRawBufferPointer(
                        start: buffer.dataPointer(ofSlice: state.tail) + state.tailUsed, count: count)
                }
            }
            if (state.scratch?.count ?? 0) < count {
                state.scratch?.deallocate()
                state.scratch = .allocate(byteCount: max(count, 1), alignment: 16)
            }
            state.reservation = .scratch(count: count)
            return UnsafeMutableRawBufferPointer(rebasing: state.scratch![0..<count])
        }
    }

    /// Publishes `count` bytes of the last ``reserve(_:)`` into the pending message.
    public func commit(_ count: Int) throws(ShmIPCError) {
        try writing.withLock { (state) throws(ShmIPCError) in
            guard let reservation = state.reservation else {
                throw ShmIPCError(.invalidArgument, "stream \(id) has no reserved bytes to commit")
            }
            state.reservation = nil
            switch reservation {
            case .slice(let reserved):
                guard count >= 0, count <= reserved else {
                    throw ShmIPCError(.invalidArgument, "committing \(count) of \(reserved) reserved bytes")
                }
                state.tailUsed += count
            case .scratch(let reserved):
                guard count >= 0, count <= reserved else {
                    throw ShmIPCError(.invalidArgument, "committing \(count) of \(reserved) reserved bytes")
                }
                append(UnsafeRawBufferPointer(rebasing: state.scratch![0..<count]), to: &state)
            }
        }
    }

    /// Publishes the pending bytes to the peer. A full queue is retried (10 x 10 ms by default) before
    /// failing with `SHMIPC_QUEUE_FULL`; the data then stays pending.
    public func flush() async throws(ShmIPCError) {
        var attempt = 0
        while true {
            let queued = try writing.withLock { (state) throws(ShmIPCError) -> Bool in
                guard state.reservation == nil else {
                    throw ShmIPCError(.invalidArgument, "commit the reserved bytes of stream \(id) before flushing")
                }
                guard state.hasPending else { return true }
                try core.checkOpen()
                try checkWritable(state)
                return try flushLocked(&state, retry: false)
            }
            if queued { return }
            attempt += 1
            guard attempt <= core.configuration.queueFullRetries else {
                throw ShmIPCError(.queueFull, "the send queue of \(core.sendQueue.capacity) elements stayed full")
            }
            do {
                try await Task.sleep(nanoseconds: core.configuration.queueFullRetryInterval.nanoseconds)
            } catch {
                throw ShmIPCError(.cancelled, "flushing stream \(id) was cancelled")
            }
        }
    }

    /// Like ``flush()``, but sleeps the calling thread while retrying a full queue; for callers outside
    /// Swift concurrency (the poll API).
    public func flushBlocking() throws(ShmIPCError) {
        try writing.withLock { (state) throws(ShmIPCError) in
            guard state.reservation == nil else {
                throw ShmIPCError(.invalidArgument, "commit the reserved bytes of stream \(id) before flushing")
            }
            guard state.hasPending else { return }
            try core.checkOpen()
            try checkWritable(state)
            guard try flushLocked(&state, retry: true) else {
                throw ShmIPCError(.queueFull, "the send queue of \(core.sendQueue.capacity) elements stayed full")
            }
        }
    }

    /// Writes `bytes` and flushes them: one message for the peer.
    public func writeMessage(_ bytes: [UInt8]) async throws(ShmIPCError) {
        try write(bytes)
        try await flush()
    }

    /// Writes `bytes` and flushes them: one message for the peer.
    public func writeMessage(_ bytes: UnsafeRawBufferPointer) async throws(ShmIPCError) {
        try write(bytes)
        try await flush()
    }

    // MARK: Internals (called with the write lock held)

    /// Writing ends with our close, and with the peer's: the deployed peer has no half close and expects
    /// nothing on a stream after it closed it.
    func checkWritable(_ state: WriteState) throws(ShmIPCError) {
        guard !state.closed else { throw ShmIPCError(.streamClosed, "stream \(id) is closed for writing") }
        guard !peerClosed.load(ordering: .acquiring) else {
            throw ShmIPCError(.streamClosed, "the peer closed stream \(id); nothing more can be sent on it")
        }
    }

    /// The most data one FallbackData event carries (the deployed receiver's cap on an event's length).
    static let largestFallbackData = 64 << 20

    /// Returns false when the queue was full (after the retries, if `retry`).
    func flushLocked(_ state: inout WriteState, retry: Bool) throws(ShmIPCError) -> Bool {
        if state.fallback {
            // One event per 64 MiB: the deployed receiver accepts no larger event.
            let sent = state.heap.withUnsafeBytes { raw in
                Result { () throws(ShmIPCError) in
                    var offset = 0
                    repeat {
                        let count = min(raw.count - offset, Self.largestFallbackData)
                        let prefix = Events.fallbackPrefix(
                            streamID: id, status: QueueElement.statusData, dataCount: count, version: core.version)
                        try core.socket.send(prefix, UnsafeRawBufferPointer(rebasing: raw[offset..<offset + count]))
                        offset += count
                    } while offset < raw.count
                }
            }
            try sent.get()
            state.heap.removeAll(keepingCapacity: state.heap.capacity <= 1 << 20)
            return true
        }
        guard let head = state.head else { return true }
        core.buffer.setSize(state.tailUsed, ofSlice: state.tail)
        let element = QueueElement(streamID: id, offsetInBuffer: head, status: QueueElement.statusData)
        let queued = retry ? core.putBlocking(element) : core.sendQueue.put(element)
        guard queued else { return false }
        state.head = nil
        state.tailUsed = 0
        state.tailCapacity = 0
        try core.checkMappings()
        try core.notifyPeer()
        return true
    }

    private func appendSlice(_ slice: UInt32, to state: inout WriteState) {
        let buffer = core.buffer
        if state.head == nil {
            state.head = slice
        } else {
            buffer.setSize(state.tailUsed, ofSlice: state.tail)
            buffer.link(state.tail, to: slice)
        }
        state.tail = slice
        state.tailUsed = 0
        state.tailCapacity = buffer.capacity(ofSlice: slice)
    }

    private func append(_ bytes: UnsafeRawBufferPointer, to state: inout WriteState) {
        guard !bytes.isEmpty else { return }
        if state.fallback {
            state.heap.appendBytes(bytes)
            return
        }
        let buffer = core.buffer
        var offset = 0
        while offset < bytes.count {
            if state.head != nil, state.tailUsed < state.tailCapacity {
                let count = min(state.tailCapacity - state.tailUsed, bytes.count - offset)
                (buffer.dataPointer(ofSlice: state.tail) + state.tailUsed).copyMemory(
                    from: bytes.baseAddress! + offset, byteCount: count)
                state.tailUsed += count
                offset += count
            } else if let slice = buffer.allocate(atLeast: bytes.count - offset) {
                appendSlice(slice, to: &state)
            } else {
                switchToFallback(&state)
                state.heap.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                return
            }
        }
    }

    /// Shared memory is exhausted: move the pending chain to the heap; the stream stays on fallback.
    private func switchToFallback(_ state: inout WriteState) {
        let buffer = core.buffer
        if let head = state.head {
            buffer.setSize(state.tailUsed, ofSlice: state.tail)
            var current: UInt32? = head
            var hops = 0
            while let slice = current, hops <= buffer.totalSlices, let view = try? buffer.sliceView(slice) {
                state.heap.appendBytes(
                    UnsafeRawBufferPointer(start: buffer.pointer(at: view.dataStart), count: view.size))
                current = view.hasNext ? view.next : nil
                hops += 1
            }
            buffer.freeChain(head)
        }
        state.head = nil
        state.tailUsed = 0
        state.tailCapacity = 0
        state.fallback = true
        core.markUnhealthy()
    }
}
