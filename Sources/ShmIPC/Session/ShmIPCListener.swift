import Glibc
import Synchronization

/// Accepts ShmIPC client sessions on a Unix-domain socket. Handshakes run on their own threads, so a slow
/// or hostile client delays nobody; a failed handshake is recorded and never surfaces from ``accept()``.
public final class ShmIPCListener: Sendable {
    private struct State {
        var ready: [ShmIPCSession] = []
        var waiters: [(id: Int, continuation: CheckedContinuation<Result<ShmIPCSession, ShmIPCError>, Never>)] = []
        var nextWaiterID = 0
        var closed = false
        var handshakeErrors: [ShmIPCError] = []
    }

    /// The socket path listened on.
    public let socketPath: String
    private let configuration: ShmIPCConfiguration
    private let descriptor: Int32
    private let state = Mutex(State())

    /// Binds `socketPath` (replacing a stale socket file) and starts accepting.
    public init(socketPath: String, configuration: ShmIPCConfiguration = ShmIPCConfiguration()) throws(ShmIPCError) {
        self.socketPath = socketPath
        self.configuration = configuration
        let descriptor = try UnixSocket.listen(path: socketPath).release()
        self.descriptor = descriptor
        // The accept thread holds the listener weakly, so releasing the listener also stops it.
        let reference = WeakListener(self)
        startThread { ShmIPCListener.acceptLoop(reference, descriptor: descriptor, socketPath: socketPath) }
    }

    deinit { close() }

    /// The next session whose handshake succeeded. Throws `SHMIPC_SESSION_CLOSED` after ``close()``.
    public func accept() async throws(ShmIPCError) -> ShmIPCSession {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<ShmIPCSession, ShmIPCError>, Never>) in
                let ready: Result<ShmIPCSession, ShmIPCError>? = state.withLock { state in
                    if !state.ready.isEmpty { return .success(state.ready.removeFirst()) }
                    if state.closed { return .failure(ShmIPCError(.sessionClosed, "the listener is closed")) }
                    if Task.isCancelled {
                        return .failure(ShmIPCError(.cancelled, "accepting a session was cancelled"))
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(
                returning: .failure(ShmIPCError(.cancelled, "accepting a session was cancelled")))
        }
        return try result.get()
    }

    /// Errors of the most recent failed handshakes (at most 32), oldest first.
    public var recentHandshakeErrors: [ShmIPCError] { state.withLock { $0.handshakeErrors } }

    /// Stops accepting, closes sessions nobody accepted yet, and removes the socket file.
    public func close() {
        let (sessions, waiters) = state.withLock {
            state -> ([ShmIPCSession], [CheckedContinuation<Result<ShmIPCSession, ShmIPCError>, Never>]) in
            guard !state.closed else { return ([], []) }
            state.closed = true
            defer {
                state.ready.removeAll()
                state.waiters.removeAll()
            }
            return (state.ready, state.waiters.map(\.continuation))
        }
        for session in sessions { session.close() }
        for waiter in waiters {
            waiter.resume(returning: .failure(ShmIPCError(.sessionClosed, "the listener is closed")))
        }
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    private final class WeakListener: @unchecked Sendable {
        weak var listener: ShmIPCListener?
        init(_ listener: ShmIPCListener) { self.listener = listener }
    }

    private static func acceptLoop(_ reference: WeakListener, descriptor: Int32, socketPath: String) {
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while let listener = reference.listener, !listener.isClosed {
            let configuration = listener.configuration
            if poll(&pollDescriptor, 1, 100) <= 0 { continue }
            let connection = Glibc.accept(descriptor, nil, nil)
            if connection < 0 { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            startThread { [weak listener] in
                let socket = FileDescriptor(adopting: connection)
                do throws(ShmIPCError) {
                    let core = try ServerHandshake.run(socket: socket, configuration: configuration)
                    let session = ShmIPCSession(core: core)
                    if let listener { listener.deliver(session) } else { session.close() }
                } catch {
                    listener?.record(error)
                }
            }
        }
        Glibc.close(descriptor)
        unlink(socketPath)
    }

    private func record(_ error: ShmIPCError) {
        state.withLock { state in
            state.handshakeErrors.append(error)
            if state.handshakeErrors.count > 32 { state.handshakeErrors.removeFirst() }
        }
    }

    private func deliver(_ session: ShmIPCSession) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<ShmIPCSession, ShmIPCError>, Never>?? in
            if state.closed { return .some(nil) }
            if state.waiters.isEmpty {
                state.ready.append(session)
                return nil
            }
            return .some(state.waiters.removeFirst().continuation)
        }
        switch waiter {
        case .none: break
        case .some(.none): session.close()
        case .some(.some(let continuation)): continuation.resume(returning: .success(session))
        }
    }
}
