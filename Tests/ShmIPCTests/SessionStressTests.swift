import Foundation
import Testing

@testable import ShmIPC

/// Several client sessions sharing one buffer region, many streams each, large messages both ways through the
/// handler-driven echo server, every byte checked: the load under which a slice with two owners showed up as
/// another stream's bytes or a bad offset.
@Suite("Sessions sharing a region under load", .timeLimit(.minutes(2)))
struct SessionStressTests {
    static let sessions = 3
    static let streams = 64
    static let size = 64 * 1024
    static let rounds = 16

    /// Base patterns computed once (pattern generation is slow in debug builds).
    static let bases: [[UInt8]] = (0..<7).map { pattern(size, seed: $0) }

    /// The message of one (session, stream, round): a base pattern with a 16-byte tag every KiB, so bytes of
    /// any other message (or a stale slice) differ within the first KiB of a slice.
    static func message(session: Int, stream: Int, round: Int) -> [UInt8] {
        var bytes = bases[(session * 31 + stream * 7 + round) % bases.count]
        let tag = [UInt32(session), UInt32(stream), UInt32(round), 0x5EED_F00D]
        bytes.withUnsafeMutableBytes { raw in
            for offset in stride(from: 0, to: size, by: 1024) {
                for (index, word) in tag.enumerated() {
                    raw.storeBytes(of: word, toByteOffset: offset + index * 4, as: UInt32.self)
                }
            }
        }
        return bytes
    }

    @Test(
        "3 sessions x 64 streams x 64 KiB both ways, 16 rounds, every byte checked",
        arguments: [ShmIPCConfiguration.MappingMode.memfd, .filePath])
    func sharedRegion(mode: ShmIPCConfiguration.MappingMode) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration(mode)
        let server = try HandlerEchoServer(socketPath: directory.socket(), configuration: config)
        defer { server.close() }
        let mismatches = Counter()
        let checked = Counter()
        try await withTimeout(90, "session stress") {
            let clients = try await withThrowingTaskGroup(of: ShmIPCSession.self) { group in
                for _ in 0..<Self.sessions {
                    group.addTask { try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(clients.dropFirst().allSatisfy { $0.core.buffer === clients[0].core.buffer }, "one shared region")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (sessionIndex, session) in clients.enumerated() {
                    for streamIndex in 0..<Self.streams {
                        let stream = try session.openStream()
                        group.addTask {
                            for round in 0..<Self.rounds {
                                let message = Self.message(session: sessionIndex, stream: streamIndex, round: round)
                                try await stream.writeMessage(message)
                                let echoed = try await stream.read(exactly: Self.size)
                                if !sameBytes(echoed, message) { mismatches.increment() }
                                checked.increment()
                            }
                            try stream.close()
                            #expect(try await stream.read() == nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            for session in clients {
                #expect(session.closeReason == nil)
                #expect(session.core.streamCount == 0)
            }
            #expect(await eventually { server.sessions.allSatisfy { $0.core.streamCount == 0 } })
            for session in clients { session.close() }
        }
        #expect(mismatches.value == 0, "\(mismatches.value) echoes carried other bytes")
        #expect(checked.value == Self.sessions * Self.streams * Self.rounds)
        #expect(server.sessions.count == Self.sessions)
        #expect(server.sessions.allSatisfy { $0.closeReason == nil || $0.closeReason?.code == .peerGone })
    }
}
