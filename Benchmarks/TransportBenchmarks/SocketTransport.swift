import Glibc
import Synchronization

/// The socket baselines: blocking system calls, one thread per connection on both sides, one connection per
/// stream. The same code serves the Unix-domain socket and TCP loopback.
enum SocketTransport {
    static let readBufferSize = 256 * 1024

    // MARK: Echo peer (child process)

    /// Accepts connections forever; each gets its own thread.
    static func serve(listening descriptor: Int32, tcp: Bool, exchange: Exchange, bufferSize: Int) -> Never {
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                fail("accept: \(String(cString: strerror(errno)))")
            }
            tune(connection, tcp: tcp, bufferSize: bufferSize)
            startThread(detached: true) {
                switch exchange.mode {
                case .pingpong: echo(connection)
                case .stream: consume(connection, exchange: exchange)
                }
                close(connection)
            }
        }
    }

    private static func tune(_ descriptor: Int32, tcp: Bool, bufferSize: Int) {
        Sockets.tune(descriptor, tcp: tcp, bufferSize: bufferSize)
    }

    /// Ping-pong peer: writes back whatever arrives, as soon as it arrives.
    private static func echo(_ descriptor: Int32) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: readBufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let received = read(descriptor, buffer, readBufferSize)
            if received < 0 && errno == EINTR { continue }
            guard received > 0, Sockets.writeAll(descriptor, buffer, received) else { return }
        }
    }

    /// Streaming peer: reads everything into its buffer, acknowledges every `ackInterval` bytes and at the end.
    private static func consume(_ descriptor: Int32, exchange: Exchange) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: readBufferSize, alignment: 64)
        defer { buffer.deallocate() }
        var consumed: UInt64 = 0
        var acknowledgedBlocks: UInt64 = 0
        let interval = UInt64(exchange.ackInterval)
        while true {
            let received = read(descriptor, buffer, readBufferSize)
            if received < 0 && errno == EINTR { continue }
            if received <= 0 { break }
            consumed += UInt64(received)
            if consumed / interval > acknowledgedBlocks {
                acknowledgedBlocks = consumed / interval
                guard sendAck(descriptor, consumed) else { return }
            }
        }
        _ = sendAck(descriptor, consumed)
    }

    private static func sendAck(_ descriptor: Int32, _ consumed: UInt64) -> Bool {
        var value = consumed.littleEndian
        return Sockets.writeAll(descriptor, &value, 8)
    }

    // MARK: Client (benchmark process)

    /// Runs one cell; returns the messages (round trips, or streamed messages) completed in the measured window.
    static func run(
        connect: @escaping @Sendable () -> Int32, tcp: Bool, bufferSize: Int, exchange: Exchange, streams: Int,
        phases: Phases
    ) -> Int {
        let connections = (0..<streams).map { _ in
            let descriptor = connect()
            Sockets.tune(descriptor, tcp: tcp, bufferSize: bufferSize)
            return descriptor
        }
        let total = Atomic<Int>(0)
        onThreads(streams) { index in
            let count =
                switch exchange.mode {
                case .pingpong: pingPong(connections[index], size: exchange.size, phases: phases)
                case .stream: stream(connections[index], exchange: exchange, phases: phases)
                }
            total.wrappingAdd(count, ordering: .relaxed)
        }
        for descriptor in connections { close(descriptor) }
        return total.load(ordering: .relaxed)
    }

    private static func pingPong(_ descriptor: Int32, size: Int, phases: Phases) -> Int {
        let outgoing = makePattern(size)
        let incoming = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer {
            outgoing.deallocate()
            incoming.deallocate()
        }
        // Up to 128 KiB a message fits the socket buffers, so a blocking write followed by a blocking read is the
        // cheapest exchange. Larger messages would deadlock that way (the peer's echo fills our receive buffer while
        // we still write), so they are written and read interleaved on a non-blocking socket with poll(2).
        let interleave = size > 128 * 1024
        if interleave { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        var sequence: UInt64 = 0
        var counted = 0
        while true {
            stamp(outgoing, sequence)
            let exchanged =
                interleave
                ? exchangeInterleaved(descriptor, outgoing, incoming)
                : Sockets.writeAll(descriptor, outgoing.baseAddress!, size)
                    && Sockets.readFull(descriptor, incoming.baseAddress!, size)
            guard exchanged else { fail("socket ping-pong: the peer went away") }
            guard echoMatches(incoming, outgoing) else { fail("socket ping-pong: echoed bytes differ") }
            let time = now()
            if time >= phases.end { break }
            if time >= phases.measureStart { counted += 1 }
            sequence &+= 1
        }
        shutdown(descriptor, Int32(SHUT_WR))
        return counted
    }

    /// Writes `outgoing` and reads as many bytes into `incoming`, whichever the socket allows first.
    private static func exchangeInterleaved(
        _ descriptor: Int32, _ outgoing: UnsafeMutableRawBufferPointer, _ incoming: UnsafeMutableRawBufferPointer
    ) -> Bool {
        let size = outgoing.count
        var sent = 0
        var received = 0
        while received < size {
            var progressed = false
            if sent < size {
                let written = write(descriptor, outgoing.baseAddress! + sent, size - sent)
                if written > 0 {
                    sent += written
                    progressed = true
                } else if written < 0 && errno != EAGAIN && errno != EINTR {
                    return false
                }
            }
            let count = read(descriptor, incoming.baseAddress! + received, size - received)
            if count > 0 {
                received += count
                progressed = true
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                return false
            }
            if !progressed {
                var request = pollfd(
                    fd: descriptor, events: Int16(POLLIN) | (sent < size ? Int16(POLLOUT) : 0), revents: 0)
                _ = poll(&request, 1, -1)
            }
        }
        return true
    }

    private static func stream(_ descriptor: Int32, exchange: Exchange, phases: Phases) -> Int {
        let size = exchange.size
        let outgoing = makePattern(size)
        let ackBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer {
            outgoing.deallocate()
            ackBuffer.deallocate()
        }
        var acks = AckParser()
        func readAcks() {
            let received = read(descriptor, ackBuffer.baseAddress!, ackBuffer.count)
            if received < 0 && errno == EINTR { return }
            guard received > 0 else { fail("socket stream: the consumer went away") }
            acks.feed(UnsafeRawBufferPointer(rebasing: ackBuffer[0..<received]))
        }
        var sent: UInt64 = 0
        var counted = 0
        while true {
            let time = now()
            if time >= phases.end { break }
            while sent - acks.acknowledged / UInt64(size) >= UInt64(exchange.window) { readAcks() }
            stamp(outgoing, sent)
            guard Sockets.writeAll(descriptor, outgoing.baseAddress!, size) else {
                fail("socket stream: the consumer went away")
            }
            sent += 1
            if time >= phases.measureStart { counted += 1 }
        }
        shutdown(descriptor, Int32(SHUT_WR))
        while acks.acknowledged < sent * UInt64(size) { readAcks() }
        return counted
    }
}
