extension ThriftDOM {
    /// The index of the node a path names in the loaded struct, or nil when the bytes do not have it: fields by
    /// name, `api.key` or id (the first occurrence, as a get reads), list and set elements by `[N]`, map values by
    /// `[key]`, through any depth of nesting (`matrix[1][0]`, `groups["a"][2].name`).
    ///
    /// The path is followed over the nodes as loaded: nodes added by `append` are not reached, removed ones are.
    public func node(at path: FieldPath) throws(CodecError) -> Int? {
        guard !nodes.isEmpty else { throw CodecError(.invalidValue, "no struct is loaded") }
        var current = 0
        for (position, step) in path.steps.enumerated() {
            let found: Int?
            do {
                found = try child(of: current, at: step)
            } catch {
                var located = error
                if located.path == nil { located.path = FieldPath.label(path.steps[...], count: position + 1) }
                throw located
            }
            guard let found else { return nil }
            current = found
        }
        return current
    }

    /// The child of node `index` that one path step selects.
    private func child(of index: Int, at step: FieldPath.Step) throws(CodecError) -> Int? {
        let node = nodes[index]
        switch node.kind {
        case .struct:
            let descriptor = schema.structs[Int(node.structIndex)]
            guard !step.isSubscript else {
                throw CodecError(
                    .pathMismatch, "\(descriptor.name) is a struct: it needs a field, found \(step.pathText)")
            }
            let field = try descriptor.field(for: step)
            guard let child = children(of: index).first(where: { nodes[$0].id == field.id }) else { return nil }
            guard nodes[child].wireType == field.type.wireType else {
                throw CodecError(
                    .invalidWireType,
                    "field '\(field.name)' is \(field.declaredTypeName) but has wire type "
                        + "\(nodes[child].wireType)", offset: Int(nodes[child].start))
            }
            return child
        case .list, .set:
            guard case .integer(let position) = step else {
                throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(step.pathText)")
            }
            let elements = children(of: index)
            guard position >= 0, position < Int64(elements.count) else { return nil }
            return elements[Int(position)]
        case .map:
            guard step.isSubscript else {
                throw CodecError(.pathMismatch, "a map needs a [key] subscript, found \(step.pathText)")
            }
            guard case .map(let keyType, _)? = type(of: index) else { return nil }
            let items = children(of: index)
            var match: Int?
            var item = 0
            while item + 1 < items.count {
                if try keyMatches(step, keyType, nodes[items[item]]) { match = items[item + 1] }
                item += 2
            }
            return match
        case .scalar:
            throw CodecError(.pathMismatch, "a scalar has no parts to select (\(step.pathText))")
        }
    }

    private func keyMatches(_ step: FieldPath.Step, _ type: ThriftType, _ key: Node) throws(CodecError) -> Bool {
        let range = Int(key.valueStart)..<Int(key.end)
        let maxDepth = limits.maxDepth
        let encoding = encoding
        return try bytes.withCodecBytes { (buffer) throws(CodecError) in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
            switch encoding {
            case .binary:
                return try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>.keyMatches(
                    step, type: type, range: range, base: base, maxDepth: maxDepth)
            case .compact:
                return try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>.keyMatches(
                    step, type: type, range: range, base: base, maxDepth: maxDepth)
            }
        }
    }
}
