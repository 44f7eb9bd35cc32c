import Glibc

/// The receive thread: reads events, drains the receive queue in batches, delivers to streams.
extension SessionCore {
    func receiveLoop(_ reader: EventReader) {
        receiveThread.store(UInt(pthread_self()), ordering: .releasing)
        var failure: ShmIPCError
        do {
            while true {
                let (header, payload) = try reader.next(from: socket.descriptor)
                // Spinning only pays when no further event is already waiting in the reader.
                try handle(header, payload, reader: reader, mayWait: !reader.hasBufferedBytes)
                try checkMappings()
                // A drain that stopped at a close for the socket's sake resumes once the socket is read.
                if drainDeferred, !reader.hasBufferedBytes, !socket.hasUnreadBytes {
                    try drainReceiveQueue(reader: reader)
                }
            }
        } catch {
            failure = error
            if failure.code == .handshakeTimeout {
                failure = ShmIPCError(.peerGone, "the peer stopped responding")
            }
        }
        terminate(failure)
        notifyEndedStreams()
        socket.closeFinally()
    }

    private func handle(
        _ header: EventHeader, _ payload: UnsafeRawBufferPointer, reader: EventReader, mayWait: Bool
    ) throws(ShmIPCError) {
        switch header.type {
        case .polling:
            try drainReceiveQueue(reader: reader, mayWait: mayWait)
        case .fallbackData:
            // The payload goes first: the deployed sender finishes this socket write before it queues what follows
            // (the stream's close, say), so queue elements may already hold what comes after it. Elements queued
            // before it were announced by an earlier Polling event or drained while this side was busy.
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
            // Elements queued before this event belong before the close: if the drain stops early, the close
            // waits until the queue has been drained.
            try drainReceiveQueue(reader: reader)
            let streamID = payload.bigEndianUInt32(at: 0)
            if drainDeferred {
                closesAfterDrain.append(streamID)
            } else {
                remoteClose(streamID: streamID)
            }
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
    ///
    /// A close element is not taken while the socket holds unread bytes: they may be the stream's FallbackData,
    /// which the sender wrote before it queued the close. The drain then stops with the workingFlag still set
    /// (so the peer sends no Polling event) and resumes once the socket has been read (`drainDeferred`).
    func drainReceiveQueue(reader: EventReader, mayWait: Bool = false) throws(ShmIPCError) {
        let spin = mayWait ? configuration.receiveSpin.nanoseconds : 0
        var stretchStart: UInt64 = 0
        drainDeferred = false
        while true {
            var delivered = false
            while let element = try receiveQueue.peek() {
                if element.isClose && (reader.hasBufferedBytes || socket.hasUnreadBytes) {
                    drainDeferred = true
                    return
                }
                receiveQueue.advance()
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
            if receiveQueue.markNotWorking() { break }
        }
        let closes = closesAfterDrain
        closesAfterDrain.removeAll()
        for streamID in closes { remoteClose(streamID: streamID) }
    }

    /// The longest the receive thread keeps draining by spinning before it reads the socket again.
    static let maximumSpinStretch: UInt64 = 2_000_000

    private func deliver(streamID: UInt32, chunk: ShmIPCStream.Chunk) throws(ShmIPCError) {
        var newStream: ShmIPCStream?
        var waiter: CheckedContinuation<Result<ShmIPCStream, ShmIPCError>, Never>?
        var failure: ShmIPCError?
        let target: ShmIPCStream? = state.withLock { state in
            if let stream = state.streams[streamID] { return stream }
            guard role == .server, state.terminated == nil, !state.forgotten.contains(streamID) else { return nil }
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
            // Data for a stream that is over (closed by either side): give the memory back.
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
