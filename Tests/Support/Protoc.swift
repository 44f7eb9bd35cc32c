public import Foundation
import DynamicCodec

/// protoc as an oracle: text format <-> binary for types of the shipped descriptors.
public enum Protoc {
    public static func encode(_ type: String, _ text: String, file: String, include: String = Repo.descriptors) throws
        -> [UInt8]
    {
        try runPeer("protoc", ["--encode=\(type)", "-I", include, "-I", bundledIncludeDirectory, file],
                    input: Array(text.utf8))
    }

    public static func decode(_ type: String, _ bytes: [UInt8], file: String, include: String = Repo.descriptors) throws
        -> String
    {
        String(
            decoding: try runPeer("protoc", ["--decode=\(type)", "-I", include, "-I", bundledIncludeDirectory, file],
                                  input: bytes), as: UTF8.self)
    }

    /// `protoc --include_imports -o` output for `file` (with `--include_source_info` when `sourceInfo`).
    public static func descriptorSet(_ file: String, include: String = Repo.descriptors, sourceInfo: Bool = false)
        throws -> [UInt8]
    {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: out) }
        try runPeer(
            "protoc",
            ["--include_imports"] + (sourceInfo ? ["--include_source_info"] : [])
                + ["-o", out.path, "-I", include, "-I", bundledIncludeDirectory, file])
        return [UInt8](try Data(contentsOf: out))
    }

    /// Debian's protoc ships google/protobuf/* but not google/api/*: our bundled definitions are written to a
    /// temporary directory once and given to protoc, so both sides compile the same files.
    public static let bundledIncludeDirectory: String = {
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
