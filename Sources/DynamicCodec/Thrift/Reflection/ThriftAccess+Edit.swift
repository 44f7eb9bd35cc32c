/// Set and unset at any depth: one splice, plus the count of the innermost container that gains or loses an element
/// (Thrift has no lengths, so nothing else changes) and, in the compact protocol, the header after a changed field.
extension ThriftAccess {
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
            try encode(try buildValue(pending, as: type, value: fieldValue), as: type, into: &writer)
            if index < container.count {
                edits.replace(container.items[index], with: writer.bytes)
            } else {
                edits.insert(writer.bytes, at: container.end)
                edits.replace(container.headerRange, with: containerHeader(
                    container, isMap: false, count: container.count + 1, element: type, mapTypes: nil))
            }
        case .entry(let key, let valueType, let step, let container, let match, let pending):
            var writer = Writer()
            let entryValue = try buildValue(pending, as: valueType, value: fieldValue)
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
