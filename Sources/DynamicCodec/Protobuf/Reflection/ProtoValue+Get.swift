extension ProtoValue {
    /// The value at `path`, or nil when the field (element, entry) is absent.
    ///
    /// A path ending at a repeated field returns the whole list, at a map field the whole map; `[N]` selects one
    /// element, `[key]` one entry's value. Only the bytes on the way are looked at.
    public func get(_ path: FieldPath) throws(CodecError) -> ProtoFieldValue? {
        guard !path.steps.isEmpty else { return .message(self) }
        do {
            return try get(path.steps[...], message: descriptor, range: range)
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
    }

    /// Convenience: parses `path` first.
    public func get(_ path: String) throws(CodecError) -> ProtoFieldValue? {
        try get(try FieldPath(parsing: path))
    }

    func get(
        _ steps: ArraySlice<FieldPath.Step>, message: ProtoMessageDescriptor, range: Range<Int>
    ) throws(CodecError) -> ProtoFieldValue? {
        var steps = steps
        var message = message
        var range = range
        var depth = 0
        while let step = steps.popFirst() {
            depth += 1
            guard depth <= limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: range.lowerBound) }
            let field = try field(for: step, in: message)

            if field.isMap {
                guard let subscriptStep = steps.first, subscriptStep.isSubscript else {
                    guard steps.isEmpty else { throw CodecError(.pathMismatch, "a map needs a [key] subscript") }
                    let found = try occurrences(of: field.number, in: range)
                    return found.isEmpty ? nil : .map(try decodeMap(field, found))
                }
                steps.removeFirst()
                let key = try ProtoMapKey(subscript: subscriptStep, keyType: field.mapKey!.type)
                guard let entry = try lastEntry(of: field, matching: key, in: range) else { return nil }
                let valueField = field.mapValue!
                let (value, valueCount) = try lastOccurrence(of: 2, in: entry.payload)
                if steps.isEmpty {
                    guard let value else {
                        // An entry without a value holds the value type's default.
                        if valueField.isMessage {
                            return .message(subMessage(valueField, storage: [], range: 0..<0))
                        }
                        return .scalar(ProtoScalar.zero(of: valueField.type)!)
                    }
                    if valueCount > 1 { return try decodeSingular(valueField, try occurrences(of: 2, in: entry.payload)) }
                    return try decodeSingle(valueField, value)
                }
                guard valueField.isMessage else {
                    throw CodecError(.pathMismatch, "map values of '\(field.name)' are not messages")
                }
                guard let value else { return nil }
                try checkWireType(valueField, value)
                if valueCount > 1 {
                    let merged = try mergedView(valueField, try occurrences(of: 2, in: entry.payload))
                    return try merged.get(steps, message: merged.descriptor, range: merged.range)
                }
                message = schema.messages[valueField.messageIndex]
                range = value.payload
                continue
            }

            if field.isRepeated, let subscriptStep = steps.first {
                guard case .integer(let index) = subscriptStep else {
                    throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(subscriptStep)")
                }
                steps.removeFirst()
                guard let element = try element(Int(clamping: index), of: field, in: range) else { return nil }
                if steps.isEmpty { return try decodeElement(field, element) }
                guard field.isMessage else {
                    throw CodecError(.pathMismatch, "elements of '\(field.name)' are not messages")
                }
                message = schema.messages[field.messageIndex]
                range = element.occurrence.payload
                continue
            }

            if !field.isRepeated && !field.isInRealOneof(of: message) {
                if let subscriptStep = steps.first, subscriptStep.isSubscript {
                    throw CodecError(.pathMismatch, "'\(field.name)' is neither a list nor a map")
                }
                let (last, count) = try lastOccurrence(of: field.number, in: range)
                guard let last else { return nil }
                if count == 1 {
                    if steps.isEmpty { return try decodeSingle(field, last) }
                    guard field.isMessage else {
                        throw CodecError(.pathMismatch, "'\(field.name)' is a \(field.type.protoName), not a message")
                    }
                    try checkWireType(field, last)
                    message = schema.messages[field.messageIndex]
                    range = last.payload
                    continue
                }
            }

            // The general path: several occurrences (merging), oneof members, whole lists.
            var found = try occurrences(of: field.number, in: range)
            if field.isRepeated {
                // A whole list (subscripts were handled above).
                return found.isEmpty ? nil : .list(try decodeList(field, found))
            }

            if let subscriptStep = steps.first, subscriptStep.isSubscript {
                throw CodecError(.pathMismatch, "'\(field.name)' is neither a list nor a map")
            }
            found = try effective(found, of: field, in: message, range: range)
            if steps.isEmpty { return found.isEmpty ? nil : try decodeSingular(field, found) }
            guard field.isMessage else {
                throw CodecError(.pathMismatch, "'\(field.name)' is a \(field.type.protoName), not a message")
            }
            guard let last = found.last else { return nil }
            try checkWireType(field, last)
            if found.count > 1 {
                // Several occurrences of a message field merge; continue in the merged copy.
                let merged = try mergedView(field, found)
                return try merged.get(steps, message: merged.descriptor, range: merged.range)
            }
            let next = last.payload
            message = schema.messages[field.messageIndex]
            range = next
        }
        return .message(ProtoValue(storage: storage, range: range, descriptor: message, schema: schema, limits: limits))
    }

    /// Several occurrences of a message field merge into one message: their payloads concatenated.
    func mergedView(_ field: ProtoFieldDescriptor, _ found: [ProtoOccurrence]) throws(CodecError) -> ProtoValue {
        var merged: [UInt8] = []
        for occurrence in found {
            try checkWireType(field, occurrence)
            merged.append(contentsOf: storage[occurrence.payload])
        }
        return ProtoValue(
            storage: merged, range: 0..<merged.count, descriptor: schema.messages[field.messageIndex], schema: schema,
            limits: limits)
    }

    func subMessage(_ field: ProtoFieldDescriptor, storage: [UInt8], range: Range<Int>) -> ProtoValue {
        ProtoValue(
            storage: storage, range: range, descriptor: schema.messages[field.messageIndex], schema: schema,
            limits: limits)
    }

    /// Decodes one occurrence of a singular field.
    @inline(__always)
    func decodeSingle(_ field: ProtoFieldDescriptor, _ occurrence: ProtoOccurrence) throws(CodecError) -> ProtoFieldValue {
        try checkWireType(field, occurrence)
        if field.isMessage { return .message(subMessage(field, storage: storage, range: occurrence.payload)) }
        return .scalar(
            try withCursor(occurrence.headerEnd..<occurrence.end) { (cursor) throws(CodecError) in
                try ProtoScalar.decode(field.type, from: &cursor)
            })
    }

    /// Decodes a singular field from its occurrences (the last wins; messages merge).
    func decodeSingular(_ field: ProtoFieldDescriptor, _ found: [ProtoOccurrence]) throws(CodecError)
        -> ProtoFieldValue
    {
        if field.isMessage {
            if found.count > 1 { return .message(try mergedView(field, found)) }
            try checkWireType(field, found[0])
            return .message(subMessage(field, storage: storage, range: found[0].payload))
        }
        let last = found[found.count - 1]
        try checkWireType(field, last)
        return .scalar(
            try withCursor(last.headerEnd..<last.end) { (cursor) throws(CodecError) in
                try ProtoScalar.decode(field.type, from: &cursor)
            })
    }

    func decodeElement(_ field: ProtoFieldDescriptor, _ element: ProtoElement) throws(CodecError) -> ProtoFieldValue {
        if field.isMessage { return .message(subMessage(field, storage: storage, range: element.occurrence.payload)) }
        let start = element.isPacked ? element.range.lowerBound : element.occurrence.headerEnd
        return .scalar(
            try withCursor(start..<element.range.upperBound) { (cursor) throws(CodecError) in
                try ProtoScalar.decode(field.type, from: &cursor)
            })
    }

    func decodeList(_ field: ProtoFieldDescriptor, _ found: [ProtoOccurrence]) throws(CodecError)
        -> [ProtoFieldValue]
    {
        var values: [ProtoFieldValue] = []
        for element in try elements(of: field, found) {
            values.append(try decodeElement(field, element))
        }
        return values
    }

    func decodeMap(_ field: ProtoFieldDescriptor, _ found: [ProtoOccurrence]) throws(CodecError) -> [ProtoMapEntry] {
        let keyField = field.mapKey!
        let valueField = field.mapValue!
        var entries: [ProtoMapEntry] = []
        entries.reserveCapacity(found.count)
        for occurrence in found {
            try checkWireType(field, occurrence)
            let key = try mapKey(of: occurrence, keyField: keyField).scalar(for: keyField.type)
            let valueOccurrences = try occurrences(of: 2, in: occurrence.payload)
            let value: ProtoFieldValue
            if valueOccurrences.isEmpty {
                value =
                    valueField.isMessage
                    ? .message(subMessage(valueField, storage: [], range: 0..<0))
                    : .scalar(ProtoScalar.zero(of: valueField.type)!)
            } else {
                value = try decodeSingular(valueField, valueOccurrences)
            }
            entries.append(ProtoMapEntry(key: key, value: value))
        }
        return entries
    }
}

extension FieldPath.Step {
    var isSubscript: Bool {
        switch self {
        case .name, .number: false
        case .integer, .unsigned, .string, .bool: true
        }
    }
}

extension CodecError {
    func with(path: FieldPath) -> CodecError {
        var copy = self
        copy.path = path.description
        return copy
    }
}
