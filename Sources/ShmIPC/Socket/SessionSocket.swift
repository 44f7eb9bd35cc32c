import Glibc
import Synchronization

/// The session's socket after the handshake: any thread may send whole events (serialised so events never
/// interleave); only the receive thread reads, and it alone closes the descriptor when it stops.
final class SessionSocket: @unchecked Sendable {
    let descriptor: Int32
    private let sendLock = Mutex<Void>(())
    /// False once shut down; guarded so that shutdown never races with the final close.
    private let lifecycle = Mutex<(open: Bool, closed: Bool)>((true, false))

    /// `socket:[inode]`, as /proc shows it: identifies the socket even after its number is reused.
    let identity: String

    init(adopting descriptor: consuming FileDescriptor) {
        var info = stat()
        identity = fstat(descriptor.rawValue, &info) == 0 ? "socket:[\(info.st_ino)]" : ""
        self.descriptor = descriptor.release()
    }

    private func ensureOpen() throws(ShmIPCError) {
        guard lifecycle.withLock({ $0.open }) else {
            throw ShmIPCError(.sessionClosed, "the session's socket is closed")
        }
    }

    func send(_ bytes: [UInt8]) throws(ShmIPCError) {
        try sendLock.withLock { _ throws(ShmIPCError) in
            try ensureOpen()
            try UnixSocket.sendAll(descriptor, bytes)
        }
    }

    /// Sends `prefix` and `payload` back to back as one event.
    func send(_ prefix: [UInt8], _ payload: UnsafeRawBufferPointer) throws(ShmIPCError) {
        try sendLock.withLock { _ throws(ShmIPCError) in
            try ensureOpen()
            try UnixSocket.sendAll(descriptor, prefix)
            try UnixSocket.sendAll(descriptor, payload)
        }
    }

    /// Whether bytes wait in the socket's receive buffer (a non-blocking peek; receive thread only).
    var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Wakes the receive thread and any blocked sender; the descriptor stays allocated until ``closeFinally()``.
    func shutdown() {
        lifecycle.withLock { state in
            guard state.open else { return }
            state.open = false
            _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        }
    }

    /// Called once by the receive thread when it stops.
    func closeFinally() {
        shutdown()
        sendLock.withLock { _ in
            lifecycle.withLock { state in
                guard !state.closed else { return }
                state.closed = true
                _ = Glibc.close(descriptor)
            }
        }
    }
}
