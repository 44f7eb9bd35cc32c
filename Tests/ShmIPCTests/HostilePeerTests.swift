import Foundation
import Glibc
import Testing

@testable import ShmIPC

/// Peers that break the rules must end their own session only: the process and the other sessions go on.
@Suite("Hostile peers stay contained", .timeLimit(.minutes(1)), .enabled(if: Tools.python != nil))
struct HostilePeerTests {
    func runPythonClient(_ directory: TemporaryDirectory, _ arguments: [String], name: String) throws
        -> ExternalProcess
    {
        let python = try #require(Tools.python)
        return try ExternalProcess(
            executable: python, arguments: [Tools.pythonPeer, "client", "--connect", directory.socket()] + arguments,
            directory: directory, name: name)
    }

    @Test("a session whose stream fails inside its readable handler ends alone; other sessions keep working")
    func handlerFailureStaysInItsSession() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration()
        let server = try HandlerEchoServer(socketPath: directory.socket(), configuration: config)
        defer { server.close() }
        try await withTimeout(40, "handler failure") {
            let healthy = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config)
            let stream = try healthy.openStream()
            try await stream.writeMessage(pattern(5000, seed: 1))
            #expect(sameBytes(try await stream.read(exactly: 5000), pattern(5000, seed: 1)))
            let hostile = try runPythonClient(directory, ["--fault", "bad-slice"], name: "bad-slice")
            defer { hostile.stop() }
            #expect(await hostile.finish(seconds: 20) == 0, "\(hostile.output)")
            #expect(hostile.output.contains("DISCONNECTED"), "\(hostile.output)")
            let failed = server.sessions.filter { $0.closeReason != nil }
            #expect(failed.count == 1)
            #expect(failed.first?.closeReason?.code == .badOffset, "\(String(describing: failed.first?.closeReason))")
            for round in 0..<20 {
                try await stream.writeMessage(pattern(9000, seed: round))
                #expect(sameBytes(try await stream.read(exactly: 9000), pattern(9000, seed: round)))
            }
            #expect(healthy.closeReason == nil)
            try stream.close()
            healthy.close()
        }
    }

    @Test(
        "a client that shrinks its memfd or v2 file after the handshake ends its session with SHMIPC_BAD_MAPPING",
        arguments: [["memfd", "shrink-buffer"], ["memfd", "shrink-queue"], ["filepath", "shrink-buffer"], ["filepath", "shrink-queue"]])
    func shrinkingClient(arguments: [String]) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration()
        let server = try HandlerEchoServer(socketPath: directory.socket(), configuration: config)
        defer { server.close() }
        try await withTimeout(40, "shrinking client") {
            let hostile = try runPythonClient(
                directory, ["--mode", arguments[0], "--fault", arguments[1]], name: arguments.joined(separator: "-"))
            defer { hostile.stop() }
            #expect(await hostile.finish(seconds: 20) == 0, "\(hostile.output)")
            #expect(hostile.output.contains("DISCONNECTED"), "\(hostile.output)")
            let reason = server.sessions.first?.closeReason
            #expect(reason?.code == .badMapping, "\(String(describing: reason))")
            // The process survived; a well-behaved session still works.
            let session = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config)
            let stream = try session.openStream()
            try await stream.writeMessage(pattern(70_000, seed: 2))
            #expect(sameBytes(try await stream.read(exactly: 70_000), pattern(70_000, seed: 2)))
            session.close()
        }
    }

    @Test("a guarded mapping whose file shrinks reads zeros and reports itself revoked instead of SIGBUS")
    func guardedMapping() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path + "/shrinking"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 1 << 16)))
        let descriptor = open(path, O_RDWR)
        defer { close(descriptor) }
        let region = try SharedRegion.attach(descriptor: FileDescriptor(adopting: dup(descriptor)), name: path)
        #expect(region.base.load(fromByteOffset: 60_000, as: UInt8.self) == 7)
        #expect(!region.isRevoked)
        #expect(ftruncate(descriptor, 4096) == 0)
        #expect(region.base.load(fromByteOffset: 60_000, as: UInt8.self) == 0)
        #expect(region.isRevoked)
    }

    @Test("memfds we create are sealed against shrinking and growing")
    func ourMemfdsAreSealed() throws {
        let region = try SharedRegion.createMemfd(name: "/sealed", count: 1 << 16)
        let descriptor = try #require(region.descriptorValue)
        #expect(ftruncate(descriptor, 4096) != 0)
        #expect(fcntl(descriptor, Memfd.getSeals) & Memfd.sealShrink != 0)
        #expect(!region.isRevoked)
    }
}
