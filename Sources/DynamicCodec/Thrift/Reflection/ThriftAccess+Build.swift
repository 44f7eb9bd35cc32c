/// New values for the absent part of a path: `a.b[0]["k"].c = v` on bytes without `a` builds `a` with a list of
/// one map of one entry whose struct holds `c`.
extension ThriftAccess {
    /// A struct (fields and STOP) holding only what `steps` create, ending in `fieldValue`.
    package func buildStruct(
        _ steps: ArraySlice<FieldPath.Step>, in type: ThriftStructDescriptor, value fieldValue: ThriftFieldValue
    ) throws(CodecError) -> ThriftValue {
        var bytes = try buildField(steps, in: type, value: fieldValue, previousID: 0)
        var stop = Writer()
        stop.writeStop()
        bytes += stop.bytes
        return ThriftValue(
            storage: bytes, range: 0..<bytes.count, encoding: value.encoding, descriptor: type,
            schema: schema, limits: limits)
    }

    /// One field occurrence realizing `steps` inside a new struct of type `type`.
    package func buildField(
        _ steps: ArraySlice<FieldPath.Step>, in type: ThriftStructDescriptor, value fieldValue: ThriftFieldValue,
        previousID: Int16
    ) throws(CodecError) -> [UInt8] {
        guard let step = steps.first else { throw CodecError(.invalidPath, "path ends before a field") }
        guard steps.count <= limits.maxDepth * 2 else { throw .depthExceeded(limits.maxDepth, at: 0) }
        guard !step.isSubscript else { throw noParts(step, in: .struct(type.index), label: type.name) }
        let field = try field(for: step, in: type)
        let built = try buildValue(steps.dropFirst(), as: field.type, value: fieldValue)
        return try encodeField(field, built, previousID: previousID)
    }

    /// The value of type `type` that `steps` create: `fieldValue` itself when no steps are left, else a struct
    /// with one field, a list or set with one element (only `[0]` can be created in an empty list) or a map with
    /// one entry, built inside out.
    package func buildValue(
        _ steps: ArraySlice<FieldPath.Step>, as type: ThriftType, value fieldValue: ThriftFieldValue, depth: Int = 0
    ) throws(CodecError) -> ThriftFieldValue {
        guard let step = steps.first else { return fieldValue }
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: 0) }
        let rest = steps.dropFirst()
        switch type {
        case .struct(let index):
            return .struct(try buildStruct(steps, in: schema.structs[index], value: fieldValue))
        case .list(let element), .set(let element):
            guard case .integer(0) = step else {
                if case .integer(let index) = step {
                    throw CodecError(
                        .indexOutOfRange, "index \(index) is outside a new (empty) list: only [0] can be created")
                }
                throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(step.pathText)")
            }
            let inner = try buildValue(rest, as: element, value: fieldValue, depth: depth + 1)
            if case .set = type { return .set([inner]) }
            return .list([inner])
        case .map(let key, let valueType):
            guard step.isSubscript else {
                throw CodecError(.pathMismatch, "a map needs a [key] subscript, found \(step.pathText)")
            }
            let inner = try buildValue(rest, as: valueType, value: fieldValue, depth: depth + 1)
            return .map([ThriftMapEntry(key: try keyValue(step, as: key), value: inner)])
        default:
            throw CodecError(.pathMismatch, "a \(schema.describe(type)) has no parts to select (\(step.pathText))")
        }
    }
}
