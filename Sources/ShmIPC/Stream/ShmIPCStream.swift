import Synchronization

/// A bidirectional byte stream inside a session.
///
/// Bytes written are buffered in shared-memory slices and handed to the peer on ``flush()`` as one queue
/// element (or, when shared memory is exhausted, as one FallbackData event on the socket). The reader sees
/// the bytes in order; flush boundaries are visible to ``readChunk(maximumCount:)`` but carry no meaning in
/// the protocol, so message framing belongs to the layer above.
///
/// One task may read and one task may write at the same time. ``close()`` ends our direction; reads go on
/// until the peer's direction has ended too (half close).
public final class ShmIPCStream: @unchecked Sendable {
    /// The stream id on the wire (the client numbers streams 2, 3, 4, ...).
    public let id: UInt32
    let core: SessionCore
    let reading = Mutex(ReadState())
    let writing = Mutex(WriteState())

    /// A unit of received data: a message chain in shared memory, or a FallbackData payload.
    enum Chunk {
        case shared(UInt32)
        case heap(UnsafeMutableRawBufferPointer)

        /// Gives the memory back without reading it.
        func release(_ buffer: BufferManager) {
            switch self {
            case .shared(let offset): buffer.freeChain(offset)
            case .heap(let bytes): bytes.deallocate()
            }
        }
    }

    /// Guarded by `reading`; holds raw pointers into the session's mappings.
    struct ReadState: @unchecked Sendable {
        var chunks: [Chunk] = []
        var first = 0
        /// Bytes consumed in the slice (or heap chunk) at `chunks[first]`.
        var consumed = 0
        /// Slices walked in the current chain, to stop a cyclic chain.
        var hops = 0
        var remoteClosed = false
        var localClosed = false
        var failure: ShmIPCError?
        var waiter: CheckedContinuation<Void, Never>?
        var readableHandler: (@Sendable () -> Void)?

        var isEmpty: Bool { first == chunks.count }
        var isFinished: Bool { isEmpty && (remoteClosed || failure != nil) }
    }

    /// Guarded by `writing`.
    struct WriteState: @unchecked Sendable {
        var head: UInt32?
        var tail: UInt32 = 0
        var tailUsed = 0
        var tailCapacity = 0
        var fallback = false
        var heap: [UInt8] = []
        var closed = false
        var reservation: Reservation?
        var scratch: UnsafeMutableRawBufferPointer?

        var hasPending: Bool { fallback ? !heap.isEmpty : head != nil }
    }

    enum Reservation {
        case slice(count: Int)
        case scratch(count: Int)
    }

    init(id: UInt32, core: SessionCore) {
        self.id = id
        self.core = core
    }

    deinit {
        let buffer = core.buffer
        reading.withLock { state in
            for chunk in state.chunks[state.first...] { chunk.release(buffer) }
            state.chunks.removeAll()
        }
        writing.withLock { state in
            if let head = state.head {
                buffer.setSize(state.tailUsed, ofSlice: state.tail)
                buffer.freeChain(head)
            }
            state.scratch?.deallocate()
        }
    }

    /// Whether this stream fell back to carrying its data over the socket.
    public var isOnFallback: Bool { writing.withLock { $0.fallback } }

    // MARK: Events from the receive thread

    func enqueue(_ chunk: Chunk) {
        let (accepted, waiter, handler) = reading.withLock { state in
            guard !state.localClosed || !state.remoteClosed, state.failure == nil else {
                return (false, nil as CheckedContinuation<Void, Never>?, nil as (@Sendable () -> Void)?)
            }
            state.chunks.append(chunk)
            defer { state.waiter = nil }
            return (true, state.waiter, state.readableHandler)
        }
        if !accepted { chunk.release(core.buffer) }
        waiter?.resume()
        handler?()
    }

    func remoteClosed() {
        let (waiter, handler, finished) = reading.withLock { state in
            state.remoteClosed = true
            defer { state.waiter = nil }
            return (state.waiter, state.readableHandler, state.localClosed)
        }
        if finished { core.removeStream(self) }
        waiter?.resume()
        handler?()
    }

    func sessionEnded(_ error: ShmIPCError, discardUnread: Bool) {
        let buffer = core.buffer
        let (waiter, handler) = reading.withLock { state in
            if !state.remoteClosed && state.failure == nil { state.failure = error }
            if discardUnread {
                for chunk in state.chunks[state.first...] { chunk.release(buffer) }
                state.chunks.removeAll()
                state.first = 0
                state.consumed = 0
            }
            defer { state.waiter = nil }
            return (state.waiter, state.readableHandler)
        }
        waiter?.resume()
        handler?()
    }

    // MARK: Closing

    /// Flushes what is pending and ends our direction of the stream: the peer reads end-of-stream after the
    /// data. Sent as a close element, or as a StreamClose event when the queue is full or the stream is on
    /// fallback (which keeps the order with the fallback data). Closing twice does nothing.
    public func close() throws(ShmIPCError) {
        let wasOpen = try writing.withLock { (state) throws(ShmIPCError) -> Bool in
            guard !state.closed else { return false }
            defer { state.closed = true }
            if core.terminationError != nil { return true }
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
        let finished = reading.withLock { state in
            state.localClosed = true
            return state.remoteClosed
        }
        if finished { core.removeStream(self) }
    }
}
