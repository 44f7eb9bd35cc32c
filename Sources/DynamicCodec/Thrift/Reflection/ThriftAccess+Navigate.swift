/// Where a path ends in Thrift bytes (see ``ThriftAccess/navigate(_:)``). Containers may nest to any depth: the
/// target is the innermost struct, list, set or map the path reaches in the bytes.
enum ThriftPathTarget {
    /// A field of the struct at `structStart` (present or not).
    case field(ThriftFieldDescriptor, structStart: Int, ThriftStructLayout)
    /// Element `index` of a list or set of `element`s (`index == count` appends); `pending` steps build the inside
    /// of a new element (a struct's fields, a nested container's elements or entries).
    case element(ThriftType, index: Int, ThriftContainerLayout, pending: ArraySlice<FieldPath.Step>)
    /// The entry of a map for a key (`match`: index of the key in `items`, nil if absent); `pending` steps build
    /// the inside of a new value.
    case entry(
        key: ThriftType, value: ThriftType, FieldPath.Step, ThriftContainerLayout, match: Int?,
        pending: ArraySlice<FieldPath.Step>)
    /// `steps` must be created inside the struct at `structStart`.
    case missing(ArraySlice<FieldPath.Step>, ThriftStructDescriptor, structStart: Int, ThriftStructLayout)
}

extension ThriftAccess {
    /// Follows `path` as far as the bytes go: through present fields, elements and entries, stopping at the last
    /// step or at the first thing that is absent.
    func navigate(_ path: FieldPath) throws(CodecError) -> ThriftPathTarget {
        var steps = path.steps[...]
        var type = ThriftType.struct(value.descriptor.index)
        var start = value.range.lowerBound
        var consumed = 0
        while let step = steps.first {
            guard consumed < limits.maxDepth * 2 else { throw .depthExceeded(limits.maxDepth, at: start) }
            // The path so far, for messages: built only when one is thrown.
            func label() -> String { FieldPath.label(path.steps[...], count: consumed) }
            let rest = steps.dropFirst()
            switch type {
            case .struct(let index):
                let descriptor = schema.structs[index]
                guard !step.isSubscript else { throw noParts(step, in: type, label: label()) }
                let field = try field(for: step, in: descriptor)
                let layout = try self.layout(ofStructAt: start)
                if rest.isEmpty { return .field(field, structStart: start, layout) }
                guard let span = layout.fields.last(where: { $0.id == field.id }) else {
                    return .missing(steps, descriptor, structStart: start, layout)
                }
                try checkType(field, span)
                type = field.type
                start = span.valueStart
            case .list(let element), .set(let element):
                let wide = try listIndex(step, label: label())
                let container = try checkedLayout(ofContainerAt: start, declared: type)
                guard wide >= 0, wide <= Int64(container.count) else {
                    throw CodecError(
                        .indexOutOfRange,
                        "index \(wide) is outside '\(label())' of \(container.count) elements")
                }
                let index = Int(wide)
                if rest.isEmpty || index == container.count {
                    return .element(element, index: index, container, pending: rest)
                }
                type = element
                start = container.items[index].lowerBound
            case .map(let key, let valueType):
                guard step.isSubscript else {
                    throw CodecError(
                        .pathMismatch, "a map needs a [key] subscript, found \(step.pathText) after '\(label())'")
                }
                let container = try checkedLayout(ofContainerAt: start, declared: type)
                let match = try lastKeyMatch(step, type: key, in: container)
                guard let match, !rest.isEmpty else {
                    return .entry(key: key, value: valueType, step, container, match: match, pending: rest)
                }
                type = valueType
                start = container.items[match + 1].lowerBound
            default:
                throw noParts(step, in: type, label: label())
            }
            steps = rest
            consumed += 1
        }
        throw CodecError(.invalidPath, "empty path")
    }

    /// The id of the field before `span` in wire order (0 for the first), the base of compact deltas.
    func previousID(before span: ThriftFieldSpan, in layout: ThriftStructLayout) -> Int16 {
        guard let position = layout.fields.firstIndex(where: { $0.headerStart == span.headerStart }), position > 0
        else {
            return 0
        }
        return layout.fields[position - 1].id
    }

    /// A container header with a new element count: in the compact protocol its size depends on the count (lists
    /// take one byte below 15 elements, maps one byte when empty), so it is always re-encoded whole.
    func containerHeader(
        _ container: ThriftContainerLayout, isMap: Bool, count: Int, element: ThriftType?,
        mapTypes: (ThriftType, ThriftType)?
    ) -> [UInt8] {
        var writer = Writer()
        if isMap {
            let key = container.count > 0 ? container.element : mapTypes!.0.wireType
            let valueType = container.count > 0 ? container.mapValue : mapTypes!.1.wireType
            writer.writeMapHeader(key: key, value: valueType, count: count)
        } else {
            // An empty list may have been written with any element type; new elements use the declared one.
            let elementType = container.count > 0 ? container.element : element!.wireType
            writer.writeListHeader(elementType, count: count)
        }
        return writer.bytes
    }
}
