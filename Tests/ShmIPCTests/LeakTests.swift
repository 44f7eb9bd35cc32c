import Foundation
import Testing

@testable import ShmIPC

@Suite("No leaks", .timeLimit(.minutes(1)))
struct LeakTests {
    /// Runs a client and a server session with unread data left behind, closes, and returns what to audit.
    static func exchange(_ path: String, _ listener: ShmIPCListener, _ config: ShmIPCConfiguration) async throws
        -> [String]
    {
        let client = try await ShmIPCSession.connect(socketPath: path, configuration: config)
        let server = try await listener.accept()
        let sockets = [client.core.socket.identity, server.core.socket.identity]
        #expect(sockets.allSatisfy { $0.hasPrefix("socket:") })
        for index in 0..<4 {
            let stream = try client.openStream()
            try await stream.writeMessage(pattern(10_000 * (index + 1), seed: index))
            let accepted = try await server.acceptStream()
            if index % 2 == 0 {
                #expect(try await accepted.read(exactly: 10_000 * (index + 1)).count == 10_000 * (index + 1))
                try await accepted.writeMessage(pattern(200_000, seed: index))  // left unread by the client
            }
        }
        if config.mappingMode == .filePath {
            #expect(shmFiles(prefix: config.pathPrefix).count == 2)
        }
        client.close()
        #expect(await eventually { server.closeReason != nil })
        server.close()
        return sockets
    }

    @Test(
        "closing sessions unmaps, closes and unlinks everything",
        arguments: [ShmIPCConfiguration.MappingMode.memfd, .filePath])
    func sessionsLeaveNothing(mode: ShmIPCConfiguration.MappingMode) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration(mode)
        let token = token(of: config.pathPrefix)
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: config)
        let sockets = try await withTimeout(20, "leak exchange") {
            try await Self.exchange(directory.socket(), listener, config)
        }
        listener.close()
        #expect(
            await eventually(5) { ResourceAudit.clean(token: token, sockets: sockets) },
            "\(ResourceAudit.report(token: token))")
        #expect(
            await eventually { !FileManager.default.fileExists(atPath: directory.socket()) },
            "the listener removes its socket file")
    }

    @Test("a client handshake that times out after creating its memory leaves nothing behind")
    func failedHandshake() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let python = try #require(Tools.python)
        let peer = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "server", "--listen", directory.socket(), "--fault", "no-ack"],
            directory: directory, name: "server-no-ack")
        defer { peer.stop() }
        #expect(await peer.waitFor("READY"))
        var config = configuration(.memfd)
        config.handshakeTimeout = .milliseconds(300)
        let clientConfiguration = config
        let token = token(of: config.pathPrefix)
        try await withTimeout(10, "handshake timeout") {
            do throws(ShmIPCError) {
                _ = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: clientConfiguration)
                Issue.record("the handshake cannot succeed")
            } catch {
                #expect(error.code == .handshakeTimeout)
            }
        }
        #expect(await eventually { ResourceAudit.clean(token: token) }, "\(ResourceAudit.report(token: token))")
    }

    @Test("a listener released without close() stops and removes its socket")
    func releasedListener() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        do {
            let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: configuration())
            #expect(listener.socketPath == directory.socket())
        }
        #expect(await eventually { !FileManager.default.fileExists(atPath: directory.socket()) })
    }
}
