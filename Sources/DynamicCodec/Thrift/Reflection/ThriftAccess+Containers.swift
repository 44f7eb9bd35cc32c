/// Path steps into lists, sets and maps at any depth: the one place that checks a subscript against a container
/// and the container's element types against its declaration.
extension ThriftAccess {
    /// The layout of the container of declared type `type` at `start`, after checking that its elements have the
    /// declared wire types (an empty container may carry any).
    func checkedLayout(ofContainerAt start: Int, declared type: ThriftType) throws(CodecError) -> ThriftContainerLayout
    {
        switch type {
        case .list(let element), .set(let element):
            let container = try layout(ofContainerAt: start, type: .list)
            if container.count > 0 && container.element != element.wireType {
                throw CodecError(
                    .invalidWireType,
                    "list elements have wire type \(container.element), expected \(element.wireType)",
                    offset: start)
            }
            return container
        case .map(let key, let value):
            let container = try layout(ofContainerAt: start, type: .map)
            if container.count > 0 && (container.element != key.wireType || container.mapValue != value.wireType) {
                throw CodecError(
                    .invalidWireType,
                    "map entries have wire types \(container.element)/\(container.mapValue)", offset: start)
            }
            return container
        default:
            throw CodecError(.pathMismatch, "\(schema.describe(type)) is not a container")
        }
    }

    /// The list index a subscript names; `label` is the path of the list, for the message (built only on error).
    func listIndex(_ step: FieldPath.Step, label: @autoclosure () -> String) throws(CodecError) -> Int64 {
        guard case .integer(let index) = step else {
            throw CodecError(
                .pathMismatch, "a list needs an [index] subscript, found \(step.pathText) after '\(label())'")
        }
        return index
    }

    /// The start of the value of the last entry whose key is `step` in the map of declared type `type` at `start`.
    func mapValueStart(matching step: FieldPath.Step, inMapAt start: Int, declared type: ThriftType) throws(CodecError)
        -> Int?
    {
        guard case .map(let key, _) = type else { return nil }
        let container = try checkedLayout(ofContainerAt: start, declared: type)
        guard let match = try lastKeyMatch(step, type: key, in: container) else { return nil }
        return container.items[match + 1].lowerBound
    }

    /// The error for a step that selects into a value with no parts (a scalar, or a struct given a subscript).
    func noParts(_ step: FieldPath.Step, in type: ThriftType, label: String) -> CodecError {
        if case .struct = type {
            return CodecError(
                .pathMismatch, "'\(label)' is a struct: it needs a field name or id, found \(step.pathText)")
        }
        return CodecError(.pathMismatch, "'\(label)' (\(schema.describe(type))) has no parts to select")
    }
}

extension FieldPath {
    /// The text of the first `count` steps, for messages about where a path went wrong.
    static func label(_ steps: ArraySlice<FieldPath.Step>, count: Int) -> String {
        FieldPath(Array(steps.prefix(count))).description
    }
}

extension FieldPath.Step {
    /// The step as written in a path (`name`, `3`, `[3]`, `["k"]`), for messages.
    var pathText: String { FieldPath([self]).description }
}
