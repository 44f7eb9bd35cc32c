#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where imported files come from. Lookup order: in-memory files, then directories in order, then the bundled files.
public struct ProtoFileSource: Sendable {
    /// Directories searched for a file, like protoc's `-I` paths.
    public var directories: [String]
    /// File contents by the name they are imported under (`"google/api/http.proto"`).
    public var files: [String: String]

    public init(directories: [String] = [], files: [String: String] = [:]) {
        self.directories = directories
        self.files = files
    }

    /// The text of the file imported as `name`, or nil when no location has it.
    func text(of name: String) throws(CodecError) -> String? {
        if let text = files[name] { return text }
        for directory in directories {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            guard let text = String(validating: data, as: UTF8.self) else {
                throw CodecError(
                    .syntaxError, "file is not valid UTF-8", location: SourceLocation(file: name, line: 1, column: 1))
            }
            return text
        }
        return BundledProtoFiles.files[name]
    }

    /// Import names must be relative paths without `.` or `..` steps, so they cannot escape the directories.
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains {
            $0.isEmpty || $0 == "." || $0 == ".."
        }
    }
}
