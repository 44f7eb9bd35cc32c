/// Where a path ends, as found by ``ProtoValue/navigate(_:edits:)``; positions refer to the value's storage.
enum ProtoPathTarget {
    /// All occurrences of `field` in the message at `range` (a singular field, or a whole list or map).
    case field(ProtoFieldDescriptor, [ProtoOccurrence], message: ProtoMessageDescriptor, range: Range<Int>)
    /// Element `index` of a list; `index == elements.count` is one past the end (an append).
    case element(ProtoFieldDescriptor, index: Int, [ProtoElement], [ProtoOccurrence], range: Range<Int>)
    /// The entries of a map with `key` (possibly none), among all the map's occurrences.
    case entry(ProtoFieldDescriptor, key: ProtoMapKey, matches: [ProtoOccurrence], [ProtoOccurrence],
               range: Range<Int>)
    /// The path goes through something absent: `steps` (starting with a field step) must be created inside the
    /// message `message` at `range`, at byte `position`.
    case missing(ArraySlice<FieldPath.Step>, message: ProtoMessageDescriptor, position: Int, range: Range<Int>)
    /// The path goes through a singular message field that occurs several times (the occurrences merge when
    /// parsed). Edits first merge them into one occurrence, then navigate again.
    case split(ProtoFieldDescriptor, [ProtoOccurrence])
}

extension ProtoValue {
    /// Follows `steps` as far as the bytes go, recording every enclosing length-delimited value in `edits.frames`.
    func navigate(_ path: FieldPath, edits: inout ProtoEdits) throws(CodecError) -> ProtoPathTarget {
        var steps = path.steps[...]
        var message = descriptor
        var range = range
        while let step = steps.first {
            guard edits.frames.count < limits.maxDepth else {
                throw .depthExceeded(limits.maxDepth, at: range.lowerBound)
            }
            let field = try field(for: step, in: message)
            var found = try occurrences(of: field.number, in: range)
            let afterField = steps.dropFirst()

            if field.isMap {
                guard let subscriptStep = afterField.first, subscriptStep.isSubscript else {
                    guard afterField.isEmpty else { throw CodecError(.pathMismatch, "a map needs a [key] subscript") }
                    return .field(field, found, message: message, range: range)
                }
                let key = try ProtoMapKey(subscript: subscriptStep, keyType: field.mapKey!.type)
                let matches = try entries(of: field, matching: key, found)
                let rest = afterField.dropFirst()
                if rest.isEmpty { return .entry(field, key: key, matches: matches, found, range: range) }
                guard field.mapValue!.isMessage else {
                    throw CodecError(.pathMismatch, "map values of '\(field.name)' are not messages")
                }
                guard let entry = matches.last else {
                    return .missing(steps, message: message, position: found.last?.end ?? range.upperBound,
                                    range: range)
                }
                edits.enter(entry)
                let entryType = schema.messages[field.messageIndex]
                let values = try occurrences(of: 2, in: entry.payload)
                if values.count > 1 { return .split(field.mapValue!, values) }
                guard let value = values.last else {
                    return .missing([.number(2)] + rest, message: entryType, position: entry.payload.upperBound,
                                    range: entry.payload)
                }
                try checkWireType(field.mapValue!, value)
                edits.enter(value)
                message = schema.messages[field.mapValue!.messageIndex]
                range = value.payload
                steps = rest
                continue
            }

            if field.isRepeated {
                guard let subscriptStep = afterField.first else { return .field(field, found, message: message, range: range) }
                guard case .integer(let wideIndex) = subscriptStep else {
                    throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(subscriptStep)")
                }
                let elements = try elements(of: field, found)
                guard wideIndex >= 0, wideIndex <= Int64(elements.count) else {
                    throw CodecError(
                        .indexOutOfRange, "index \(wideIndex) is outside '\(field.name)' of \(elements.count) elements")
                }
                let index = Int(wideIndex)
                let rest = afterField.dropFirst()
                if rest.isEmpty { return .element(field, index: index, elements, found, range: range) }
                guard field.isMessage else {
                    throw CodecError(.pathMismatch, "elements of '\(field.name)' are not messages")
                }
                guard index < elements.count else {
                    // One past the end: the new element is built as the first of an empty list, placed after the last.
                    return .missing([step, .integer(0)] + rest, message: message,
                                    position: found.last?.end ?? range.upperBound, range: range)
                }
                let occurrence = elements[index].occurrence
                edits.enter(occurrence)
                message = schema.messages[field.messageIndex]
                range = occurrence.payload
                steps = rest
                continue
            }

            if let next = afterField.first, next.isSubscript {
                throw CodecError(.pathMismatch, "'\(field.name)' is neither a list nor a map")
            }
            found = try effective(found, of: field, in: message, range: range)
            if afterField.isEmpty { return .field(field, found, message: message, range: range) }
            guard field.isMessage else {
                throw CodecError(.pathMismatch, "'\(field.name)' is a \(field.type.protoName), not a message")
            }
            if found.count > 1 { return .split(field, found) }
            guard let last = found.last else {
                return .missing(steps, message: message, position: try insertionPoint(for: field.number, in: range),
                                range: range)
            }
            // Descending into the set member of a oneof: stale members before it go (they are not set anyway).
            try clearOneofSiblings(of: field, in: message, range: range, edits: &edits)
            try checkWireType(field, last)
            edits.enter(last)
            message = schema.messages[field.messageIndex]
            range = last.payload
            steps = afterField
        }
        throw CodecError(.invalidPath, "empty path")
    }

