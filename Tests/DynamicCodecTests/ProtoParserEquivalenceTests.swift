import Foundation
import SwiftProtobuf
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Runs the real `protoc` so tests can compare our descriptors with its output.
enum ProtoParserProtoc {
    static let path: String? = ["/usr/bin/protoc", "/usr/local/bin/protoc"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static var isAvailable: Bool { path != nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `protoc --include_imports -o out.pb -I dir... roots...`, decoded.
    static func compile(_ roots: [String], includes: [String]) throws -> [Google_Protobuf_FileDescriptorProto] {
        guard let path else { throw Failure(description: "protoc is not installed") }
        let output = ProtoParserTemporaryDirectory()
        defer { output.remove() }
        let outputFile = output.path + "/out.pb"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--include_imports", "-o", outputFile] + includes.map { "-I" + $0 } + roots
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "protoc failed: " + String(decoding: message, as: UTF8.self))
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: outputFile))
        return try Google_Protobuf_FileDescriptorSet(serializedBytes: data).file
    }
}

/// A directory under the system temporary directory, removed by `remove()`.
struct ProtoParserTemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("protoparser-" + UUID().uuidString).path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ files: [String: String]) throws {
        for (name, text) in files {
            let url = URL(fileURLWithPath: path + "/" + name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum ProtoParserEquivalence {
    /// Compiles `roots` with protoc (user files in one `-I` directory, our bundled files in another) and with
    /// ProtoParser from `source`, and records an issue for every difference.
    static func check(roots: [String], userDirectory: String, source: ProtoFileSource) throws {
        let bundled = ProtoParserTemporaryDirectory()
        defer { bundled.remove() }
        try bundled.write(BundledProtoFiles.files)
        let expected = try ProtoParserProtoc.compile(roots, includes: [userDirectory, bundled.path])
        let actual = try ProtoParser.parse(files: roots, source: source).files
        #expect(actual.map(\.name) == expected.map(\.name))
        for (ours, theirs) in zip(actual, expected) {
            var theirs = theirs
            theirs.clearSourceCodeInfo()
            if ours != theirs {
                Issue.record(Comment(rawValue: "\(ours.name) differs from protoc:\n\(firstDifference(ours, theirs))"))
            }
        }
    }

    /// Writes `files` to a temporary directory and checks them from memory and from that directory.
    static func check(files: [String: String], roots: [String]) throws {
        let user = ProtoParserTemporaryDirectory()
        defer { user.remove() }
        try user.write(files)
        try check(roots: roots, userDirectory: user.path, source: ProtoFileSource(files: files))
        try check(roots: roots, userDirectory: user.path, source: ProtoFileSource(directories: [user.path]))
    }

    static func firstDifference(
        _ ours: Google_Protobuf_FileDescriptorProto, _ theirs: Google_Protobuf_FileDescriptorProto
    ) -> String {
        let left = ours.textFormatString().split(separator: "\n", omittingEmptySubsequences: false)
        let right = theirs.textFormatString().split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? String(left[index]) : "<end>"
            let b = index < right.count ? String(right[index]) : "<end>"
            if a != b {
                let context = left[max(0, index - 8)..<min(left.count, index)].joined(separator: "\n")
                return "\(context)\n  ours:   \(a)\n  protoc: \(b)"
            }
        }
        return "(text forms are equal; unknown fields differ)\nours:   \(ours.options.unknownFields.data.map { $0 })"
    }
}

/// One set of `.proto` sources compared with protoc.
struct ProtoParserCase: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    var roots: [String]
    var testDescription: String { name }
}

@Suite(.enabled(if: ProtoParserProtoc.isAvailable, "protoc is not installed"))
struct ProtoParserEquivalenceTests {
    @Test(arguments: ProtoParserCases.all)
    func matchesProtoc(_ protoCase: ProtoParserCase) throws {
        try ProtoParserEquivalence.check(files: protoCase.files, roots: protoCase.roots)
    }

    @Test(arguments: BundledProtoFiles.files.keys.sorted())
    func bundledFileMatchesProtoc(_ name: String) throws {
        let user = ProtoParserTemporaryDirectory()
        defer { user.remove() }
        try ProtoParserEquivalence.check(roots: [name], userDirectory: user.path, source: ProtoFileSource())
    }
}
