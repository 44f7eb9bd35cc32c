import Foundation
import Testing

@testable import ShmIPC

/// No half close, as the deployed peer: the first close ends a stream for both sides, nobody waits for an
/// end-of-stream that will not come, and both sides forget the stream.
@Suite("Stream lifecycle without half close", .timeLimit(.minutes(1)))
struct StreamLifecycleTests {
    @Test("5000 open/echo/close cycles leave both sessions' stream tables empty")
    func cyclesForgetStreams() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let config = configuration()
        let server = try HandlerEchoServer(socketPath: directory.socket(), configuration: config)
        defer { server.close() }
        try await withTimeout(50, "5000 cycles") {
            let session = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: config)
            let message: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
            for _ in 0..<5000 {
                let stream = try session.openStream()
                try await stream.writeMessage(message)
                #expect(try await stream.read(exactly: message.count) == message)
                try stream.close()
                #expect(try await stream.read() == nil, "a stream we closed ends at once")
            }
            #expect(session.core.streamCount == 0)
            let serverSession = try #require(server.sessions.first)
            #expect(await eventually { serverSession.core.streamCount == 0 }, "\(serverSession.core.streamCount) left")
            session.close()
        }
    }

    @Test("after the peer's close: reads end after the data, writes fail, our close sends nothing")
    func peerClosesFirst() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let listener = try ShmIPCListener(socketPath: directory.socket(), configuration: configuration())
        defer { listener.close() }
        try await withTimeout(20, "peer closes first") {
            let client = try await ShmIPCSession.connect(socketPath: directory.socket(), configuration: configuration())
            let server = try await listener.accept()
            let stream = try client.openStream()
            try await stream.writeMessage([1, 2, 3])
            let accepted = try await server.acceptStream()
            #expect(try await accepted.read(exactly: 3) == [1, 2, 3])
            try await accepted.writeMessage([4, 5])
            try accepted.close()
            #expect(server.core.streamCount == 0, "the side that closes first forgets the stream at once")
            #expect(try await stream.read(exactly: 2) == [4, 5])
            #expect(try await stream.read() == nil)
            #expect(client.core.streamCount == 0, "the peer's close alone ends the stream")
            #expect(throws: ShmIPCError.self) { try stream.write([9]) }
            let queued = client.core.sendQueue.count
            try stream.close()
            #expect(client.core.sendQueue.count == queued, "no close element answers the peer's close")
            // Late data for the forgotten id opens no new stream on the server.
            let late = try #require(client.core.buffer.allocate(atLeast: 1))
            client.core.buffer.setSize(1, ofSlice: late)
            #expect(client.core.sendQueue.put(QueueElement(streamID: stream.id, offsetInBuffer: late, status: 0)))
            try client.core.notifyPeer()
            let other = try client.openStream()
            try await other.writeMessage([7])
            let next = try await server.acceptStream()
            #expect(next.id == other.id)
            client.close()
        }
    }
}
