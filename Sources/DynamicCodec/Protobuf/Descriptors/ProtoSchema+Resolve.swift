extension ProtoSchema {
    /// What a path names, judged from descriptors alone: the field of its last field step, and whether the path
    /// goes on to one element (`[N]`) or one map value (`[key]`) of it.
    public struct PathTarget: Sendable {
        public var field: ProtoFieldDescriptor
        public var isElement: Bool
        /// The type of one value at the path: the map's value field for `[key]`, else the field itself.
        public var valueField: ProtoFieldDescriptor { isElement ? (field.mapValue ?? field) : field }
    }

    /// Resolves `path` against message type `root` without looking at any bytes.
    public func resolve(_ path: FieldPath, in root: ProtoMessageDescriptor) throws(CodecError) -> PathTarget {
        var message = root
        var target: PathTarget?
        for step in path.steps {
            if step.isSubscript {
                guard var current = target, current.field.isRepeated, !current.isElement else {
                    throw CodecError(.pathMismatch, "subscript \(step) follows a field that is not a list or map",
                                     path: path.description)
                }
                current.isElement = true
                target = current
                continue
            }
            if let current = target {
                guard current.valueField.isMessage, !current.valueField.isRepeated || current.isElement else {
                    throw CodecError(.pathMismatch, "'\(current.field.name)' has no fields", path: path.description)
                }
                message = messages[current.valueField.messageIndex]
            }
            let field: ProtoFieldDescriptor?
            switch step {
            case .name(let name): field = message.field(named: name) ?? message.field(jsonName: name)
            case .number(let number): field = message.field(number: number)
            default: field = nil
            }
            guard let field else {
                throw CodecError(.unknownField, "\(message.fullName) has no field '\(step)'", path: path.description)
            }
            target = PathTarget(field: field, isElement: false)
        }
        guard let target else { throw CodecError(.invalidPath, "empty path") }
        return target
    }
}
