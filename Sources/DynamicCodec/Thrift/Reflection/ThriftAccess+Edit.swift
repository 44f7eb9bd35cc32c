/// Where a path ends in Thrift bytes (see ``ThriftAccess/navigate(_:)``).
enum ThriftPathTarget {
    /// A field of the struct at `structStart` (present or not).
    case field(ThriftFieldDescriptor, structStart: Int, ThriftStructLayout)
    /// Element `index` of a list or set (`index == count` appends); `pending` steps build a new struct element.
    case element(ThriftType, index: Int, ThriftContainerLayout, pending: ArraySlice<FieldPath.Step>)
    /// The entry of a map for a key (`match`: index of the key in `items`, nil if absent).
    case entry(key: ThriftType, value: ThriftType, FieldPath.Step, ThriftContainerLayout, match: Int?,
               pending: ArraySlice<FieldPath.Step>)
    /// `steps` must be created inside the struct at `structStart`.
    case missing(ArraySlice<FieldPath.Step>, ThriftStructDescriptor, structStart: Int, ThriftStructLayout)
}

extension ThriftAccess {
    func navigate(_ path: FieldPath) throws(CodecError) -> ThriftPathTarget {
        var steps = path.steps[...]
        var type = value.descriptor
        var start = value.range.lowerBound
        var depth = 0
        while let step = steps.first {
            depth += 1
            guard depth <= limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: start) }
            let field = try field(for: step, in: type)
            let layout = try self.layout(ofStructAt: start)
            let rest = steps.dropFirst()
            if rest.isEmpty { return .field(field, structStart: start, layout) }
            guard let span = layout.fields.last(where: { $0.id == field.id }) else {
                return .missing(steps, type, structStart: start, layout)
            }
            try checkType(field, span)
            let next = rest.first!
            switch field.type {
            case .struct(let index) where !next.isSubscript:
                type = schema.structs[index]
                start = span.valueStart
                steps = rest
            case .list(let element), .set(let element):
                guard case .integer(let wide) = next else {
                    throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(next)")
                }
                let container = try self.layout(ofContainerAt: span.valueStart, type: .list)
                guard wide >= 0, wide <= Int64(container.count) else {
                    throw CodecError(.indexOutOfRange,
                                     "index \(wide) is outside '\(field.name)' of \(container.count) elements")
                }
                let index = Int(wide)
                let after = rest.dropFirst()
                if after.isEmpty || index == container.count {
                    return .element(element, index: index, container, pending: after)
                }
                guard case .struct(let structIndex) = element else {
                    throw CodecError(.pathMismatch, "elements of '\(field.name)' are not structs")
                }
                type = schema.structs[structIndex]
                start = container.items[index].lowerBound
                steps = after
            case .map(let key, let valueType):
                guard next.isSubscript else { throw CodecError(.pathMismatch, "a map needs a [key] subscript") }
                let container = try self.layout(ofContainerAt: span.valueStart, type: .map)
                var match: Int?
                var item = 0
                while item < container.items.count {
                    if try keyMatches(next, type: key, range: container.items[item]) { match = item }
                    item += 2
                }
                let after = rest.dropFirst()
                guard let match, !after.isEmpty else {
                    return .entry(key: key, value: valueType, next, container, match: match, pending: after)
                }
                guard case .struct(let structIndex) = valueType else {
                    throw CodecError(.pathMismatch, "values of '\(field.name)' are not structs")
                }
                type = schema.structs[structIndex]
                start = container.items[match + 1].lowerBound
                steps = after
            default:
                throw CodecError(.pathMismatch, "'\(field.name)' (\(field.declaredTypeName)) has no parts to select")
            }
        }
        throw CodecError(.invalidPath, "empty path")
    }

    /// The id of the field before `span` in wire order (0 for the first), the base of compact deltas.
    func previousID(before span: ThriftFieldSpan, in layout: ThriftStructLayout) -> Int16 {
        guard let position = layout.fields.firstIndex(where: { $0.headerStart == span.headerStart }), position > 0 else {
            return 0
        }
        return layout.fields[position - 1].id
    }

    func containerHeader(_ container: ThriftContainerLayout, isMap: Bool, count: Int, element: ThriftType?,
                         mapTypes: (ThriftType, ThriftType)?) -> [UInt8] {
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

    mutating func set(_ path: FieldPath, to fieldValue: ThriftFieldValue) throws(CodecError) {
        var edits = ProtoEdits()
        switch try navigate(path) {
        case .field(let field, _, let layout):
            let occurrences = layout.fields.filter { $0.id == field.id }
            if let last = occurrences.last {
                for earlier in occurrences.dropLast() { edits.remove(earlier.headerStart..<earlier.end) }
                let bytes = try encodeField(field, fieldValue, previousID: previousID(before: last, in: layout))
                edits.replace(last.headerStart..<last.end, with: bytes)
            } else {
                let bytes = try encodeField(field, fieldValue, previousID: layout.fields.last?.id ?? 0)
                edits.insert(bytes, at: layout.stop)
            }
        case .missing(let steps, let type, _, let layout):
            let bytes = try buildField(steps, in: type, value: fieldValue, previousID: layout.fields.last?.id ?? 0)
            edits.insert(bytes, at: layout.stop)
        case .element(let type, let index, let container, let pending):
            var writer = Writer()
            try encode(try builtElement(pending, type, fieldValue), as: type, into: &writer)
            if index < container.count {
                edits.replace(container.items[index], with: writer.bytes)
            } else {
                edits.insert(writer.bytes, at: container.end)
                edits.replace(container.headerRange, with: containerHeader(
                    container, isMap: false, count: container.count + 1, element: type, mapTypes: nil))
            }
        case .entry(let key, let valueType, let step, let container, let match, let pending):
            var writer = Writer()
            let entryValue = try builtElement(pending, valueType, fieldValue)
            if let match {
                try encode(entryValue, as: valueType, into: &writer)
                edits.replace(container.items[match + 1], with: writer.bytes)
            } else {
                try encode(try keyValue(step, as: key), as: key, into: &writer)
                try encode(entryValue, as: valueType, into: &writer)
                edits.insert(writer.bytes, at: container.end)
                edits.replace(container.headerRange, with: containerHeader(
                    container, isMap: true, count: container.count + 1, element: nil, mapTypes: (key, valueType)))
            }
        }
        try value.replaceBytes(edits.apply(to: value.storage, within: value.range))
    }

    /// Returns whether anything was removed.
    mutating func unset(_ path: FieldPath) throws(CodecError) -> Bool {
        var edits = ProtoEdits()
        switch try navigate(path) {
        case .missing:
            return false
        case .field(let field, _, let layout):
            let positions = layout.fields.indices.filter { layout.fields[$0].id == field.id }
            guard !positions.isEmpty else { return false }
            for position in positions {
                let span = layout.fields[position]
                edits.remove(span.headerStart..<span.end)
            }
            // Compact headers hold the id as a delta from the previous field: the field after a removed one may
            // need its header rewritten.
            let remaining = layout.fields.indices.filter { layout.fields[$0].id != field.id }
            for (order, position) in remaining.enumerated() where position > 0 && positions.contains(position - 1) {
                let span = layout.fields[position]
                let previous = order > 0 ? layout.fields[remaining[order - 1]].id : 0
                edits.replace(span.headerStart..<span.valueStart, with: try encodeHeader(of: span, previousID: previous))
            }
        case .element(let type, let index, let container, _):
            guard index < container.count else { return false }
            edits.remove(container.items[index])
            edits.replace(container.headerRange, with: containerHeader(
                container, isMap: false, count: container.count - 1, element: type, mapTypes: nil))
        case .entry(let key, let valueType, _, let container, let match, _):
            guard let match else { return false }
            edits.remove(container.items[match].lowerBound..<container.items[match + 1].upperBound)
            edits.replace(container.headerRange, with: containerHeader(
                container, isMap: true, count: container.count - 1, element: nil, mapTypes: (key, valueType)))
        }
        try value.replaceBytes(edits.apply(to: value.storage, within: value.range))
        return true
    }
}

