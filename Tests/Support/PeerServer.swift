public import Foundation

// Test support shared by the test targets that start real peer processes (DynamicCodecTests, GenericCallTests,
// GatewayTests).

/// Paths of the repository, found from this file's location.
public enum Repo {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static var descriptors: String { root.appendingPathComponent("Descriptors").path }
    public static var peers: String { root.appendingPathComponent("Tests/peers").path }
}

public struct PeerFailure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A server process started by a test on loopback: waits for the first line it prints, takes its port from it, and
/// is always terminated. The rest of its standard output is drained so it can never block on a full pipe.
public final class PeerServer: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    /// The first line the process printed.
    public let firstLine: String

    /// `port` reads the port from the first line; by default the line is `PORT n`.
    public init(
        _ arguments: [String], timeout: Double = 20,
        port readPort: (String) -> Int? = { $0.hasPrefix("PORT ") ? Int($0.dropFirst(5)) : nil }
    ) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read the first line with a deadline, on a thread (a blocking read cannot be interrupted otherwise).
        let box = LineBox()
        let reader = Thread {
            var line = Data()
            while true {
                let byte = stdout.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data([0x0A]) { break }
                line.append(byte)
            }
            box.set(String(decoding: line, as: UTF8.self))
            while !stdout.fileHandleForReading.availableData.isEmpty {}
        }
        reader.start()
        let limit = Date().addingTimeInterval(timeout)
        while box.get() == nil, Date() < limit, process.isRunning { usleep(10_000) }
        guard let line = box.get(), let port = readPort(line) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw PeerFailure(description: "\(arguments.joined(separator: " ")) did not start (got \(box.get() ?? "nothing"))")
        }
        firstLine = line
        self.port = port
    }

    /// SIGKILL: children of the test runner inherit its blocked signal mask, so SIGTERM would never arrive.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var line: String?
    func set(_ value: String) { lock.withLock { line = value } }
    func get() -> String? { lock.withLock { line } }
}

/// The Python code Apache Thrift's compiler generates for the bookstore IDL, made once per test run.
public enum ThriftGenerated {
    public static let directory: Result<String, PeerFailure> = {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("portico-gen-py-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["thrift", "-r", "--gen", "py", "-out", output, Repo.descriptors + "/bookstore.thrift"]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return .failure(PeerFailure(description: "thrift compiler: \(error)"))
        }
        guard process.terminationStatus == 0 else { return .failure(PeerFailure(description: "thrift --gen py failed")) }
        return .success(output)
    }()
}

/// Open file descriptors of this process (to check nothing leaks).
public func openFileDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
}

/// What a finished process printed, and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String
    public var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion (an absolute path, or a name looked up on PATH), feeding `input` on stdin while
/// draining stdout and stderr concurrently, so large payloads cannot deadlock on full pipes.
public func runProcess(_ executable: String, _ arguments: [String], input: [UInt8] = [], directory: String? = nil)
    throws -> ProcessResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let helpers = DispatchGroup()
    let errorBox = DataBox()
    helpers.enter()
    Thread.detachNewThread { [helpers] in
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        helpers.leave()
    }
    helpers.enter()
    Thread.detachNewThread { [helpers] in
        errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
        helpers.leave()
    }
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    helpers.wait()
    return ProcessResult(
        status: process.terminationStatus, stdout: [UInt8](output), stderr: String(decoding: errorBox.data, as: UTF8.self))
}

/// Runs a real peer program to completion and returns its standard output; a non-zero exit fails with its standard
/// error.
@discardableResult
public func runPeer(_ executable: String, _ arguments: [String], input: [UInt8] = [], directory: String? = nil) throws
    -> [UInt8]
{
    let result = try runProcess(executable, arguments, input: input, directory: directory)
    guard result.status == 0 else {
        throw PeerFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(result.stderr)")
    }
    return result.stdout
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// Runs blocking work (starting a peer process, waiting for its output) on a thread of its own, so the test's
/// concurrency pool — which the gateway under test and its fakes also answer on — is never held up by it.
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
