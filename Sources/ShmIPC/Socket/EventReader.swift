import Glibc

/// Reads whole events from a socket through one growable buffer. A returned payload stays valid until the
/// next call. Owned by one thread at a time (the handshake, then the session's receive thread).
final class EventReader: @unchecked Sendable {
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    var maximumEventLength: Int

    init(maximumEventLength: Int) {
        self.maximumEventLength = maximumEventLength
        self.storage = .allocate(byteCount: 64 * 1024, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Whether bytes beyond the last returned event are already buffered.
    var hasBufferedBytes: Bool { end > start }

    /// Blocks until one whole event has arrived and returns its header and payload.
    func next(from socket: Int32) throws(ShmIPCError) -> (EventHeader, UnsafeRawBufferPointer) {
        try fill(atLeast: EventHeader.size, from: socket)
        let header = try EventHeader.decode(
            UnsafeRawBufferPointer(rebasing: storage[start..<start + EventHeader.size]),
            maximumLength: maximumEventLength
        )
        let length = Int(header.length)
        try fill(atLeast: length, from: socket)
        let payload = UnsafeRawBufferPointer(rebasing: storage[start + EventHeader.size..<start + length])
        start += length
        return (header, payload)
    }

    private func fill(atLeast count: Int, from socket: Int32) throws(ShmIPCError) {
        if end - start >= count { return }
        if start + count > storage.count {
            let buffered = end - start
            if count > storage.count {
                let bigger = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(count, storage.count * 2), alignment: 8)
                if buffered > 0 {
                    bigger.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: buffered)
                }
                storage.deallocate()
                storage = bigger
            } else if buffered > 0 {
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: buffered)
            }
            start = 0
            end = buffered
        }
        while end - start < count {
            let received = recv(socket, storage.baseAddress! + end, storage.count - end, 0)
            if received > 0 {
                end += received
                continue
            }
            if received == 0 {
                throw ShmIPCError(
                    .peerGone, "the peer closed the connection" + (end > start ? " in the middle of an event" : ""))
            }
            let error = currentErrno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK {
                throw ShmIPCError(.handshakeTimeout, "timed out waiting for the peer")
            }
            throw ShmIPCError(.peerGone, "reading from the peer failed: \(errnoDescription(error))")
        }
    }
}
