import DynamicCodec
import Foundation
import Testing
import PorticoTestSupport

/// Every `.proto` file of the repository's `Descriptors/` directory must compile exactly like protoc compiles it.
@Suite(.enabled(if: ProtoParserProtoc.isAvailable, "protoc is not installed"))
struct ProtoParserDescriptorsTests {
    /// `Descriptors/` of the repository, found from this source file (through symlinks, for out-of-tree builds).
    static let directory: String? = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("Descriptors")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    /// Names relative to `Descriptors/`, as protoc sees them with `-I Descriptors`.
    static let files: [String] = {
        guard let directory, let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".proto") }.sorted()
    }()

    @Test func findsDescriptorFiles() {
        #expect(Self.files.contains("baseline.proto"))
    }

    /// etcd's API files import each other from their own root (`mvccpb/kv.proto`), as in etcd's repository.
    static let ownRoots = ["etcd/"]

    @Test(arguments: files)
    func matchesProtoc(_ name: String) throws {
        var directory = try #require(Self.directory)
        var root = name
        if let own = Self.ownRoots.first(where: { name.hasPrefix($0) }) {
            directory += "/" + own.dropLast()
            root = String(name.dropFirst(own.count))
        }
        try ProtoParserEquivalence.check(
            roots: [root], userDirectory: directory, source: ProtoFileSource(directories: [directory]))
    }
}
