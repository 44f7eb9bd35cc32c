/// The receive thread: reads events, drains the receive queue in batches, delivers to streams.
extension SessionCore {
    func receiveLoop(_ reader: EventReader) {
        var failure: ShmIPCError
        do {
            while true {
                let (header, payload) = try reader.next(from: socket.descriptor)
                // Spinning only pays when no further event is already waiting in the reader.
                try handle(header, payload, mayWait: !reader.hasBufferedBytes)
            }
        } catch {
            failure = error
            if failure.code == .handshakeTimeout {
                failure = ShmIPCError(.peerGone, "the peer stopped responding")
            }
        }
        terminate(failure)
        socket.closeFinally()
    }

    private func handle(_ header: EventHeader, _ payload: UnsafeRawBufferPointer, mayWait: Bool) throws(ShmIPCError) {
        switch header.type {
        case .polling:
            try drainReceiveQueue(mayWait: mayWait)
        case .fallbackData:
            // Elements queued before this event belong before its data.
            try drainReceiveQueue()
            let streamID = payload.bigEndianUInt32(at: 0)
            let status = payload.bigEndianUInt32(at: 4)
            let data = UnsafeRawBufferPointer(rebasing: payload[8...])
            if !data.isEmpty {
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
                copy.copyMemory(from: data)
                try deliver(streamID: streamID, chunk: .heap(copy))
            }
            if status & 0xFF == QueueElement.statusClosed { remoteClose(streamID: streamID) }
        case .streamClose:
            try drainReceiveQueue()
            remoteClose(streamID: payload.bigEndianUInt32(at: 0))
        case .hotRestart, .hotRestartAck:
            // Hot restart is not supported; the events are well-formed and harmless to ignore.
            break
        case .shareMemoryByFilePath, .shareMemoryByMemfd, .exchangeProtoVersion, .ackShareMemory, .ackReadyRecvFD:
            throw ShmIPCError(.unexpectedEvent, "handshake event \(header.type) received after the handshake")
        }
    }

    /// Drains until empty, declares idle, and loops if elements arrived meanwhile: one wake-up, one batch.
    ///
    /// With `mayWait`, after a batch that delivered something the thread first watches the queue for up to
    /// `configuration.receiveSpin` while the workingFlag stays 1: a peer answering within that time puts its
    /// element without a Polling event (its CAS 0 -> 1 fails, as the protocol intends for a busy receiver), so
    /// neither side makes a system call. Spinning stretches end after `maximumSpinStretch` so that socket events
    /// (FallbackData, StreamClose, a closed socket) are read at least that often.
    func drainReceiveQueue(mayWait: Bool = false) throws(ShmIPCError) {
        let spin = mayWait ? configuration.receiveSpin.nanoseconds : 0
        var stretchStart: UInt64 = 0
        while true {
            var delivered = false
            while let element = try receiveQueue.pop() {
                delivered = true
                if element.isClose {
                    remoteClose(streamID: element.streamID)
                } else {
                    guard buffer.listIndex(ofSlice: element.offsetInBuffer) != nil else {
                        throw ShmIPCError(
                            .badOffset,
                            "stream \(element.streamID): offset \(element.offsetInBuffer) is not a slice of the buffer region"
                        )
                    }
                    try deliver(streamID: element.streamID, chunk: .shared(element.offsetInBuffer))
                }
            }
            if delivered && spin > 0 {
                let time = monotonicNanoseconds()
                if stretchStart == 0 { stretchStart = time }
                if time &- stretchStart < Self.maximumSpinStretch, receiveQueue.waitForElements(until: time &+ spin) {
                    continue
                }
            }
            if receiveQueue.markNotWorking() { return }
        }
    }

    /// The longest the receive thread keeps draining by spinning before it reads the socket again.
    static let maximumSpinStretch: UInt64 = 2_000_000

    private func deliver(streamID: UInt32, chunk: ShmIPCStream.Chunk) throws(ShmIPCError) {
        var newStream: ShmIPCStream?
        var waiter: CheckedContinuation<Result<ShmIPCStream, ShmIPCError>, Never>?
        var failure: ShmIPCError?
        let target: ShmIPCStream? = state.withLock { state in
            if let stream = state.streams[streamID] { return stream }
            guard role == .server, state.terminated == nil else { return nil }
            guard streamID != 0 else {
                failure = ShmIPCError(.badStreamID, "the peer used stream id 0")
                return nil
            }
            guard state.streams.count < configuration.maximumStreams else {
                failure = ShmIPCError(.badStreamID, "the peer opened more than \(configuration.maximumStreams) streams")
                return nil
            }
            let stream = ShmIPCStream(id: streamID, core: self)
            state.streams[streamID] = stream
            if state.acceptWaiters.isEmpty {
                state.pendingAccepts.append(stream)
            } else {
                waiter = state.acceptWaiters.removeFirst().continuation
                newStream = stream
            }
            return stream
        }
        if let failure {
            chunk.release(buffer)
            throw failure
        }
        guard let target else {
            // Data for a stream we do not know (already closed here): give the memory back.
            chunk.release(buffer)
            return
        }
        target.enqueue(chunk)
        if let waiter, let newStream { waiter.resume(returning: .success(newStream)) }
    }

    private func remoteClose(streamID: UInt32) {
        let stream = state.withLock { $0.streams[streamID] }
        stream?.remoteClosed()
    }
}
