/// Loads the requested files and everything they import, and orders them like `protoc --include_imports`: each
/// file after its imports (depth-first, in import order), each file once. Detects missing files and import cycles.
struct ProtoImportResolver {
    let source: ProtoFileSource
    private(set) var ordered: [ProtoParsedFile] = []
    private var loaded: Set<String> = []
    private var inProgress: [String] = []

    /// Longest chain of imports followed, so a hostile file set cannot exhaust the stack.
    static let maxImportDepth = 500

    init(source: ProtoFileSource) {
        self.source = source
    }

    /// Loads `name` and its imports. `importedAt` is the import statement that asked for it, if any.
    mutating func load(_ name: String, importedAt: SourceLocation?) throws(CodecError) {
        if loaded.contains(name) { return }
        if let start = inProgress.firstIndex(of: name) {
            let cycle = (inProgress[start...] + [name]).joined(separator: " -> ")
            throw CodecError(
                .schemaError, "import cycle: \(cycle)",
                location: importedAt ?? SourceLocation(file: name, line: 1, column: 1))
        }
        let location = importedAt ?? SourceLocation(file: name, line: 1, column: 1)
        if inProgress.count >= Self.maxImportDepth {
            throw CodecError(
                .schemaError, "imports are nested deeper than \(Self.maxImportDepth) files", location: location)
        }
        guard ProtoFileSource.isValidName(name) else {
            throw CodecError(
                .importNotFound,
                "\"\(name)\" is not a valid import name: use a relative path without \".\" or \"..\" steps",
                location: location)
        }
        guard let text = try source.text(of: name) else {
            throw CodecError(.importNotFound, "import \"\(name)\" was not found", location: location)
        }
        let parsed = try ProtoSourceParser.parse(text, fileName: name)
        inProgress.append(name)
        for (index, dependency) in parsed.descriptor.dependency.enumerated() {
            try load(dependency, importedAt: parsed.importLocations[index])
        }
        inProgress.removeLast()
        loaded.insert(name)
        ordered.append(parsed)
    }
}
