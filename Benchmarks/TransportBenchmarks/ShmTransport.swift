import Dispatch
import Glibc
import ShmIPC
import Synchronization

/// ShmIPC: one session, one stream per concurrent stream. Both sides use the callback/poll API, so the work
/// runs on each session's receive thread (no task or thread hop per message).
enum ShmTransport {
    static let readBufferSize = 256 * 1024

    /// `--shm-spin MICROSECONDS` (both sides); nil keeps the library's default.
    nonisolated(unsafe) static var spinMicroseconds: Int?
    /// `--shm-copy`: ShmIPC receivers copy every byte into a buffer, as a socket reader must, instead of reading
    /// the shared slices in place (the zero-copy `poll` API).
    nonisolated(unsafe) static var copyReads = false
    /// Ping-pong messages larger than this are written and flushed in pieces of this size, so the peer starts
    /// echoing while the rest is written (a socket's kernel buffers pipeline a large write the same way).
    static let pieceSize = 256 * 1024
    /// Streaming: by default each stream writes from its readable handler on the session's receive thread (one
    /// thread writes for all streams). `--shm-writer-threads` gives each stream's writer an OS thread of its own (as
    /// with the sockets), which sleeps on a condition variable while its window is full; the readable handler then
    /// only takes the acknowledgements and wakes it.
    nonisolated(unsafe) static var writerThreads = false

    static func serverConfiguration() -> ShmIPCConfiguration {
        var configuration = ShmIPCConfiguration()
        if let spinMicroseconds { configuration.receiveSpin = .microseconds(spinMicroseconds) }
        return configuration
    }

    static func clientConfiguration() -> ShmIPCConfiguration {
        var configuration = serverConfiguration()
        // 8 streams x 4 MiB ping-pong (request and reply) or 8 x 2 x 4 MiB streaming need more than the 32 MiB
        // default, which would push messages onto the socket fallback.
        configuration.bufferRegionSize = 128 << 20
        // Laying out 128 MiB (and the server's teardown of the previous cell's) can pass the 1 s default on 2 cores
        // busy with other builds; the connect is not measured.
        configuration.handshakeTimeout = .seconds(5)
        return configuration
    }

    // MARK: Echo peer (child process)

    static func serve(socketPath: String, exchange: Exchange) -> Never {
        let listener: ShmIPCListener
        do { listener = try ShmIPCListener(socketPath: socketPath, configuration: serverConfiguration()) } catch { fail("shmipc listen: \(error)") }
        announceReady(port: 0)
        var keep: [AnyObject] = []
        while true {
            let session: ShmIPCSession
            do { session = try blockingAwait { try await listener.accept() } } catch { fail("shmipc accept: \(error)") }
            keep.append(session)
            startThread(detached: true) {
                while let stream = try? blockingAwait({ try await session.acceptStream() }) {
                    switch exchange.mode {
                    case .pingpong: EchoPeer(stream).start()
                    case .stream: ConsumerPeer(stream, exchange: exchange).start()
                    }
                }
            }
        }
    }

    /// Ping-pong peer: writes every received byte straight from the shared slice into the reply (one copy, the
    /// reply's), flushes once per batch it found.
    final class EchoPeer: @unchecked Sendable {
        let stream: ShmIPCStream
        let finished = Mutex(false)

        init(_ stream: ShmIPCStream) { self.stream = stream }

        func start() {
            stream.setReadableHandler { [self] in pump() }
            pump()
        }

        func pump() {
            finished.withLock { finished in
                guard !finished else { return }
                var wrote = false
                var failure: ShmIPCError?
                reading: while true {
                    let result = stream.poll { view in
                        do throws(ShmIPCError) { try stream.write(view) } catch {
                            failure = error
                            return 0
                        }
                        return view.count
                    }
                    if failure != nil {
                        finished = true
                        return
                    }
                    switch result {
                    case .consumed: wrote = true
                    case .empty: break reading
                    case .endOfStream:
                        finished = true
                        break reading
                    case .failed:
                        finished = true
                        return
                    }
                }
                do throws(ShmIPCError) {
                    if wrote { try stream.flushBlocking() }
                    if finished { try stream.close() }
                } catch { finished = true }
            }
        }
    }

    /// Streaming peer: copies everything into its buffer and acknowledges every `ackInterval` bytes. ShmIPC has no
    /// half close (as the deployed peer), so there is no acknowledgement after the writer's close: the writer waits
    /// for the acknowledgement of its last whole interval before it closes.
    final class ConsumerPeer: @unchecked Sendable {
        struct State: ~Copyable {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 64)
            var consumed: UInt64 = 0
            var acknowledgedBlocks: UInt64 = 0
            var finished = false
            deinit { buffer.deallocate() }
        }

        let stream: ShmIPCStream
        let interval: UInt64
        let state = Mutex(State())

        init(_ stream: ShmIPCStream, exchange: Exchange) {
            self.stream = stream
            self.interval = UInt64(exchange.ackInterval)
        }

        func start() {
            stream.setReadableHandler { [self] in pump() }
            pump()
        }

