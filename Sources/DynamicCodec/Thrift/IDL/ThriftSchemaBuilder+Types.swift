/// Name lookup and type resolution.
extension ThriftSchemaBuilder {
    /// The qualified names `reference` may stand for in `file`: a name of the file itself, or a name of a file it
    /// includes directly when written with that file's prefix.
    func candidates(for reference: String, in file: Int) -> [String] {
        let scope = scopes[file]
        var names = [scope.scope + "." + reference]
        if scope.includeScopes.contains(where: { reference.hasPrefix($0 + ".") }) { names.append(reference) }
        return names
    }

    mutating func enterResolution(at location: SourceLocation) throws(CodecError) {
        depth += 1
        if depth > Self.maxDepth {
            throw CodecError(
                .schemaError, "types or constants refer to each other deeper than \(Self.maxDepth) levels",
                location: location)
        }
    }

    /// The type `syntax` stands for in `file`, with typedefs resolved.
    mutating func resolve(_ syntax: ThriftTypeSyntax, in file: Int) throws(CodecError) -> ThriftType {
        try enterResolution(at: syntax.location)
        defer { depth -= 1 }
        switch syntax.kind {
        case .base(let type): return type
        case .list(let element): return .list(try resolve(element, in: file))
        case .set(let element): return .set(try resolve(element, in: file))
        case .map(let key, let value): return .map(key: try resolve(key, in: file), value: try resolve(value, in: file))
        case .named(let reference):
            guard let name = candidates(for: reference, in: file).first(where: { types[$0] != nil }),
                let symbol = types[name]
            else {
                throw CodecError(
                    .schemaError, "type \"\(reference)\" is not defined\(includeHint(for: reference, in: file))",
                    location: syntax.location)
            }
            switch symbol {
            case .structure(let index): return .struct(index)
            case .enumeration(let index): return .enum(index)
            case .typedef: return try resolveTypedef(named: name)
            }
        }
    }

    /// The final type of a typedef, following chains; a typedef that leads back to itself is an error.
    mutating func resolveTypedef(named name: String) throws(CodecError) -> ThriftType {
        if let resolved = resolvedTypedefs[name] { return resolved }
        guard case .typedef(let syntax, let file) = types[name] else {
            throw CodecError(.schemaError, "\"\(name)\" is not a typedef")
        }
        if let start = typedefsInProgress.firstIndex(of: name) {
            let cycle = (typedefsInProgress[start...] + [name]).joined(separator: " -> ")
            throw CodecError(.schemaError, "typedef cycle: \(cycle)", location: syntax.location)
        }
        typedefsInProgress.append(name)
        defer { typedefsInProgress.removeLast() }
        let resolved = try resolve(syntax.type, in: file)
        resolvedTypedefs[name] = resolved
        return resolved
    }

    /// Explains the usual mistakes behind an unknown name: a prefix that is not a direct include, or a name of an
    /// included file written without its prefix.
    func includeHint(for reference: String, in file: Int) -> String {
        let scope = scopes[file]
        if let dot = reference.firstIndex(of: "."), !scope.includeScopes.contains(String(reference[..<dot])) {
            let prefix = reference[..<dot]
            if scopes.contains(where: { $0.scope == prefix }) {
                return " (\"\(prefix)\" is not included by \"\(scope.name)\" itself; includes are not transitive)"
            }
        }
        if !reference.contains("."),
            let owner = scope.includeScopes.sorted().first(where: { types[$0 + "." + reference] != nil })
        {
            return " (did you mean \"\(owner).\(reference)\"?)"
        }
        return ""
    }

    /// How a resolved type reads in messages.
    func describe(_ type: ThriftType) -> String {
        type.described { named in
            switch named {
            case .struct(let index): structs[index].qualifiedName
            case .enum(let index): enums[index].qualifiedName
            default: "\(named)"
            }
        }
    }
}
