import Foundation
import Testing

@testable import ShmIPC

@Suite("Sessions over a real Unix socket", .timeLimit(.minutes(1)))
struct SessionTests {
    @Test(
        "echo round trips", arguments: [ShmIPCConfiguration.MappingMode.memfd, .filePath],
        [1, 100, 8172, 8173, 131_052, 131_053, 1 << 20, 4 << 20])
    func echo(mode: ShmIPCConfiguration.MappingMode, size: Int) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration(mode)
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: config)
        let server = startEchoServer(listener)
        defer {
            listener.close()
            server.cancel()
        }
        try await withTimeout(20, "echo of \(size) bytes") {
            let session = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config)
            #expect(session.protocolVersion == (mode == .memfd ? 3 : 2))
            let stream = try session.openStream()
            for round in 0..<3 {
                let message = pattern(size, seed: round)
                try await stream.writeMessage(message)
                let echoed = try await stream.read(exactly: size)
                #expect(sameBytes(echoed, message))
            }
            try stream.close()
            #expect(try await stream.read() == nil)
            #expect(session.isHealthy)
            session.close()
        }
    }
}
