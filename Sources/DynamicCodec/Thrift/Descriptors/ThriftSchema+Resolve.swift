extension ThriftSchema {
    /// The declared type of the value a path names (a field, an element, a map value, at any depth of nesting),
    /// from descriptors alone.
    public func type(at path: FieldPath, in root: ThriftStructDescriptor) throws(CodecError) -> ThriftType {
        var current: ThriftType = .struct(root.index)
        for step in path.steps {
            switch (current, step) {
            case (.struct(let index), .name), (.struct(let index), .number):
                do {
                    current = try structs[index].field(for: step).type
                } catch {
                    var located = error
                    located.path = path.description
                    throw located
                }
            case (.list(let element), .integer), (.set(let element), .integer):
                current = element
            case (.map(_, let value), _) where step.isSubscript:
                current = value
            default:
                throw CodecError(.pathMismatch, "step \(step.pathText) does not fit \(describe(current))",
                                 path: path.description)
            }
        }
        return current
    }

    /// Loads `.thrift` files from a path: the file and its includes (include directories first, then the
    /// including file's directory).
    public static func load(path: String, includeDirectories: [String] = []) throws(CodecError) -> ThriftSchema {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return try ThriftSchema(thriftFiles: [name], source: ThriftFileSource(directories: includeDirectories + [directory]))
    }
}
