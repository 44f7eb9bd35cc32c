import Foundation
import Testing

@testable import DynamicCodec

/// Paths of the repository, found from this file's location.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var descriptors: String { root.appendingPathComponent("Descriptors").path }
}

/// Runs a real peer program and returns its standard output; a non-zero exit fails with its standard error.
struct PeerError: Error, CustomStringConvertible {
    var description: String
}

@discardableResult
func runPeer(_ executable: String, _ arguments: [String], input: [UInt8] = [], directory: String? = nil) throws
    -> [UInt8]
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Feed stdin and drain stdout/stderr concurrently so large payloads cannot deadlock on full pipes.
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let errorBox = DataBox()
    let errorReader = Thread { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
    errorReader.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while errorReader.isExecuting || writer.isExecuting { usleep(1000) }
    guard process.terminationStatus == 0 else {
        throw PeerError(
            description: "\(executable) \(arguments.joined(separator: " ")) failed: "
                + String(decoding: errorBox.data, as: UTF8.self))
    }
    return [UInt8](output)
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// protoc as an oracle: text format <-> binary for types of the shipped descriptors.
enum Protoc {
    static func encode(_ type: String, _ text: String, file: String, include: String = Repo.descriptors) throws
        -> [UInt8]
    {
        try runPeer("protoc", ["--encode=\(type)", "-I", include, "-I", bundledIncludeDirectory, file],
                    input: Array(text.utf8))
    }

    static func decode(_ type: String, _ bytes: [UInt8], file: String, include: String = Repo.descriptors) throws
        -> String
    {
        String(
            decoding: try runPeer("protoc", ["--decode=\(type)", "-I", include, "-I", bundledIncludeDirectory, file],
                                  input: bytes), as: UTF8.self)
    }

    /// `protoc --include_imports -o` output for `file`.
    static func descriptorSet(_ file: String, include: String = Repo.descriptors) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: out) }
        try runPeer("protoc", ["--include_imports", "-o", out.path, "-I", include, "-I", bundledIncludeDirectory, file])
        return [UInt8](try Data(contentsOf: out))
    }

    /// Debian's protoc ships google/protobuf/* but not google/api/*: our bundled definitions are written to a
    /// temporary directory once and given to protoc, so both sides compile the same files.
    static let bundledIncludeDirectory: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-bundled-\(getpid())")
        for (name, text) in BundledProtoFiles.files {
            let url = directory.appendingPathComponent(name)
            try! FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! Data(text.utf8).write(to: url)
        }
        return directory.path
    }()
}

/// Schemas of the shipped descriptors, loaded once from the compiled descriptor sets.
enum Schemas {
    static let baseline: ProtoSchema = try! ProtoSchema(
        descriptorSet: Protoc.descriptorSet("baseline.proto"))
    static let rich: ProtoSchema = try! ProtoSchema(descriptorSet: Protoc.descriptorSet("test/rich.proto"))
    static let rich2: ProtoSchema = try! ProtoSchema(descriptorSet: Protoc.descriptorSet("test/rich2.proto"))
}
