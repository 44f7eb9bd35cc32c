extension ProtoDOM {
    /// The index of the node a path names, or nil when the bytes do not have it, through messages, list elements
    /// and map values at any depth (`m_string_rich["a"].r_nested[1].deeper.counts["x"]`).
    ///
    /// The DOM is a view of the wire, so a path picks occurrences as a parser would: a singular field's last
    /// occurrence (several occurrences of a message field are separate nodes; the last one is returned, not their
    /// merge), `[N]` the N-th element counted across every occurrence and packed block of the field, `[key]` the
    /// value node of the last entry with that key (nil when that entry has no value on the wire). A path ending at
    /// a whole repeated or map field names no single node and is a `PATH_MISMATCH`. The nodes are those loaded:
    /// appended ones are not reached, removed ones are.
    public func node(at path: FieldPath) throws(CodecError) -> Int? {
        guard !nodes.isEmpty else { throw CodecError(.invalidValue, "no message is loaded") }
        var current = 0
        var steps = path.steps[...]
        while let step = steps.popFirst() {
            let label = FieldPath.label(path.steps[...], count: path.steps.count - steps.count - 1)
            guard nodes[current].kind == .message, let message = messageType(of: current) else {
                throw CodecError(
                    .pathMismatch, "'\(label)' is not a message: \(step.pathText) selects nothing in it",
                    path: path.description)
            }
            guard !step.isSubscript else {
                throw CodecError(.pathMismatch, "'\(label)' is neither a list nor a map", path: path.description)
            }
            let field = try fieldNamed(step, in: message, path: path)
            let occurrences = children(of: current).filter {
                nodes[$0].number == Int32(field.number) && nodes[$0].fieldPosition >= 0
            }
            guard field.isRepeated else {
                guard let last = occurrences.last else { return nil }
                current = last
                continue
            }
            guard let subscriptStep = steps.popFirst() else {
                throw CodecError(
                    .pathMismatch, "'\(field.name)' has one node per element: add [N] or [key]",
                    path: path.description)
            }
            let found =
                try field.isMap
                ? mapValue(of: field, key: subscriptStep, occurrences, path: path)
                : element(subscriptStep, occurrences, path: path)
            guard let found else { return nil }
            current = found
        }
        return current
    }

    private func fieldNamed(_ step: FieldPath.Step, in message: ProtoMessageDescriptor, path: FieldPath)
        throws(CodecError) -> ProtoFieldDescriptor
    {
        switch step {
        case .name(let name):
            if let field = message.field(named: name) ?? message.field(jsonName: name) { return field }
        case .number(let number):
            if let field = message.field(number: number) { return field }
        default:
            break
        }
        throw CodecError(.unknownField, "\(message.fullName) has no field \(step.pathText)", path: path.description)
    }

    /// The `[N]` element among the occurrences of a repeated field (packed blocks expanded).
    private func element(_ step: FieldPath.Step, _ occurrences: [Int], path: FieldPath) throws(CodecError) -> Int? {
        guard case .integer(let wide) = step else {
            throw CodecError(
                .pathMismatch, "a list needs an [index] subscript, found \(step.pathText)",
                path: path.description)
        }
        var remaining = wide
        for occurrence in occurrences {
            let elements = nodes[occurrence].kind == .packed ? children(of: occurrence) : [occurrence]
            if remaining >= 0 && remaining < Int64(elements.count) { return elements[Int(remaining)] }
            remaining -= Int64(elements.count)
        }
        return nil
    }

    /// The value node of the last entry of map field `field` whose key is `step` (an absent key reads as zero).
    private func mapValue(of field: ProtoFieldDescriptor, key step: FieldPath.Step, _ entries: [Int], path: FieldPath)
        throws(CodecError) -> Int?
    {
        guard step.isSubscript, let keyField = field.mapKey else {
            throw CodecError(
                .pathMismatch, "a map needs a [key] subscript, found \(step.pathText)",
                path: path.description)
        }
        let wanted = try ProtoMapKey(subscript: step, keyType: keyField.type)
        var match: Int?
        for entry in entries where nodes[entry].kind == .message {
            let parts = children(of: entry)
            let keyNode = parts.last { nodes[$0].number == 1 && nodes[$0].fieldPosition >= 0 }
            let key: ProtoMapKey
            if let keyNode, case .scalar(let scalar) = try value(of: keyNode) {
                key = ProtoMapKey(scalar)
            } else {
                key = ProtoMapKey(ProtoScalar.zero(of: keyField.type)!)
            }
            if key == wanted { match = parts.last { nodes[$0].number == 2 && nodes[$0].fieldPosition >= 0 } ?? -1 }
        }
        guard let match, match >= 0 else { return nil }
        return match
    }
}
