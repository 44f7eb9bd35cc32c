import Foundation
import Glibc
import Testing

@testable import ShmIPC

/// The server's v2 clean-up and the checks on the paths a v2 client names.
@Suite("v2 files: server clean-up and path checks", .timeLimit(.minutes(1)))
struct CleanupTests {
    @Test("as a server: a v2 client's queue file goes at session end, the shared buffer file after the last one")
    func serverRemovesFiles() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: configuration())
        defer { listener.close() }
        // A raw v2 client outside /dev/shm (accepted, as by the deployed server) that never removes its files.
        let bufferPath = directory.path + "/client_buffer"
        let buffer = try SharedRegion.createFile(path: bufferPath, count: 1 << 20)
        _ = try BufferManager.format(region: buffer, specs: [SliceListSpec(sliceSize: 4076, percent: 100)])
        var regions: [SharedRegion] = []
        var connected: [Int32] = []
        for index in 0..<2 {
            let queuePath = directory.path + "/client_queue_\(index)"
            let queue = try SharedRegion.createFile(path: queuePath, count: QueueLayout.regionSize(capacity: 16))
            _ = try SharedQueue.format(region: queue, capacity: 16)
            regions.append(queue)
            let socket = try UnixSocket.connect(path: directory.socket()).release()
            connected.append(socket)
            try UnixSocket.sendAll(
                socket,
                Events.shareMemory(.shareMemoryByFilePath, queuePath: queuePath, bufferPath: bufferPath, version: 2))
        }
        let (queues, sockets) = (regions, connected)
        let exists: @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
        try await withTimeout(20, "v2 clean-up") {
            let sessions = [try await listener.accept(), try await listener.accept()]
            #expect(sessions[0].core.buffer === sessions[1].core.buffer, "one mapping for the shared buffer")
            #expect(exists(bufferPath) && exists(queues[0].name) && exists(queues[1].name))
            Glibc.close(sockets[0])
            #expect(await eventually { sessions.filter { $0.closeReason != nil }.count == 1 })
            #expect(await eventually { !exists(queues[0].name) }, "the ended session's queue file is removed")
            #expect(exists(bufferPath), "the buffer file stays while a session uses it")
            #expect(exists(queues[1].name))
            Glibc.close(sockets[1])
            #expect(await eventually { !exists(queues[1].name) && !exists(bufferPath) })
        }
        withExtendedLifetime((buffer, queues)) {}
    }

    @Test("a v2 client that dies leaves nothing in /dev/shm", .enabled(if: Tools.python != nil))
    func crashedClientLeavesNothing() async throws {
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
            executable: python,
            arguments: [
                Tools.pythonPeer, "client", "--connect", directory.socket(), "--mode", "filepath", "--sizes",
                "1,9000", "--fault", "exit-without-cleanup",
            ],
            directory: directory, name: "py-crash")
        defer { client.stop() }
        #expect(await client.finish(seconds: 30) == 0, "\(client.output)")
        let token = "pyshmipc_\(client.process.processIdentifier)_"
        #expect(client.output.contains("OK v2"), "\(client.output)")
        #expect(await eventually(5) { ResourceAudit.files(containing: token) == 0 }, "\(ResourceAudit.report(token: token))")
    }

    @Test(
        "path shapes a client may not name",
        arguments: ["relative/file", "/dev/shm/../etc/passwd", "/dev/shm//x", "/dev/shm/./x", "/dev/shm/..", "/", ""])
    func badShapes(path: String) {
        #expect(throws: ShmIPCError.self) { try FilePathValidation.checkShape(path, directory: "/") }
    }

    @Test("a configured directory still confines the paths")
    func confined() throws {
        try FilePathValidation.checkShape("/dev/shm/shmipc_1_buffer", directory: "/dev/shm")
        try FilePathValidation.checkShape("/tmp/elsewhere/shmipc_1_buffer", directory: "/")
        #expect(throws: ShmIPCError.self) { try FilePathValidation.checkShape("/tmp/x", directory: "/dev/shm") }
        #expect(throws: ShmIPCError.self) { try FilePathValidation.checkShape("/dev/shmx/y", directory: "/dev/shm") }
    }

    @Test("only a regular file the client owns is opened: no symlink, directory or FIFO")
    func fileKinds() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let regular = directory.path + "/regular"
        #expect(FileManager.default.createFile(atPath: regular, contents: Data(count: 4096)))
        let opened = try FilePathValidation.open(regular, directory: "/", ownerUID: getuid())
        _ = consume opened
        let link = directory.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: regular)
        let fifo = directory.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [link, directory.path, fifo, directory.path + "/missing"] {
            #expect(throws: ShmIPCError.self, "\(path)") {
                _ = try FilePathValidation.open(path, directory: "/", ownerUID: getuid())
            }
        }
        #expect(throws: ShmIPCError.self, "another user's file") {
            _ = try FilePathValidation.open(regular, directory: "/", ownerUID: getuid() &+ 1)
        }
    }
}
