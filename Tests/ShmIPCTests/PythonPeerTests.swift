import Foundation
import Testing

@testable import ShmIPC

/// Interoperability with an independent implementation written from the spec (Tests/peers/shmipc_peer.py).
@Suite(
    "Interop with the Python peer", .timeLimit(.minutes(1)),
    .enabled(if: Tools.python != nil, "skipped: python3 not found"))
struct PythonPeerTests {
    static let sizes = [1, 100, 8172, 8173, 131_053, 1 << 20, 4 << 20]

    func startServer(_ directory: TemporaryDirectory, _ extra: [String] = []) async throws -> ExternalProcess {
        let python = try #require(Tools.python, "python3 is needed for the interop tests")
        let peer = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "server", "--listen", directory.socket("py.sock")] + extra,
            directory: directory, name: "py-server")
        #expect(await peer.waitFor("READY"), "the Python server did not start: \(peer.output)")
        return peer
    }

    @Test(
        "our client, Python server: identical bytes 1 B..4 MiB",
        arguments: [ShmIPCConfiguration.MappingMode.memfd, .filePath])
    func clientToPythonServer(mode: ShmIPCConfiguration.MappingMode) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let peer = try await startServer(directory)
        defer { peer.stop() }
        let config = configuration(mode)
        try await withTimeout(40, "exchange with the Python server") {
            let session = try await ShmIPCSession.connect(
                socketPath: directory.socket("py.sock"), configuration: config)
            #expect(session.protocolVersion == (mode == .memfd ? 3 : 2))
            let streams = try (0..<2).map { _ in try session.openStream() }
            #expect(streams.map(\.id) == [2, 3])
            // Our pops count on the creator's counter (@20) until the echoes are read and freed.
            try await streams[0].writeMessage([1])
            #expect(session.core.buffer.leakCounters().contains { $0.creator < 0 })
            #expect(try await streams[0].read(exactly: 1) == [1])
            for size in Self.sizes {
                for (index, stream) in streams.enumerated() {
                    try await stream.writeMessage(pattern(size, seed: index + size))
                }
                for (index, stream) in streams.enumerated() {
                    let echoed = try await stream.read(exactly: size)
                    #expect(sameBytes(echoed, pattern(size, seed: index + size)), "size \(size)")
                }
            }
            for stream in streams {
                // The deployed peer answers a close with nothing: the end-of-stream must not wait for it.
                try stream.close()
                #expect(try await stream.read() == nil)
            }
            #expect(session.isHealthy)
            #expect(session.core.streamCount == 0)
            // Every slice went back: our pops and pushes (creator, @20) and the peer's (mapper, @24) cancel out.
            let buffer = session.core.buffer
            #expect(
                await eventually { buffer.leakCounters().allSatisfy { Int($0.creator) + Int($0.mapper) == 0 } },
                "leak-check counters: \(buffer.leakCounters())")
            session.close()
        }
        #expect(await peer.waitFor("CLOSED 3"))
        #expect(shmFiles(prefix: config.pathPrefix).isEmpty)
    }

    @Test("Python server answering with FallbackData and StreamClose events")
    func pythonFallbackReplies() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let peer = try await startServer(directory, ["--fallback"])
        defer { peer.stop() }
        try await withTimeout(30, "fallback exchange") {
            let session = try await ShmIPCSession.connect(
                socketPath: directory.socket("py.sock"), configuration: configuration())
            let stream = try session.openStream()
            for size in [1, 5000, 300_000] {
                try await stream.writeMessage(pattern(size, seed: size))
                #expect(sameBytes(try await stream.read(exactly: size), pattern(size, seed: size)))
            }
            try stream.close()
            #expect(try await stream.read() == nil)
            session.close()
        }
    }

    @Test(
        "a FallbackData reply is read before the close the server queued after it",
        arguments: [1, 300_000, 4 << 20])
    func fallbackThenClose(size: Int) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let peer = try await startServer(directory, ["--fallback", "--reply-close"])
        defer { peer.stop() }
        try await withTimeout(30, "fallback then close") {
            let session = try await ShmIPCSession.connect(
                socketPath: directory.socket("py.sock"), configuration: configuration())
            for round in 0..<3 {
                let stream = try session.openStream()
                let message = pattern(size, seed: round)
                try await stream.writeMessage(message)
                #expect(sameBytes(try await stream.readToEnd(), message), "round \(round)")
                #expect(session.core.streamCount == 0)
            }
            session.close()
        }
    }

    @Test("v3 client against a server offering only v2 negotiates v2")
    func negotiateDown() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let peer = try await startServer(directory, ["--max-version", "2"])
        defer { peer.stop() }
        let config = configuration(.memfd)
        try await withTimeout(20, "negotiation") {
            let session = try await ShmIPCSession.connect(
                socketPath: directory.socket("py.sock"), configuration: config)
            #expect(session.protocolVersion == 2)
            let stream = try session.openStream()
            try await stream.writeMessage(pattern(10_000, seed: 3))
            #expect(sameBytes(try await stream.read(exactly: 10_000), pattern(10_000, seed: 3)))
            session.close()
        }
        #expect(await eventually { shmFiles(prefix: config.pathPrefix).isEmpty })
    }

    @Test(
        "Python client, our server: identical bytes, v2 and v3, shared memory and fallback",
        arguments: [
            ["--mode", "memfd", "--sizes", "1,100,8173,131053,1048576,4194304", "--streams", "2"],
            ["--mode", "filepath", "--sizes", "1,100,8173,131053,1048576,4194304", "--streams", "2"],
            ["--mode", "memfd", "--sizes", "1,5000,100000", "--buffer-size", "65536", "--streams", "2"],
            ["--mode", "filepath", "--sizes", "1,3000", "--fallback"],
        ])
    func pythonClient(arguments: [String]) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let python = try #require(Tools.python)
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: configuration())
        let server = startEchoServer(listener)
        defer {
            listener.close()
            server.cancel()
        }
        let client = try ExternalProcess(
            executable: python, arguments: [Tools.pythonPeer, "client", "--connect", directory.socket()] + arguments,
            directory: directory, name: "py-client")
        defer { client.stop() }
        let status = await client.finish(seconds: 40)
        #expect(status == 0, "Python client: \(client.output)")
        #expect(client.output.contains("OK v\(arguments.contains("filepath") ? 2 : 3)"), "\(client.output)")
        if arguments.contains("--buffer-size") || arguments.contains("--fallback") {
            #expect(client.output.contains("fallback"), "\(client.output)")
        }
    }
}
