#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where `.thrift` files come from. A name is looked up in the in-memory files, then in the directories in order,
/// then relative to the file that includes it (for the files given to the parser: as a path of its own).
public struct ThriftFileSource: Sendable {
    /// Directories searched for a file, like the Thrift compiler's `-I` paths.
    public var directories: [String]
    /// File contents by the name they are included under (`"bookstore_common.thrift"`).
    public var files: [String: String]

    public init(directories: [String] = [], files: [String: String] = [:]) {
        self.directories = directories
        self.files = files
    }

    /// A file found by ``locate(_:includedFrom:)``.
    struct Found: Sendable {
        /// The name the file is known by in errors and in ``ThriftFile/name``.
        var name: String
        /// Where it is on disk, for files read from disk.
        var diskPath: String?
        var text: String
        /// Tells two files apart even when found through different names.
        var identity: String { diskPath.map { "disk:" + $0 } ?? "memory:" + name }
    }

    /// The file `name` refers to when included from `includer` (nil for a file given to the parser), or nil.
    func locate(_ name: String, includedFrom includer: Found?) throws(CodecError) -> Found? {
        let normalized = Self.normalize(name)
        if let text = files[normalized] ?? files[name] { return Found(name: normalized, diskPath: nil, text: text) }
        if !normalized.hasPrefix("/") {
            for directory in directories {
                let path = Self.normalize(directory + "/" + normalized)
                if let text = try Self.read(path, name: normalized) {
                    return Found(name: normalized, diskPath: path, text: text)
                }
            }
        }
        guard let includer else {
            return try Self.read(normalized, name: normalized).map {
                Found(name: normalized, diskPath: normalized, text: $0)
            }
        }
        let relative = normalized.hasPrefix("/") ? normalized : Self.normalize(Self.directory(of: includer.name) + name)
        if let text = files[relative] { return Found(name: relative, diskPath: nil, text: text) }
        if let includerPath = includer.diskPath {
            let path = normalized.hasPrefix("/") ? normalized : Self.normalize(Self.directory(of: includerPath) + name)
            if let text = try Self.read(path, name: relative) {
                return Found(name: relative, diskPath: path, text: text)
            }
        }
        return nil
    }

    /// The text of the file at `path`, or nil when there is no readable file there.
    private static func read(_ path: String, name: String) throws(CodecError) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CodecError(
                .syntaxError, "file is not valid UTF-8", location: SourceLocation(file: name, line: 1, column: 1))
        }
        return text
    }

    /// The directory part of `path` with a trailing slash, or "" for a bare file name.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// `path` without empty, `.` and resolvable `..` steps (`a/./b/../c.thrift` is `a/c.thrift`).
    static func normalize(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var steps: [Substring] = []
        for step in path.split(separator: "/") where step != "." {
            if step == "..", let last = steps.last, last != ".." {
                steps.removeLast()
            } else if step == ".." && isAbsolute {
                continue
            } else {
                steps.append(step)
            }
        }
        return (isAbsolute ? "/" : "") + steps.joined(separator: "/")
    }
}
