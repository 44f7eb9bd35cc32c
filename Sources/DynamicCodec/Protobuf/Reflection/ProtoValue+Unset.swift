extension ProtoValue {
    /// Removes what `path` addresses: every occurrence of a field, one list element, or the entries of a map key.
    /// Returns false (and changes nothing) when there was nothing to remove.
    @discardableResult
    public mutating func unset(_ path: FieldPath) throws(CodecError) -> Bool {
        var edits = ProtoEdits()
        do {
            try planUnset(path, edits: &edits)
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
        if edits.isEmpty { return false }
        try replaceBytes(edits.apply(to: storage, within: range))
        return true
    }

    @discardableResult
    public mutating func unset(_ path: String) throws(CodecError) -> Bool {
        try unset(try FieldPath(parsing: path))
    }

    mutating func planUnset(_ path: FieldPath, edits: inout ProtoEdits) throws(CodecError) {
        guard !path.steps.isEmpty else { throw CodecError(.invalidPath, "cannot unset the whole message") }
        switch try navigateMerging(path, edits: &edits) {
        case .missing, .split:
            return
        case .field(let field, let found, let message, let range):
            guard !found.isEmpty else { return }
            for occurrence in found { edits.remove(occurrence.whole) }
            // Unsetting the set member of a oneof leaves none set: stale earlier members go too.
            try clearOneofSiblings(of: field, in: message, range: range, edits: &edits)
        case .element(_, let index, let elements, _, _):
            guard index < elements.count else { return }
            let element = elements[index]
            if element.isPacked && element.range != element.occurrence.payload {
                edits.enter(element.occurrence)
                edits.remove(element.range)
            } else {
                // An unpacked element, or the only element of its packed block: the whole occurrence goes.
                edits.remove(element.occurrence.whole)
            }
        case .entry(_, _, let matches, _, _):
            for occurrence in matches { edits.remove(occurrence.whole) }
        }
    }
}
