import Foundation
import Glibc

/// ShmIPC vs Unix-domain socket vs TCP loopback, cross-process.
///
///     TransportBenchmarks [--reps 3] [--warmup 0.2] [--duration 0.8] [--sizes 64,1024,...] [--streams 1,8]
///                         [--transports shmipc,uds,tcp] [--modes pingpong,stream] [--socket-buffer BYTES]
///                         [--shm-spin MICROSECONDS] [--shm-copy] [--shm-writer-threads]
///
/// Every cell (mode x size x streams x transport) starts a fresh echo peer: this executable re-run as
/// `TransportBenchmarks serve ...`. The three transports of one (mode, size, streams) run back to back, and
/// the whole matrix is repeated `--reps` times, so each ratio compares runs minutes apart at most.
@main
struct TransportBenchmarks {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" { serve(Array(arguments.dropFirst())) }
        run(Options(arguments))
    }

    // MARK: Child: the echo peer

    /// `serve TRANSPORT MODE SIZE SOCKET_PATH SOCKET_BUFFER SHM_SPIN SHM_COPY` (SHM_SPIN -1 = the library's default)
    static func serve(_ arguments: [String]) -> Never {
        guard arguments.count == 7, let spin = Int(arguments[5]), let mode = Exchange.Mode(rawValue: arguments[1]), let size = Int(arguments[2]),
            let bufferSize = Int(arguments[4])
        else { fail("usage: serve shmipc|uds|tcp pingpong|stream SIZE SOCKET_PATH SOCKET_BUFFER") }
        let exchange = Exchange(mode: mode, size: size)
        ShmTransport.spinMicroseconds = spin < 0 ? nil : spin
        ShmTransport.copyReads = arguments[6] == "copy"
        switch arguments[0] {
        case "shmipc":
            ShmTransport.serve(socketPath: arguments[3], exchange: exchange)
        case "uds":
            let descriptor = Sockets.listenUnix(path: arguments[3])
            announceReady(port: 0)
            SocketTransport.serve(listening: descriptor, tcp: false, exchange: exchange, bufferSize: bufferSize)
        case "tcp":
            let (descriptor, port) = Sockets.listenTCP()
            announceReady(port: port)
            SocketTransport.serve(listening: descriptor, tcp: true, exchange: exchange, bufferSize: bufferSize)
        default:
            fail("unknown transport \(arguments[0])")
        }
    }

    // MARK: Parent: the clients and the table

    struct Options {
        var repetitions = 3
        var warmup = 0.2
        var duration = 0.8
        var sizes = [64, 1024, 4096, 16384, 65536, 1 << 20, 4 << 20]
        var streams = [1, 8]
        var transports = ["shmipc", "uds", "tcp"]
        var modes: [Exchange.Mode] = [.pingpong, .stream]
        var socketBuffer = 0
        var shmSpin = -1
        var shmCopy = false
        var shmWriterThreads = false

        init(_ arguments: [String]) {
            var index = 0
            func value() -> String {
                index += 1
                guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
                return arguments[index]
            }
            func integers(_ text: String) -> [Int] {
                text.split(separator: ",").map { required(Int($0), "not a number list: \(text)") }
            }
            while index < arguments.count {
                switch arguments[index] {
                case "--reps": repetitions = required(Int(value()), "--reps needs a number")
                case "--warmup": warmup = required(Double(value()), "--warmup needs seconds")
                case "--duration": duration = required(Double(value()), "--duration needs seconds")
                case "--sizes": sizes = integers(value())
                case "--streams": streams = integers(value())
                case "--transports": transports = value().split(separator: ",").map(String.init)
                case "--modes":
                    modes = value().split(separator: ",").map {
                        required(Exchange.Mode(rawValue: String($0)), "unknown mode \($0)")
                    }
                case "--shm-copy": shmCopy = true
                case "--shm-writer-threads": shmWriterThreads = true
                case "--shm-spin": shmSpin = required(Int(value()), "--shm-spin needs microseconds")
                case "--socket-buffer": socketBuffer = required(Int(value()), "--socket-buffer needs bytes")
                default: fail("unknown argument \(arguments[index])")
                }
                index += 1
            }
        }
    }

    struct Key: Hashable, Comparable {
        let mode: String
        let size: Int
        let streams: Int
        static func < (a: Key, b: Key) -> Bool {
            (a.mode, a.size, a.streams) < (b.mode, b.size, b.streams)
        }
    }

    static func run(_ options: Options) -> Never {
        ShmTransport.spinMicroseconds = options.shmSpin < 0 ? nil : options.shmSpin
        ShmTransport.copyReads = options.shmCopy
        ShmTransport.writerThreads = options.shmWriterThreads
        signal(SIGPIPE, SIG_IGN)
        emit(
            "# TransportBenchmarks: reps \(options.repetitions), warmup \(options.warmup) s, measured \(options.duration) s"
                + ", socket buffers \(options.socketBuffer == 0 ? "system default" : String(options.socketBuffer))"
                + ", ShmIPC receiveSpin \(options.shmSpin < 0 ? "library default" : "\(options.shmSpin) us")"
                + ", ShmIPC receivers \(options.shmCopy ? "copy into a buffer (--shm-copy)" : "read in place (poll)")"
                + ", ShmIPC stream writers \(options.shmWriterThreads ? "one thread each (--shm-writer-threads)" : "on the receive thread")")
        emit("# mode pingpong: per_second = round trips/s, MB/s = round trips/s x size x 2 (both directions)")
        emit("# mode stream: per_second = messages/s one way, MB/s = messages/s x size; window per stream in messages")
        var results: [Key: [String: [(Double, Bool)]]] = [:]
        for repetition in 1...options.repetitions {
            for mode in options.modes {
                for size in options.sizes {
                    for streams in options.streams {
                        for transport in options.transports {
                            let exchange = Exchange(mode: mode, size: size)
                            let (messages, fellBack) = cell(
                                transport: transport, exchange: exchange, streams: streams, options: options)
                            let perSecond = Double(messages) / options.duration
                            let megabytes = perSecond * Double(size) * (mode == .pingpong ? 2 : 1) / 1e6
                            emit(
                                "RESULT mode=\(mode.rawValue) size=\(size) streams=\(streams) transport=\(transport)"
                                    + " rep=\(repetition) messages=\(messages) seconds=\(options.duration)"
                                    + String(format: " per_second=%.1f mb_per_second=%.2f", perSecond, megabytes)
                                    + " window=\(mode == .stream ? exchange.window : 1) fallback=\(fellBack ? 1 : 0)")
                            results[Key(mode: mode.rawValue, size: size, streams: streams), default: [:]][
                                transport, default: []
                            ].append((perSecond, fellBack))
                        }
                    }
                }
            }
        }
        printSummary(results, options)
        exit(0)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func printSummary(_ results: [Key: [String: [(Double, Bool)]]], _ options: Options) {
        emit("# medians of \(options.repetitions) runs")
        emit("# mode      size     streams  " + options.transports.map { $0.padding(toLength: 22, withPad: " ", startingAt: 0) }.joined() + "shm/uds shm/tcp")
        for key in results.keys.sorted() {
            var line = "# " + key.mode.padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(key.size).padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(key.streams).padding(toLength: 9, withPad: " ", startingAt: 0)
            var medians: [String: Double] = [:]
            for transport in options.transports {
                let runs = results[key]?[transport] ?? []
                let rate = median(runs.map(\.0))
                medians[transport] = rate
                let megabytes = rate * Double(key.size) * (key.mode == "pingpong" ? 2 : 1) / 1e6
                let cell = String(format: "%.0f/s %.1fMB/s", rate, megabytes) + (runs.contains { $0.1 } ? "!" : "")
                line += cell.padding(toLength: 22, withPad: " ", startingAt: 0)
            }
            if let shm = medians["shmipc"] {
                for other in ["uds", "tcp"] {
                    if let base = medians[other], base > 0 { line += String(format: "%-8.2f", shm / base) }
                }
            }
            emit(line)
        }
    }

    // MARK: One cell

    static func cell(transport: String, exchange: Exchange, streams: Int, options: Options) -> (Int, Bool) {
        let socketPath = "/tmp/portico-transport-bench-\(getpid()).sock"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = [
            "serve", transport, exchange.mode.rawValue, String(exchange.size), socketPath, String(options.socketBuffer),
            String(options.shmSpin), options.shmCopy ? "copy" : "view",
        ]
        let output = Pipe()
        child.standardOutput = output
        do { try child.run() } catch { fail("cannot start the echo peer: \(error)") }
        defer {
            child.terminate()
            child.waitUntilExit()
            unlink(socketPath)
        }
        let port = readReadyLine(output.fileHandleForReading)
        switch transport {
        case "shmipc":
            return ShmTransport.run(
                socketPath: socketPath, exchange: exchange, streams: streams, warmup: options.warmup,
                duration: options.duration)
        case "uds", "tcp":
            let tcp = transport == "tcp"
            let phases = Phases(warmup: options.warmup, duration: options.duration)
            let messages = SocketTransport.run(
                connect: { tcp ? Sockets.connectTCP(port: port) : Sockets.connectUnix(path: socketPath) }, tcp: tcp,
                bufferSize: options.socketBuffer, exchange: exchange, streams: streams, phases: phases)
            return (messages, false)
        default:
            fail("unknown transport \(transport)")
        }
    }

    /// Waits for the child's `ready PORT` line.
    static func readReadyLine(_ handle: FileHandle) -> UInt16 {
        var line = [UInt8]()
        while !line.contains(UInt8(ascii: "\n")) {
            let data = handle.availableData
            if data.isEmpty { fail("the echo peer exited before it was ready") }
            line.append(contentsOf: data)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ready "), let port = UInt16(text.dropFirst(6)) else {
            fail("unexpected line from the echo peer: \(text)")
        }
        return port
    }
}
