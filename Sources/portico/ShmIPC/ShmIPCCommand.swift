import ArgumentParser
import Foundation
import ShmIPC
import Synchronization

/// `portico shmipc ...`: diagnostics for the shared-memory transport.
struct ShmIPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shmipc",
        abstract: "Diagnose ShmIPC (shared-memory IPC compatible with shmipc): an echo server and a ping client.",
        subcommands: [ShmIPCEchoServerCommand.self, ShmIPCPingCommand.self]
    )
}

/// The handshake flags shared by both commands.
struct ShmIPCModeOptions: ParsableArguments {
    @Flag(name: .customLong("memfd"), help: "Protocol v3: memfds passed over the socket (default).")
    var memfd = false

    @Flag(name: .customLong("file-path"), help: "Protocol v2: files under /dev/shm.")
    var filePath = false

    func validate() throws {
        if memfd && filePath { throw ValidationError("--memfd and --file-path exclude each other") }
    }

    var mode: ShmIPCConfiguration.MappingMode { filePath ? .filePath : .memfd }
}

struct ShmIPCEchoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Accept ShmIPC sessions and echo every stream's bytes back on the same stream, then close it.",
        discussion: "With --file-path the server offers protocol v2 only, so clients use the /dev/shm file handshake."
    )

    @Option(help: "Unix socket path to listen on.")
    var listen: String

    @OptionGroup var mode: ShmIPCModeOptions

    @Option(help: ArgumentHelp("Exit after this many sessions have ended.", visibility: .hidden))
    var sessions: Int?

    @Option(help: "Seconds a client's handshake may take.")
    var handshakeTimeout: Double = 1

    func run() async throws {
        var configuration = ShmIPCConfiguration()
        if mode.mode == .filePath { configuration.maximumProtocolVersion = 2 }
        configuration.handshakeTimeout = .milliseconds(Int(handshakeTimeout * 1000))
        let listener = try ShmIPCListener(socketPath: listen, configuration: configuration)
        FileHandle.standardOutput.write(Data("shmipc echo-server listening on \(listen)\n".utf8))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var accepted = 0
            while sessions.map({ accepted < $0 }) ?? true {
                let session = try await listener.accept()
                accepted += 1
                group.addTask { await Self.serve(session) }
            }
            try await group.waitForAll()
        }
        listener.close()
    }

    static func serve(_ session: ShmIPCSession) async {
        while let stream = try? await session.acceptStream() {
            ShmIPCStreamEcho(stream).start()
        }
        session.close()
    }
}

/// Echoes one stream from its readable handler, on the session's receive thread: no task hop per message.
/// This is the poll API's intended use; a lock keeps the echo of concurrent calls in order.
final class ShmIPCStreamEcho: Sendable {
    private let stream: ShmIPCStream
    private let state = Mutex<Scratch>(Scratch())

    private struct Scratch: ~Copyable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var finished = false
        deinit { bytes.deallocate() }
    }

    init(_ stream: ShmIPCStream) { self.stream = stream }

    func start() {
        stream.setReadableHandler { [self] in pump() }
        pump()  // bytes may have arrived before the handler was set
    }

    private func pump() {
        let finished = state.withLock { scratch -> Bool in
            guard !scratch.finished else { return true }
            var wrote = false
            reading: while true {
                switch stream.read(into: scratch.bytes) {
                case .consumed(let count):
                    do throws(ShmIPCError) {
                        try stream.write(UnsafeRawBufferPointer(rebasing: scratch.bytes[0..<count]))
                        wrote = true
                    } catch {
                        report(error)
                        scratch.finished = true
                        break reading
                    }
                case .empty:
                    break reading
                case .endOfStream:
                    scratch.finished = true
                    break reading
                case .failed(let error):
                    report(error)
                    scratch.finished = true
                    break reading
                }
            }
            do throws(ShmIPCError) {
                if wrote { try stream.flushBlocking() }
                if scratch.finished { try stream.close() }
            } catch {
                report(error)
                scratch.finished = true
            }
            return scratch.finished
        }
        if finished { stream.setReadableHandler(nil) }
    }

    /// Reports what went wrong on the stream; a client that closed its stream or session is no error.
    private func report(_ error: ShmIPCError) {
        guard error.code != .peerGone, error.code != .sessionClosed, error.code != .streamClosed else { return }
        FileHandle.standardError.write(Data("shmipc echo-server: stream \(stream.id): \(error)\n".utf8))
    }
}

