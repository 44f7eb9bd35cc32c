import Foundation
import Testing

@testable import ShmIPC

/// A hostile or crashed peer must end in a clear error: no crash, no hang, no leak.
@Suite("Faults", .timeLimit(.minutes(1)), .enabled(if: Tools.python != nil, "skipped: python3 not found"))
struct FaultTests {
    /// Runs the Python peer as a client with `fault` against our listener, then returns the listener.
    func pythonClientFault(
        _ fault: String, serverConfiguration: ShmIPCConfiguration = configuration(),
        _ check: @escaping @Sendable (ShmIPCListener, ExternalProcess) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let python = try #require(Tools.python)
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: serverConfiguration)
        defer { listener.close() }
        let client = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "client", "--connect", directory.socket(), "--fault", fault],
            directory: directory, name: "fault-" + fault)
        defer { client.stop() }
        try await withTimeout(20, "fault \(fault)") { try await check(listener, client) }
    }

    @Test(
        "bad handshakes are rejected with a stable code",
        arguments: [
            ("wrong-magic", "SHMIPC_BAD_MAGIC"), ("bad-version", "SHMIPC_BAD_VERSION"),
            ("silent", "SHMIPC_HANDSHAKE_TIMEOUT"),
        ])
    func badHandshake(fault: String, code: String) async throws {
        var server = configuration()
        server.handshakeTimeout = .milliseconds(300)
        try await pythonClientFault(fault, serverConfiguration: server) { listener, _ in
            #expect(
                await eventually(5) { listener.recentHandshakeErrors.contains { $0.code.rawValue == code } },
                "handshake errors: \(listener.recentHandshakeErrors)")
        }
    }

    @Test(
        "garbage events and bad offsets end the session with a clear error and release its memory",
        arguments: [("garbage-after-handshake", "SHMIPC_BAD_EVENT"), ("bad-offset", "SHMIPC_BAD_OFFSET")])
    func hostileSession(fault: String, code: String) async throws {
        try await pythonClientFault(fault) { listener, client in
            let pid = client.process.processIdentifier
            try await Self.endsWith(code: code, listener: listener)
            #expect(
                await eventually { ResourceAudit.clean(token: "pyshmipc_\(pid)") },
                "\(ResourceAudit.report(token: "pyshmipc_\(pid)"))")
        }
    }

    static func endsWith(code: String, listener: ShmIPCListener) async throws {
        let session = try await listener.accept()
        let socket = session.core.socket.identity
        #expect(socket.hasPrefix("socket:["))
        #expect(await eventually { session.closeReason != nil })
        #expect(session.closeReason?.code.rawValue == code, "\(String(describing: session.closeReason))")
        #expect(await eventually { ResourceAudit.descriptors(containing: socket) == 0 })
    }

    @Test("a peer dying mid-message: data already received is readable, then SHMIPC_PEER_GONE")
    func peerDiesMidMessage() async throws {
        try await pythonClientFault("die-mid-message") { listener, client in
            let pid = client.process.processIdentifier
            try await Self.readsThenPeerGone(listener)
            #expect(
                await eventually { ResourceAudit.clean(token: "pyshmipc_\(pid)") },
                "\(ResourceAudit.report(token: "pyshmipc_\(pid)"))")
        }
    }

    static func readsThenPeerGone(_ listener: ShmIPCListener) async throws {
        let session = try await listener.accept()
        let stream = try await session.acceptStream()
        #expect(sameBytes(try await stream.read(exactly: 1000), pattern(1000, seed: 1)))
        do throws(ShmIPCError) {
            _ = try await stream.readToEnd()
            Issue.record("the stream should fail")
        } catch {
            #expect(error.code == .peerGone)
        }
        #expect(session.closeReason?.code == .peerGone)
    }

    /// Our client against a Python server that misbehaves on the first data.
    @Test(
        "a server that dies, sends a bad offset or garbage ends our streams with a clear error",
        arguments: [
            ("die-on-data", "SHMIPC_PEER_GONE"), ("bad-offset-reply", "SHMIPC_BAD_OFFSET"),
            ("garbage-reply", "SHMIPC_BAD_MAGIC"),
        ])
    func hostileServer(fault: String, code: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let python = try #require(Tools.python)
        let peer = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "server", "--listen", directory.socket(), "--fault", fault],
            directory: directory, name: "server-" + fault)
        defer { peer.stop() }
        #expect(await peer.waitFor("READY"))
        let config = configuration()
        try await withTimeout(20, "hostile server \(fault)") {
            try await Self.exchangeFails(directory.socket(), config, code: code)
        }
        let token = token(of: config.pathPrefix)
        #expect(await eventually { ResourceAudit.clean(token: token) }, "\(ResourceAudit.report(token: token))")
    }

    static func exchangeFails(_ path: String, _ config: ShmIPCConfiguration, code: String) async throws {
        let session = try await ShmIPCSession.connect(socketPath: path, configuration: config)
        let stream = try session.openStream()
        try await stream.writeMessage(pattern(3000, seed: 1))
        do throws(ShmIPCError) {
            _ = try await stream.read(exactly: 3000)
            Issue.record("the exchange should fail")
        } catch {
            #expect(error.code.rawValue == code, "\(error)")
        }
        #expect(session.closeReason?.code.rawValue == code)
        session.close()
    }

    @Test("a peer that stops draining: flush fails with SHMIPC_QUEUE_FULL after the retries")
    func queueFullAgainstStalledPeer() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let python = try #require(Tools.python)
        let peer = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "server", "--listen", directory.socket(), "--fault", "no-drain"],
            directory: directory, name: "server-no-drain")
        defer { peer.stop() }
        #expect(await peer.waitFor("READY"))
        var client = configuration()
        client.queueCapacity = 4
        let config = client
        try await withTimeout(20, "stalled peer") {
            let session = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config)
            let stream = try session.openStream()
            for _ in 0..<4 { try await stream.writeMessage([1]) }
            do throws(ShmIPCError) {
                try await stream.writeMessage([2])
                Issue.record("a fifth element cannot fit")
            } catch {
                #expect(error.code == .queueFull)
            }
            session.close()
        }
    }
}
