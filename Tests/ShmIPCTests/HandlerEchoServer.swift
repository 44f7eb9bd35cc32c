import Foundation
import Synchronization

@testable import ShmIPC

/// An echo server built on the poll API, as `portico shmipc echo-server` is: each stream is echoed from its
/// readable handler on the session's receive thread, under a lock the handler holds while it reads and writes
/// (so a handler entered twice would trap on that lock). Records every session it accepted.
final class HandlerEchoServer: Sendable {
    let listener: ShmIPCListener
    private let state = SessionList()

    /// The sessions accepted and the accepting task.
    private final class SessionList: Sendable {
        let mutex = Mutex<(sessions: [ShmIPCSession], task: Task<Void, Never>?)>(([], nil))
        func withLock<T>(_ body: (inout (sessions: [ShmIPCSession], task: Task<Void, Never>?)) -> T) -> T {
            mutex.withLock { body(&$0) }
        }
    }

    init(socketPath: String, configuration: ShmIPCConfiguration) throws {
        listener = try ShmIPCListener(socketPath: socketPath, configuration: configuration)
        let task = Task { [listener, state] in
            await withDiscardingTaskGroup { group in
                while let session = try? await listener.accept() {
                    state.withLock { $0.sessions.append(session) }
                    group.addTask {
                        while let stream = try? await session.acceptStream() { StreamEcho(stream).start() }
                    }
                }
            }
        }
        state.withLock { $0.task = task }
    }

    /// Every session accepted so far, oldest first.
    var sessions: [ShmIPCSession] { state.withLock { $0.sessions } }

    func close() {
        listener.close()
        let (sessions, task) = state.withLock { ($0.sessions, $0.task) }
        for session in sessions { session.close() }
        task?.cancel()
    }
}

/// Echoes one stream from its readable handler.
final class StreamEcho: Sendable {
    private let stream: ShmIPCStream
    private let scratch = Mutex<Scratch>(Scratch())

    private struct Scratch: ~Copyable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var finished = false
        deinit { bytes.deallocate() }
    }

    init(_ stream: ShmIPCStream) { self.stream = stream }

    func start() {
        stream.setReadableHandler { [self] in pump() }
        pump()
    }

    private func pump() {
        let finished = scratch.withLock { scratch -> Bool in
            guard !scratch.finished else { return true }
            var wrote = false
            reading: while true {
                switch stream.read(into: scratch.bytes) {
                case .consumed(let count):
                    guard (try? stream.write(UnsafeRawBufferPointer(rebasing: scratch.bytes[0..<count]))) != nil else {
                        scratch.finished = true
                        break reading
                    }
                    wrote = true
                case .empty:
                    break reading
                case .endOfStream, .failed:
                    scratch.finished = true
                    break reading
                }
            }
            if wrote, (try? stream.flushBlocking()) == nil { scratch.finished = true }
            if scratch.finished { try? stream.close() }
            return scratch.finished
        }
        if finished { stream.setReadableHandler(nil) }
    }
}
