/// Loads the requested files and everything they include, each file after its includes (depth-first, in include
/// order) and each file once. Detects missing files, include cycles, and two files whose names would qualify
/// their definitions the same way.
struct ThriftIncludeResolver {
    let source: ThriftFileSource
    private(set) var ordered: [ThriftParsedFile] = []
    /// Loaded files: identity -> name.
    private var loaded: [String: String] = [:]
    private var inProgress: [(identity: String, name: String)] = []
    /// Scope name -> name of the file that owns it.
    private var scopeOwners: [String: String] = [:]

    /// Longest chain of includes followed, so a hostile file set cannot exhaust the stack.
    static let maxIncludeDepth = 500

    init(source: ThriftFileSource) {
        self.source = source
    }

    /// Loads `name` and its includes and returns the name the file is known by. `includer` and `includedAt` are
    /// the file and the statement that asked for it, if any.
    @discardableResult
    mutating func load(
        _ name: String, includedFrom includer: ThriftFileSource.Found?, at includedAt: SourceLocation?
    ) throws(CodecError) -> String {
        let location = includedAt ?? SourceLocation(file: name, line: 1, column: 1)
        guard !name.isEmpty, !name.contains("\0"), let found = try source.locate(name, includedFrom: includer) else {
            let what = includer == nil ? "file" : "include"
            throw CodecError(.importNotFound, "\(what) \"\(name)\" was not found", location: location)
        }
        if let known = loaded[found.identity] { return known }
        if let start = inProgress.firstIndex(where: { $0.identity == found.identity }) {
            let cycle = (inProgress[start...].map(\.name) + [found.name]).joined(separator: " -> ")
            throw CodecError(.schemaError, "include cycle: \(cycle)", location: location)
        }
        if inProgress.count >= Self.maxIncludeDepth {
            throw CodecError(
                .schemaError, "includes are nested deeper than \(Self.maxIncludeDepth) files", location: location)
        }
        let scope = ThriftParsedFile.scopeName(of: found.name)
        if let owner = scopeOwners[scope] {
            throw CodecError(
                .schemaError,
                "\"\(found.name)\" and \"\(owner)\" would both qualify their names with \"\(scope)\"; rename one",
                location: location)
        }
        scopeOwners[scope] = found.name
        var parsed = try ThriftSourceParser.parse(found.text, fileName: found.name)
        inProgress.append((found.identity, found.name))
        for index in parsed.includes.indices {
            let include = parsed.includes[index]
            parsed.includes[index].resolvedName = try load(include.path, includedFrom: found, at: include.location)
        }
        inProgress.removeLast()
        loaded[found.identity] = found.name
        ordered.append(parsed)
        return found.name
    }
}