struct ShmIPCPingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Send messages to a ShmIPC echo server, check every echoed byte and report round trips per second."
    )

    @Option(help: "Unix socket path of the server.")
    var connect: String

    @Option(help: "Bytes per message.")
    var size: Int

    @Option(help: "Number of messages (round trips) in all.")
    var count: Int

    @Option(help: "Concurrent streams per session; the messages are spread over all of them.")
    var streams: Int = 1

    @Option(help: "Sessions the streams are spread over (one process: they share one buffer region).")
    var sessions: Int = 1

    @OptionGroup var mode: ShmIPCModeOptions

    @Option(
        help: ArgumentHelp(
            "Buffer region size in bytes, at least about 700 KB (small values force the socket fallback).",
            visibility: .hidden)
    )
    var bufferSize: Int?

    @Option(help: "Seconds the handshake may take.")
    var handshakeTimeout: Double = 1

    func validate() throws {
        guard size >= 1 else { throw ValidationError("--size must be at least 1") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard streams >= 1 else { throw ValidationError("--streams must be at least 1") }
        guard sessions >= 1 else { throw ValidationError("--sessions must be at least 1") }
    }

    /// The deterministic byte `index` of message `message`.
    static func patternByte(message: Int, index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: message &* 131 &+ index &* 7 &+ index >> 8)
    }

    func run() async throws {
        var configuration = ShmIPCConfiguration()
        configuration.mappingMode = mode.mode
        if let bufferSize { configuration.bufferRegionSize = bufferSize }
        configuration.handshakeTimeout = .milliseconds(Int(handshakeTimeout * 1000))
        var opened: [ShmIPCSession] = []
        for _ in 0..<sessions {
            opened.append(try await ShmIPCSession.connect(socketPath: connect, configuration: configuration))
        }
        let all = opened
        let session = all[0]
        let (size, count, streamCount) = (self.size, self.count, min(self.streams * self.sessions, self.count))
        let start = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for streamIndex in 0..<streamCount {
                    let stream = try all[streamIndex % all.count].openStream()
                    group.addTask {
                        var message = streamIndex
                        var outgoing = [UInt8](repeating: 0, count: size)
                        while message < count {
                            for index in 0..<size { outgoing[index] = Self.patternByte(message: message, index: index) }
                            try await stream.writeMessage(outgoing)
                            let echoed = try await stream.read(exactly: size)
                            if echoed != outgoing {
                                let first =
                                    zip(echoed, outgoing).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                                    ?? 0
                                throw ValidationError(
                                    "message \(message) on stream \(stream.id): echoed bytes differ from byte \(first) on"
                                )
                            }
                            message += streamCount
                        }
                        try stream.close()
                        if try await stream.read() != nil {
                            throw ValidationError("stream \(stream.id): the server sent bytes nobody asked for")
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            for session in all { session.close() }
            FileHandle.standardError.write(Data("shmipc ping failed: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / max(seconds, 1e-9)
        let throughput = Double(count) * Double(size) * 2 / max(seconds, 1e-9) / 1_048_576
        print(
            "shmipc ping: \(count) round trips of \(size) bytes over \(streamCount) stream(s)"
                + (all.count > 1 ? " in \(all.count) sessions" : "") + ", protocol v\(session.protocolVersion): "
                + String(format: "%.3f s, %.0f round trips/s, %.1f MiB/s", seconds, rate, throughput)
                + (all.allSatisfy(\.isHealthy) ? "" : " (fell back to the socket)"))
        for session in all { session.close() }
    }
}
