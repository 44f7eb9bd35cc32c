extension ThriftValue {
    /// The value at `path`, or nil when absent. Paths name fields by name (or `api.key`) or id, list and set
    /// elements by `[N]`, map entries by `[key]` (struct keys by their encoded bytes as a quoted string), at any
    /// depth: `matrix[0][1]`, `byDay[5][0].name`, `groups["a"][2]["x"].id`.
    public func get(_ path: FieldPath) throws(CodecError) -> ThriftFieldValue? {
        do {
            switch encoding {
            case .binary: return try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self).get(path.steps[...])
            case .compact: return try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self).get(path.steps[...])
            }
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
    }

    public func get(_ path: String) throws(CodecError) -> ThriftFieldValue? { try get(try FieldPath(parsing: path)) }

    /// The values at several paths; one scan per struct for the fields named directly on it.
    public func get(many paths: [FieldPath]) throws(CodecError) -> [ThriftFieldValue?] {
        switch encoding {
        case .binary: return try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self).getMany(paths)
        case .compact: return try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self).getMany(paths)
        }
    }
}

extension ThriftAccess {
    /// The first occurrence of field `id` in the struct at `start` (scanning stops there).
    func find(_ id: Int16, inStructAt start: Int, needsEnd: Bool = true) throws(CodecError) -> ThriftFieldSpan? {
        let end = value.range.upperBound
        return try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: start..<end, maxDepth: limits.maxDepth)
            try reader.beginStruct()
            while true {
                let headerStart = reader.position
                guard let header = try reader.readFieldHeader() else { return nil }
                let valueStart = reader.position
                if !needsEnd && header.id == id {
                    return ThriftFieldSpan(id: id, type: header.type, headerStart: headerStart, valueStart: valueStart,
                                           end: valueStart)
                }
                try reader.skip(header.type, depth: 1)
                if header.id == id {
                    return ThriftFieldSpan(id: id, type: header.type, headerStart: headerStart, valueStart: valueStart,
                                           end: reader.position)
                }
            }
        }
    }

    /// Follows `steps` from the root struct through fields, list and set elements and map values, reading only
    /// the bytes on the way.
    func get(_ steps: ArraySlice<FieldPath.Step>) throws(CodecError) -> ThriftFieldValue? {
        guard !steps.isEmpty else { return .struct(value) }
        var type = ThriftType.struct(value.descriptor.index)
        var start = value.range.lowerBound
        var consumed = 0
        for step in steps {
            consumed += 1
            guard consumed <= limits.maxDepth * 2 else { throw .depthExceeded(limits.maxDepth, at: start) }
            let isLast = consumed == steps.count
            switch type {
            case .struct(let index):
                guard !step.isSubscript else {
                    throw noParts(step, in: type, label: FieldPath.label(steps, count: consumed - 1))
                }
                let field = try field(for: step, in: schema.structs[index])
                guard let span = try find(field.id, inStructAt: start, needsEnd: !isLast) else { return nil }
                if isLast { return try decodeField(field, span) }
                try checkType(field, span)
                type = field.type
                start = span.valueStart
            case .list(let element), .set(let element):
                let index = try listIndex(step, label: FieldPath.label(steps, count: consumed - 1))
                guard let found = try self.element(Int(clamping: index), ofListAt: start) else { return nil }
                guard found.type == element.wireType else {
                    throw CodecError(.invalidWireType, "list elements have wire type \(found.type)", offset: start)
                }
                if isLast { return try decodeValue(element, at: found.start) }
                type = element
                start = found.start
            case .map(_, let valueType):
                guard step.isSubscript else {
                    throw CodecError(.pathMismatch, "a map needs a [key] subscript, found \(step.pathText) after "
                                     + "'\(FieldPath.label(steps, count: consumed - 1))'")
                }
                guard let found = try mapValueStart(matching: step, inMapAt: start, declared: type) else { return nil }
                if isLast { return try decodeValue(valueType, at: found) }
                type = valueType
                start = found
            default:
                throw noParts(step, in: type, label: FieldPath.label(steps, count: consumed - 1))
            }
        }
        return nil
    }

    func getMany(_ paths: [FieldPath]) throws(CodecError) -> [ThriftFieldValue?] {
        // Fields named directly on the root come from one layout scan; deeper paths resolve individually.
        var results = [ThriftFieldValue?](repeating: nil, count: paths.count)
        let layout = try layout(ofStructAt: value.range.lowerBound)
        for (index, path) in paths.enumerated() {
            do {
                if path.steps.count == 1 {
                    let field = try field(for: path.steps[0], in: value.descriptor)
                    if let span = layout.fields.first(where: { $0.id == field.id }) {
                        results[index] = try decodeField(field, span)
                    }
                } else {
                    results[index] = try get(path.steps[...])
                }
            } catch {
                throw error.path == nil ? error.with(path: path) : error
            }
        }
        return results
    }
}
