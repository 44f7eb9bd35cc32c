import Foundation
import Glibc
import Testing

/// A child process (the Python peer or the `portico` binary) whose output goes to a file, so tests can wait
/// for a line without pipes. Always `stop()` it (tests do so in `defer`).
final class ExternalProcess: @unchecked Sendable {
    let process = Process()
    let outputPath: String

    init(executable: String, arguments: [String], directory: TemporaryDirectory, name: String) throws {
        outputPath = directory.path + "/" + name + ".out"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try output.close()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits (bounded) until the output contains `text`.
    func waitFor(_ text: String, seconds: Double = 10) async -> Bool {
        await eventually(seconds) { output.contains(text) }
    }

    /// Waits (bounded) for the exit; kills the process if it outlives `seconds`. Returns the exit status.
    @discardableResult
    func finish(seconds: Double = 20) async -> Int32? {
        let exited = await eventually(seconds) { !process.isRunning }
        if !exited {
            stop()
            return nil
        }
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

enum Tools {
    /// The independent Python peer, next to this test target in the source tree.
    static var pythonPeer: String {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/shmipc_peer.py").path
    }

    static var python: String? {
        ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
            ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map { $0 + "/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `portico` executable of the same build: beside the test bundle, or under the package's .build.
    static var portico: String? {
        var candidates: [String] = []
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argument0.deletingLastPathComponent().appendingPathComponent("portico").path)
        candidates.append(
            argument0.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("portico").path)
        candidates.append(
            URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent().appendingPathComponent("portico")
                .path)
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            directory = directory.deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent(".build/debug/portico").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
