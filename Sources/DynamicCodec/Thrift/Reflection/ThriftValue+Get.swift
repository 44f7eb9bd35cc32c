extension ThriftValue {
    /// The value at `path`, or nil when absent. Paths name fields by name (or `api.key`) or id, list and set
    /// elements by `[N]`, map entries by `[key]` (struct keys by their encoded bytes as a quoted string).
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

    func get(_ steps: ArraySlice<FieldPath.Step>) throws(CodecError) -> ThriftFieldValue? {
        var steps = steps
        var type = value.descriptor
        var start = value.range.lowerBound
        guard !steps.isEmpty else { return .struct(value) }
        while let step = steps.popFirst() {
            let field = try field(for: step, in: type)
            guard let span = try find(field.id, inStructAt: start, needsEnd: steps.isEmpty) else { return nil }
            guard let next = steps.first else { return try decodeField(field, span) }
            try checkType(field, span)
            switch field.type {
            case .struct(let index) where !next.isSubscript:
                type = schema.structs[index]
                start = span.valueStart
            case .list(let element), .set(let element):
                guard case .integer(let index) = next else {
                    throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(next)")
                }
                steps.removeFirst()
                guard let found = try self.element(Int(clamping: index), ofListAt: span.valueStart) else { return nil }
                guard found.type == element.wireType else {
                    throw CodecError(.invalidWireType, "list elements have wire type \(found.type)", offset: span.valueStart)
                }
                if steps.isEmpty { return try decodeValue(element, at: found.start) }
                guard case .struct(let index) = element else {
                    throw CodecError(.pathMismatch, "elements of '\(field.name)' are not structs")
                }
                type = schema.structs[index]
                start = found.start
            case .map(let key, let valueType):
                guard next.isSubscript else { throw CodecError(.pathMismatch, "a map needs a [key] subscript") }
                steps.removeFirst()
                let layout = try layout(ofContainerAt: span.valueStart, type: .map)
                var found: Range<Int>?
                var item = 0
                while item < layout.items.count {
                    if try keyMatches(next, type: key, range: layout.items[item]) { found = layout.items[item + 1] }
                    item += 2
                }
                guard let found else { return nil }
                if steps.isEmpty { return try decodeValue(valueType, at: found.lowerBound) }
                guard case .struct(let index) = valueType else {
                    throw CodecError(.pathMismatch, "values of '\(field.name)' are not structs")
                }
                type = schema.structs[index]
                start = found.lowerBound
            default:
                throw CodecError(.pathMismatch, "'\(field.name)' (\(field.declaredTypeName)) has no parts to select")
            }
        }
        return nil
    }

    func getMany(_ paths: [FieldPath]) throws(CodecError) -> [ThriftFieldValue?] {
        // Fields named directly on the root come from one layout scan; deeper paths resolve individually.
        var results = [ThriftFieldValue?](repeating: nil, count: paths.count)
        let layout = try layout(ofStructAt: value.range.lowerBound)
        for (index, path) in paths.enumerated() {
            if path.steps.count == 1 {
                let field = try field(for: path.steps[0], in: value.descriptor)
                if let span = layout.fields.first(where: { $0.id == field.id }) {
                    results[index] = try decodeField(field, span)
                }
            } else {
                results[index] = try get(path.steps[...])
            }
        }
        return results
    }
}
