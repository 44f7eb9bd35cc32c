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

    @Test("a receiver spinning after a batch keeps its workingFlag set, so the sender needs no Polling event")
    func spinningReceiver() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        var serverConfiguration = configuration()
        serverConfiguration.receiveSpin = .seconds(5)
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: serverConfiguration)
        let server = startEchoServer(listener)
        defer {
            listener.close()
            server.cancel()
        }
        try await withTimeout(20, "spinning receiver") {
            var clientConfiguration = configuration()
            clientConfiguration.receiveSpin = .zero
            let session = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: clientConfiguration)
            let stream = try session.openStream()
            for round in 0..<50 {
                let message = pattern(100 + round, seed: round)
                try await stream.writeMessage(message)
                #expect(sameBytes(try await stream.read(exactly: message.count), message))
                if round == 0 {
                    // The server drained our element and now watches its queue: its flag stays 1, so our next put
                    // finds it busy and sends no Polling event.
                    #expect(session.core.sendQueue.isWorking)
                    // Our own receiver does not spin: it declared itself idle after the echo.
                    #expect(await eventually { !session.core.receiveQueue.isWorking })
                }
            }
            try stream.close()
            #expect(try await stream.read() == nil)
            session.close()
        }
    }
}
