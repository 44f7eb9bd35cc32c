/// One `.thrift` file after parsing and before linking: its headers and its definitions in source order.
struct ThriftParsedFile: Sendable {
    struct Include: Sendable {
        /// The path as written in the `include` statement.
        var path: String
        var location: SourceLocation
        /// The name under which the included file was loaded; set by ``ThriftIncludeResolver``.
        var resolvedName: String?
    }

    /// The name the file was loaded under; error locations use it.
    var name: String
    var includes: [Include] = []
    var namespaces: [String: String] = [:]
    var definitions: [ThriftDefinitionSyntax] = []

    init(name: String) {
        self.name = name
    }

    /// The prefix that qualifies the file's names, as Apache Thrift derives it: the file name without directories
    /// and without its extension (`idl/bookstore_common.thrift` gives `bookstore_common`).
    static func scopeName(of path: String) -> String {
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: ".") else { return base }
        return String(base[..<dot])
    }

    var scopeName: String { Self.scopeName(of: name) }
}