    /// Removes the other members of `field`'s oneof from the message at `range`, and occurrences of `field`
    /// itself that an earlier other member made stale: setting one member clears the others.
    func clearOneofSiblings(of field: ProtoFieldDescriptor, in message: ProtoMessageDescriptor, range: Range<Int>,
                            edits: inout ProtoEdits) throws(CodecError) {
        guard let oneofIndex = field.oneofIndex, !message.oneofs[oneofIndex].isSynthetic,
            let cutoff = try oneofCutoff(of: field, in: message, range: range)
        else { return }
        let members = message.oneofs[oneofIndex].fieldNumbers
        let depth = limits.maxDepth
        try withCursor(range) { (cursor) throws(CodecError) in
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: depth)
                if members.contains(number) && (number != field.number || occurrence.tagStart < cutoff) {
                    edits.remove(occurrence.whole)
                }
            }
        }
    }

    /// Rewrites the occurrences of a split message field as one occurrence (payloads concatenated, which is what
    /// parsing them means), placed where the last one was.
    mutating func mergeSplit(_ field: ProtoFieldDescriptor, _ found: [ProtoOccurrence], edits: ProtoEdits)
        throws(CodecError)
    {
        var edits = edits
        var payload: [UInt8] = []
        for occurrence in found {
            try checkWireType(field, occurrence)
            payload.append(contentsOf: storage[occurrence.payload])
        }
        var merged: [UInt8] = []
        if field.type == .group {
            merged.appendVarint(ProtoVarint.tag(field.number, .startGroup))
            merged.append(contentsOf: payload)
            merged.appendVarint(ProtoVarint.tag(field.number, .endGroup))
        } else {
            merged.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
            merged.appendVarint(UInt64(payload.count))
            merged.append(contentsOf: payload)
        }
        for occurrence in found.dropLast() { edits.remove(occurrence.whole) }
        edits.replace(found[found.count - 1].whole, with: merged)
        try replaceBytes(edits.apply(to: storage, within: range))
    }

    /// Navigates `path`, first merging any split message occurrences along it.
    mutating func navigateMerging(_ path: FieldPath, edits: inout ProtoEdits) throws(CodecError) -> ProtoPathTarget {
        for _ in 0...limits.maxDepth {
            edits = ProtoEdits()
            let target = try navigate(path, edits: &edits)
            guard case .split(let field, let found) = target else { return target }
            try mergeSplit(field, found, edits: edits)
        }
        throw CodecError(.depthLimitExceeded, "too many split messages along \(path)")
    }
}
