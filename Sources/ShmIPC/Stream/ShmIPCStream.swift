import Synchronization

/// A bidirectional byte stream inside a session.
///
/// Bytes written are buffered in shared-memory slices and handed to the peer on ``flush()`` as one queue
/// element (or, when shared memory is exhausted, as one FallbackData event on the socket). The reader sees
/// the bytes in order; flush boundaries are visible to ``readChunk(maximumCount:)`` but carry no meaning in
/// the protocol, so message framing belongs to the layer above.
///
/// One task may read and one task may write at the same time. The protocol has no half close: once either
/// side has closed the stream it is over in both directions (reads still return what had already arrived,
/// then end-of-stream), and the session forgets it.
public final class ShmIPCStream: @unchecked Sendable {
    /// The stream id on the wire (the client numbers streams 2, 3, 4, ...).
    public let id: UInt32
    let core: SessionCore
    let reading = Mutex(ReadState())
    let writing = Mutex(WriteState())
    /// Set once the peer's close arrived; from then on nothing is sent on this stream (no half close).
    let peerClosed = Atomic<Bool>(false)

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
        /// A handler invocation is under way (on some thread); it is never entered twice.
        var handlerRunning = false
        /// Something happened while the handler ran: the running invocation calls it once more.
        var handlerPending = false

        var isEmpty: Bool { first == chunks.count }
        /// Either side closed the stream: nothing more will arrive.
        var isOver: Bool { remoteClosed || localClosed }
        var isFinished: Bool { isEmpty && (isOver || failure != nil) }
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
}
