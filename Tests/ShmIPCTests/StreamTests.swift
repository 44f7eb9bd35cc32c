import Foundation
import Synchronization
import Testing

@testable import ShmIPC

@Suite("Streams: concurrency, zero-copy, fallback, close", .timeLimit(.minutes(1)))
struct StreamTests {
    /// A listener with the echo server; `body` gets the socket path.
    func withEchoServer(
        _ serverConfiguration: ShmIPCConfiguration = configuration(),
        _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: serverConfiguration)
        let server = startEchoServer(listener)
        defer {
            listener.close()
            server.cancel()
        }
        try await withTimeout(30, "stream test") { try await body(directory.socket()) }
    }

    @Test("64 concurrent streams keep their bytes apart")
    func manyStreams() async throws {
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: configuration())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    let stream = try session.openStream()
                    group.addTask {
                        for round in 0..<3 {
                            let message = pattern(1000 + index * 97, seed: index * 3 + round)
                            try await stream.writeMessage(message)
                            #expect(sameBytes(try await stream.read(exactly: message.count), message))
                        }
                        try stream.close()
                        #expect(try await stream.read() == nil)
                    }
                }
                try await group.waitForAll()
            }
            #expect(session.isHealthy)
            session.close()
        }
    }

    @Test("reserve/commit writes in place; poll shows bytes in place")
    func zeroCopy() async throws {
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: configuration())
            let stream = try session.openStream()
            let region = session.core.buffer.region
            let reserved = try stream.reserve(5000)
            let inShared =
                reserved.baseAddress! >= UnsafeMutableRawPointer(region.base)
                && reserved.baseAddress! < region.base + region.count
            #expect(inShared, "a 5000-byte reservation should sit inside a shared slice")
            for index in 0..<5000 { reserved[index] = UInt8(truncatingIfNeeded: index) }
            try stream.commit(5000)
            // A reservation bigger than any slice is served by scratch memory and copied on commit.
            let big = try stream.reserve(200_000)
            for index in 0..<200_000 { big[index] = UInt8(truncatingIfNeeded: index &* 3) }
            try stream.commit(200_000)
            try await stream.flush()
            var received: [UInt8] = []
            while received.count < 205_000 {
                try await stream.waitUntilReadable()
                while case .consumed = stream.poll({ view in
                    received.append(contentsOf: view)
                    return view.count
                }) {}
            }
            #expect(received.count == 205_000)
            #expect(Array(received[0..<5000]) == (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
            #expect(Array(received[5000..<5100]) == (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 3) })
            try stream.close()
            try await stream.waitUntilReadable()
            #expect(stream.poll { _ in 0 } == .endOfStream)
            session.close()
        }
    }

    @Test("the readable handler fires on the receive thread")
    func readableHandler() async throws {
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: configuration())
            let stream = try session.openStream()
            let fired = Counter()
            stream.setReadableHandler { fired.increment() }
            try await stream.writeMessage([1, 2, 3])
            #expect(await eventually { fired.value >= 1 })
            var buffer = [UInt8](repeating: 0, count: 8)
            let result = buffer.withUnsafeMutableBytes { stream.read(into: $0) }
            #expect(result == .consumed(3))
            #expect(Array(buffer[0..<3]) == [1, 2, 3])
            #expect(buffer.withUnsafeMutableBytes { stream.read(into: $0) } == .empty)
            session.close()
        }
    }

    @Test("exhausted shared memory falls back to the socket, stays there, and marks the session unhealthy")
    func fallback() async throws {
        var small = configuration(bufferSize: 64 * 1024)
        small.sliceLists = [SliceListSpec(sliceSize: 1004, percent: 50), SliceListSpec(sliceSize: 4076, percent: 50)]
        small.unhealthyPeriod = .seconds(2)
        let client = small
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: client)
            let stream = try session.openStream()
            try await stream.writeMessage(pattern(500, seed: 1))
            #expect(sameBytes(try await stream.read(exactly: 500), pattern(500, seed: 1)))
            #expect(!stream.isOnFallback)
            #expect(session.isHealthy)
            for size in [100_000, 1 << 20, 10] {
                try await stream.writeMessage(pattern(size, seed: size))
                #expect(stream.isOnFallback)
                if size == 100_000 { #expect(!session.isHealthy) }
                #expect(sameBytes(try await stream.read(exactly: size), pattern(size, seed: size)))
            }
            let other = try session.openStream()
            try await other.writeMessage(pattern(700, seed: 7))
            #expect(sameBytes(try await other.read(exactly: 700), pattern(700, seed: 7)))
            #expect(!other.isOnFallback)
            try stream.close()
            #expect(try await stream.read() == nil)
            #expect(await eventually(8) { session.isHealthy })
            session.close()
        }
    }

    @Test("closing with a full queue sends a StreamClose event instead")
    func closeWithFullQueue() async throws {
        var client = configuration()
        client.queueCapacity = 4
        let clientConfiguration = client
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: clientConfiguration)
            let stream = try session.openStream()
            try await stream.writeMessage([9, 9])
            #expect(try await stream.read(exactly: 2) == [9, 9])
            // Fill the queue with close elements for a stream nobody knows, without waking the server.
            while session.core.sendQueue.put(QueueElement(streamID: 999, offsetInBuffer: 0, status: 1)) {}
            let started = ContinuousClock.now
            try stream.close()
            #expect(ContinuousClock.now - started >= .milliseconds(90), "the queue is retried 10 x 10 ms first")
            #expect(try await stream.read() == nil)
            session.close()
        }
    }

    @Test("a flush into a queue that stays full fails with SHMIPC_QUEUE_FULL")
    func queueFull() async throws {
        var client = configuration()
        client.queueCapacity = 2
        let clientConfiguration = client
        try await withEchoServer { path in
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: clientConfiguration)
            let stream = try session.openStream()
            while session.core.sendQueue.put(QueueElement(streamID: 999, offsetInBuffer: 0, status: 1)) {}
            try stream.write([1, 2, 3])
            await #expect(throws: ShmIPCError(.queueFull, "the send queue of 2 elements stayed full")) {
                try await stream.flush()
            }
            session.close()
        }
    }

    @Test("closing a session ends pending reads locally and the peer's streams with SHMIPC_PEER_GONE")
    func sessionClose() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: configuration())
        defer { listener.close() }
        try await withTimeout(20, "session close") {
            let client = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: configuration())
            let server = try await listener.accept()
            let clientStream = try client.openStream()
            try await clientStream.writeMessage([1, 2, 3, 4])
            let serverStream = try await server.acceptStream()
            #expect(serverStream.id == clientStream.id)
            #expect(try await serverStream.read(exactly: 4) == [1, 2, 3, 4])
            let pending = Task { () async throws(ShmIPCError) -> [UInt8]? in try await clientStream.read() }
            try await Task.sleep(nanoseconds: 50_000_000)
            client.close()
            let pendingResult = await pending.result
            #expect(throws: ShmIPCError(.sessionClosed, "the session was closed")) { try pendingResult.get() }
            #expect(client.closeReason?.code == .sessionClosed)
            do throws(ShmIPCError) {
                _ = try await serverStream.read()
                Issue.record("the server stream should end with an error")
            } catch {
                #expect(error.code == .peerGone)
            }
            #expect(server.closeReason?.code == .peerGone)
            await #expect(throws: ShmIPCError.self) { _ = try await server.acceptStream() }
            #expect(throws: ShmIPCError.self) { try clientStream.write([1]) }
            #expect(throws: ShmIPCError.self) { try server.openStream() }
        }
    }

    @Test("a client handshake against a server that never answers times out")
    func clientHandshakeTimeout() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let silent = try UnixSocket.listen(path: directory.socket())
        _ = silent
        var client = configuration()
        client.handshakeTimeout = .milliseconds(300)
        let clientConfiguration = client
        let started = ContinuousClock.now
        do {
            _ = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: clientConfiguration)
            Issue.record("connected to a silent server")
        } catch {
            #expect(error.code == .handshakeTimeout)
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(shmFiles(prefix: clientConfiguration.pathPrefix).isEmpty)
    }
}

final class Counter: Sendable {
    private let state = Mutex(0)
    func increment() { state.withLock { $0 += 1 } }
    var value: Int { state.withLock { $0 } }
}
