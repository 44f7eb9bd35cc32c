import Dispatch
import Glibc
import Synchronization

/// Monotonic time in nanoseconds.
@inline(__always)
func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}

/// Tells the parent process that the echo peer listens (on `port` for TCP).
func announceReady(port: UInt16) {
    let line = "ready \(port)\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}

/// Writes one line to standard output at once (unbuffered, so a `tee` shows progress).
func emit(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}

func required<T>(_ value: T?, _ message: @autoclosure () -> String) -> T {
    guard let value else { fail(message()) }
    return value
}

func fail(_ message: String) -> Never {
    let line = "TransportBenchmarks: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

/// The fixed shape of one measured exchange, computed identically by the client and the echo peer.
struct Exchange: Sendable {
    enum Mode: String, Sendable { case pingpong, stream }

    let mode: Mode
    let size: Int

    /// Streaming: at most this many messages per stream written and not yet acknowledged by the consumer
    /// (1 MiB worth, between 2 and 256 messages).
    var window: Int { min(256, max(2, (1 << 20) / size)) }
    /// Streaming: the consumer acknowledges (8 bytes, little-endian count of bytes consumed so far) each time
    /// another `ackInterval` bytes have been consumed, and once more at end-of-stream.
    var ackInterval: Int { max(1, window / 2) * size }
}

/// The time window of one cell: messages completed in [measureStart, end) are counted.
struct Phases: Sendable {
    let measureStart: UInt64
    let end: UInt64

    init(measureStart: UInt64, end: UInt64) {
        self.measureStart = measureStart
        self.end = end
    }

    init(warmup: Double, duration: Double) {
        let start = now()
        measureStart = start + UInt64(warmup * 1e9)
        end = measureStart + UInt64(duration * 1e9)
    }
}

/// The pattern a client sends: byte `i` is `(i * 7 + i >> 8) mod 256`; the first 8 bytes (when the message has
/// that many) are overwritten with the message's sequence number, which the echo must carry back.
func makePattern(_ size: Int) -> UnsafeMutableRawBufferPointer {
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
    for index in 0..<size { bytes[index] = UInt8(truncatingIfNeeded: index &* 7 &+ index >> 8) }
    return bytes
}

@inline(__always)
func stamp(_ bytes: UnsafeMutableRawBufferPointer, _ sequence: UInt64) {
    if bytes.count >= 8 { bytes.storeBytes(of: sequence.littleEndian, toByteOffset: 0, as: UInt64.self) }
}

/// Checks an echoed message cheaply: its sequence number and its last byte.
@inline(__always)
func echoMatches(_ echoed: UnsafeMutableRawBufferPointer, _ sent: UnsafeMutableRawBufferPointer) -> Bool {
    if sent.count >= 8,
        echoed.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            != sent.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
    {
        return false
    }
    return echoed[sent.count - 1] == sent[sent.count - 1]
}

// MARK: Threads

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Runs `body(index)` on `count` OS threads and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var threads: [pthread_t] = []
    for index in 0..<count { threads.append(startThread { body(index) }) }
    for thread in threads { pthread_join(thread, nil) }
}

@discardableResult
func startThread(detached: Bool = false, _ body: @escaping () -> Void) -> pthread_t {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
        &thread, nil,
        { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, box)
    if result != 0 { fail("pthread_create failed: \(result)") }
    if detached { pthread_detach(thread) }
    return thread
}

/// Runs an async operation from synchronous code (the benchmark's threads are plain OS threads).
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value: Result<T, any Error>
        do { value = .success(try await body()) } catch { value = .failure(error) }
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

// MARK: Sockets (blocking)

enum Sockets {
    static let tcpNoDelay: Int32 = 1  // TCP_NODELAY from <netinet/tcp.h>

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }

    private static func bindAndListen<A>(_ descriptor: Int32, _ address: A) {
        var address = address
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<A>.size))
            }
        }
        if bound != 0 { fail("bind: \(String(cString: strerror(errno)))") }
        if listen(descriptor, 64) != 0 { fail("listen: \(String(cString: strerror(errno)))") }
    }

    private static func connectTo<A>(_ descriptor: Int32, _ address: A) {
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<A>.size))
            }
        }
        if connected != 0 { fail("connect: \(String(cString: strerror(errno)))") }
    }

    static func listenUnix(path: String) -> Int32 {
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        bindAndListen(descriptor, unixAddress(path))
        return descriptor
    }

    /// Listens on 127.0.0.1 with a port the kernel picks; returns the socket and the port.
    static func listenTCP() -> (Int32, UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(4))
        bindAndListen(descriptor, loopback(port: 0))
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    static func connectUnix(path: String) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        connectTo(descriptor, unixAddress(path))
        return descriptor
    }

    static func connectTCP(port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        connectTo(descriptor, loopback(port: port))
        return descriptor
    }

    /// TCP_NODELAY for TCP sockets (request/response traffic must not wait for Nagle), and optional buffer sizes.
    static func tune(_ descriptor: Int32, tcp: Bool, bufferSize: Int) {
        var one: Int32 = 1
        if tcp { setsockopt(descriptor, Int32(IPPROTO_TCP), tcpNoDelay, &one, socklen_t(4)) }
        if bufferSize > 0 {
            var size = Int32(bufferSize)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(4))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(4))
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = write(descriptor, bytes + offset, count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    static func readFull(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let received = read(descriptor, bytes + offset, count - offset)
            if received > 0 {
                offset += received
            } else if received < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}

/// Parses the consumer's 8-byte acknowledgements from a byte stream that may split them.
struct AckParser {
    private var pending = [UInt8]()
    /// Bytes the consumer has confirmed so far.
    private(set) var acknowledged: UInt64 = 0

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        if !pending.isEmpty {
            while pending.count < 8 && index < bytes.count {
                pending.append(bytes[index])
                index += 1
            }
            if pending.count == 8 {
                acknowledged = pending.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - index >= 8 {
            acknowledged = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        while index < bytes.count {
            pending.append(bytes[index])
            index += 1
        }
    }
}
