extension ThriftSchema {
    /// The declared type of the value a path names (a field, an element, a map value), from descriptors alone.
    public func type(at path: FieldPath, in root: ThriftStructDescriptor) throws(CodecError) -> ThriftType {
        var current: ThriftType = .struct(root.index)
        for step in path.steps {
            switch (current, step) {
            case (.struct(let index), .name(let name)):
                guard let field = structs[index].field(named: name) else {
                    throw CodecError(.unknownField, "\(structs[index].name) has no field '\(name)'", path: path.description)
                }
                current = field.type
            case (.struct(let index), .number(let id)):
                guard let narrow = Int16(exactly: id), let field = structs[index].field(id: narrow) else {
                    throw CodecError(.unknownField, "\(structs[index].name) has no field \(id)", path: path.description)
                }
                current = field.type
            case (.list(let element), .integer), (.set(let element), .integer):
                current = element
            case (.map(_, let value), _) where step.isSubscript:
                current = value
            default:
                throw CodecError(.pathMismatch, "step \(step) does not fit \(current)", path: path.description)
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