        func pump() {
            state.withLock { state in
                guard !state.finished else { return }
                var ended = false
                reading: while true {
                    let result =
                        copyReads
                        ? stream.read(into: state.buffer)
                        : stream.poll { view in view.count }
                    switch result {
                    case .consumed(let count): state.consumed += UInt64(count)
                    case .empty: break reading
                    case .endOfStream:
                        ended = true
                        break reading
                    case .failed:
                        state.finished = true
                        return
                    }
                }
                do throws(ShmIPCError) {
                    if ended || state.consumed / interval > state.acknowledgedBlocks {
                        state.acknowledgedBlocks = state.consumed / interval
                        var value = state.consumed.littleEndian
                        try withUnsafeBytes(of: &value) { (raw) throws(ShmIPCError) in try stream.write(raw) }
                        try stream.flushBlocking()
                    }
                    if ended {
                        state.finished = true
                        try stream.close()
                    }
                } catch { state.finished = true }
            }
        }
    }

    // MARK: Client (benchmark process)

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Runs one cell over a fresh session; returns the messages completed in the measured window and whether
    /// the session had to fall back to the socket.
    static func run(socketPath: String, exchange: Exchange, streams: Int, warmup: Double, duration: Double) -> (
        Int, Bool
    ) {
        let configuration = clientConfiguration()
        let session: ShmIPCSession
        do {
            session = try blockingAwait {
                try await ShmIPCSession.connect(socketPath: socketPath, configuration: configuration)
            }
        } catch { fail("shmipc connect: \(error)") }
        let done = DispatchSemaphore(value: 0)
        let total = Counter()
        let drivers = (0..<streams).map { _ in
            let stream: ShmIPCStream
            do { stream = try session.openStream() } catch { fail("shmipc open: \(error)") }
            return Driver(stream, exchange: exchange, done: done, total: total)
        }
        let phases = Phases(warmup: warmup, duration: duration)
        if exchange.mode == .stream && writerThreads {
            for driver in drivers { driver.stream.setReadableHandler { [driver] in driver.takeAcks() } }
            onThreads(streams) { index in drivers[index].writeOnThisThread(phases) }
        } else {
            for driver in drivers { driver.start(phases) }
            for _ in 0..<streams { done.wait() }
        }
        let healthy = session.isHealthy
        session.close()
        return (total.value.load(ordering: .relaxed), !healthy)
    }

    /// Drives one stream from its readable handler: ping-pong (send, wait for the whole echo, send the next) or
    /// streaming (keep up to `window` unacknowledged messages written, one flush per message).
    final class Driver: @unchecked Sendable {
        struct State: ~Copyable {
            var phases = Phases(measureStart: 0, end: 0)
            var sequence: UInt64 = 0
            var received = 0
            var counted = 0
            var acks = AckParser()
            var stopped = false
            var finished = false
        }

        let stream: ShmIPCStream
        let exchange: Exchange
        let done: DispatchSemaphore
        let total: Counter
        let outgoing: UnsafeMutableRawBufferPointer
        let incoming: UnsafeMutableRawBufferPointer
        let state = Mutex(State())

        init(_ stream: ShmIPCStream, exchange: Exchange, done: DispatchSemaphore, total: Counter) {
            self.stream = stream
            self.exchange = exchange
            self.done = done
            self.total = total
            outgoing = makePattern(exchange.size)
            incoming = .allocate(byteCount: max(exchange.size, 4096), alignment: 64)
        }

        deinit {
            outgoing.deallocate()
            incoming.deallocate()
        }

        func start(_ phases: Phases) {
            stream.setReadableHandler { [self] in pump() }
            state.withLock { state in
                state.phases = phases
                switch exchange.mode {
                case .pingpong: send(&state)
                case .stream: writeWindow(&state)
                }
            }
        }

        private func send(_ state: inout State) { transmit(state.sequence) }

        private func transmit(_ sequence: UInt64) {
            stamp(outgoing, sequence)
            do throws(ShmIPCError) {
                if exchange.mode == .pingpong && outgoing.count > pieceSize {
                    var offset = 0
                    while offset < outgoing.count {
                        let end = min(offset + pieceSize, outgoing.count)
                        try stream.write(UnsafeRawBufferPointer(rebasing: outgoing[offset..<end]))
                        try stream.flushBlocking()
                        offset = end
                    }
                } else {
                    try stream.write(UnsafeRawBufferPointer(outgoing))
                    try stream.flushBlocking()
                }
            } catch { fail("shmipc client: \(error)") }
        }

        private func finish(_ state: inout State) {
            state.finished = true
            total.value.wrappingAdd(state.counted, ordering: .relaxed)
            done.signal()
        }

        func pump() {
            state.withLock { state in
                guard !state.finished else { return }
                switch exchange.mode {
                case .pingpong: pingPong(&state)
                case .stream: streamAcks(&state)
                }
            }
        }

        private func pingPong(_ state: inout State) {
            let size = exchange.size
            let incoming = self.incoming
            while true {
                let result: PollResult
                if copyReads {
                    result = stream.read(into: UnsafeMutableRawBufferPointer(rebasing: incoming[state.received..<size]))
                } else {
                    // In place: only the bytes the check needs (sequence number, last byte) are copied out.
                    let position = state.received
                    result = stream.poll { view in
                        let count = min(view.count, size - position)
                        var index = position
                        while index < 8 && index < position + count {
                            incoming[index] = view[index - position]
                            index += 1
                        }
                        if position + count == size { incoming[size - 1] = view[count - 1] }
                        return count
                    }
                }
                switch result {
                case .consumed(let count):
                    state.received += count
                    guard state.received == size else { continue }
                    state.received = 0
                    guard echoMatches(incoming, outgoing) else { fail("shmipc ping-pong: echoed bytes differ") }
                    let time = now()
                    if time >= state.phases.end {
                        do throws(ShmIPCError) { try stream.close() } catch { fail("shmipc close: \(error)") }
                        finish(&state)
                        return
                    }
                    if time >= state.phases.measureStart { state.counted += 1 }
                    state.sequence &+= 1
                    send(&state)
                case .empty: return
                case .endOfStream: fail("shmipc ping-pong: the peer ended the stream")
                case .failed(let error): fail("shmipc ping-pong: \(error)")
                }
            }
        }

        private func streamAcks(_ state: inout State) {
            reading: while true {
                switch stream.read(into: UnsafeMutableRawBufferPointer(rebasing: incoming[0..<4096])) {
                case .consumed(let count): state.acks.feed(UnsafeRawBufferPointer(rebasing: incoming[0..<count]))
                case .empty: break reading
                case .endOfStream: break reading
                case .failed(let error): fail("shmipc stream: \(error)")
                }
            }
            writeWindow(&state)
        }

        // MARK: Streaming with a writer thread

        private let condition = Condition()

        /// Readable handler: records the acknowledgements and wakes the writer.
        func takeAcks() {
            condition.locked {
                state.withLock { state in
                    reading: while true {
                        let incoming = self.incoming
                        let result = stream.poll { view in
                            let count = min(view.count, 4096)
                            incoming.copyMemory(from: UnsafeRawBufferPointer(rebasing: view[0..<count]))
                            return count
                        }
                        switch result {
                        case .consumed(let count):
                            state.acks.feed(UnsafeRawBufferPointer(rebasing: incoming[0..<count]))
                        case .empty, .endOfStream: break reading
                        case .failed(let error):
                            // Closing the session at the end of the cell ends the stream too.
                            if state.finished { break reading }
                            fail("shmipc stream: \(error)")
                        }
                    }
                }
            }
            condition.signal()
        }

        private var acknowledgedMessages: UInt64 {
            state.withLock { $0.acks.acknowledged } / UInt64(exchange.size)
        }

        /// The writer loop, as a socket writer runs it: write while the window allows, else sleep until acknowledged.
        func writeOnThisThread(_ phases: Phases) {
            let window = UInt64(exchange.window)
            var sent: UInt64 = 0
            var counted = 0
            while true {
                let time = now()
                if time >= phases.end { break }
                if sent - acknowledgedMessages >= window {
                    condition.locked {
                        while sent - acknowledgedMessages >= window { condition.wait() }
                    }
                }
                transmit(sent)
                sent += 1
                if time >= phases.measureStart { counted += 1 }
            }
            let awaited = lastAcknowledgement(sent)
            condition.locked {
                while state.withLock({ $0.acks.acknowledged }) < awaited { condition.wait() }
            }
            state.withLock { $0.finished = true }
            do throws(ShmIPCError) { try stream.close() } catch { fail("shmipc close: \(error)") }
            self.total.value.wrappingAdd(counted, ordering: .relaxed)
        }

        // MARK: Streaming from the readable handler

        private func writeWindow(_ state: inout State) {
            let size = UInt64(exchange.size)
            if !state.stopped {
                while state.sequence - state.acks.acknowledged / size < UInt64(exchange.window) {
                    let time = now()
                    if time >= state.phases.end {
                        state.stopped = true
                        break
                    }
                    send(&state)
                    state.sequence += 1
                    if time >= state.phases.measureStart { state.counted += 1 }
                }
            }
            if state.stopped && state.acks.acknowledged >= lastAcknowledgement(state.sequence) {
                do throws(ShmIPCError) { try stream.close() } catch { fail("shmipc close: \(error)") }
                finish(&state)
            }
        }

        /// The last acknowledgement the consumer sends for `messages` messages: the end of their last whole
        /// `ackInterval` (no acknowledgement follows a close).
        private func lastAcknowledgement(_ messages: UInt64) -> UInt64 {
            let interval = UInt64(exchange.ackInterval)
            return messages * UInt64(exchange.size) / interval * interval
        }
    }
}

/// A pthread mutex and condition variable, for a writer thread that sleeps until its window opens.
final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Only inside ``locked(_:)``.
    func wait() { pthread_cond_wait(condition, mutex) }

    func signal() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
