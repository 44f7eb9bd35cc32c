import Foundation
import Synchronization
import Testing

@testable import ShmIPC

/// Fails (instead of hanging) when `body` takes longer than `seconds`; a stuck body is cancelled and
/// abandoned rather than awaited.
func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String = "operation", _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = Once<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        let work = Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            once.resume(.failure(TimeoutError(what: what, seconds: seconds)))
            work.cancel()
        }
    }
}

final class Once<T: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<T, any Error>?, Bool)>((nil, false))
    func set(_ continuation: CheckedContinuation<T, any Error>) { state.withLock { $0.0 = continuation } }
    func resume(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard !state.1 else { return nil }
            state.1 = true
            return state.0
        }
        continuation?.resume(with: result)
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String { "\(what) did not finish within \(seconds) s" }
}

/// A fresh directory for sockets, removed by `cleanup()`.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        let base = "/tmp/shmipc-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    func socket(_ name: String = "s.sock") -> String { path + "/" + name }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A unique /dev/shm prefix so parallel tests never share (or count) each other's files.
func uniquePrefix() -> String { "/dev/shm/shmipc_t\(UUID().uuidString.prefix(8).lowercased())" }

func shmFiles(prefix: String) -> [String] {
    let name = String(prefix.dropFirst("/dev/shm/".count))
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.hasPrefix(name) }
}

func openDescriptorCount() -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
}

/// Waits (bounded) until `condition` holds; returns whether it did.
func eventually(_ seconds: Double = 3, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return condition()
}

/// The deterministic test bytes (the same formula as `portico shmipc ping` and the Python peer).
func pattern(_ count: Int, seed: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count { buffer[index] = UInt8(truncatingIfNeeded: seed &* 131 &+ index &* 7 &+ index >> 8) }
        initialized = count
    }
}

/// Byte equality with memcmp (Array's == is slow in debug builds for megabytes).
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count
        && (a.isEmpty
            || a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 }
            })
}

func configuration(
    _ mode: ShmIPCConfiguration.MappingMode = .memfd, prefix: String = uniquePrefix(), bufferSize: Int? = nil
) -> ShmIPCConfiguration {
    var configuration = ShmIPCConfiguration()
    configuration.mappingMode = mode
    configuration.pathPrefix = prefix
    // Parallel debug-build tests on 2 cores can be slow; the 1 s default is tested separately.
    configuration.handshakeTimeout = .seconds(10)
    if let bufferSize { configuration.bufferRegionSize = bufferSize }
    return configuration
}

/// Echoes every stream of every accepted session until the listener closes.
func startEchoServer(_ listener: ShmIPCListener) -> Task<Void, Never> {
    Task {
        await withTaskGroup(of: Void.self) { group in
            while let session = try? await listener.accept() {
                group.addTask {
                    await withTaskGroup(of: Void.self) { streams in
                        while let stream = try? await session.acceptStream() {
                            streams.addTask {
                                while let chunk = try? await stream.readChunk() {
                                    guard (try? stream.write(chunk)) != nil, (try? await stream.flush()) != nil else {
                                        break
                                    }
                                }
                                try? stream.close()
                            }
                        }
                    }
                    session.close()
                }
            }
        }
    }
}