extension ThriftValue {
    /// Writes `value` at `path`, creating absent enclosing structs, list elements (`[N]` with N the list's length
    /// appends) and map entries; the container's count is fixed. New fields go before the STOP marker.
    public mutating func set(_ path: FieldPath, to value: ThriftFieldValue) throws(CodecError) {
        do {
            switch encoding {
            case .binary:
                var access = ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self)
                try access.set(path, to: value)
                self = access.value
            case .compact:
                var access = ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self)
                try access.set(path, to: value)
                self = access.value
            }
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
    }

    public mutating func set(_ path: String, to value: ThriftFieldValue) throws(CodecError) {
        try set(try FieldPath(parsing: path), to: value)
    }

    /// Applies several sets in order; all or nothing.
    public mutating func set(_ assignments: [(path: FieldPath, value: ThriftFieldValue)]) throws(CodecError) {
        var copy = self
        for assignment in assignments { try copy.set(assignment.path, to: assignment.value) }
        self = copy
    }

    /// Removes a field, a list or set element, or a map entry. Returns false when nothing was there.
    @discardableResult
    public mutating func unset(_ path: FieldPath) throws(CodecError) -> Bool {
        do {
            switch encoding {
            case .binary:
                var access = ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self)
                let removed = try access.unset(path)
                self = access.value
                return removed
            case .compact:
                var access = ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self)
                let removed = try access.unset(path)
                self = access.value
                return removed
            }
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
    }

    @discardableResult
    public mutating func unset(_ path: String) throws(CodecError) -> Bool { try unset(try FieldPath(parsing: path)) }
}
