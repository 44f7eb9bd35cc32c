extension ProtoValue {
    /// Writes `value` at `path`, creating absent enclosing messages, list elements (`[N]` with N the list's length
    /// appends) and map entries as needed.
    ///
    /// A singular field is replaced where it is (earlier duplicate occurrences are dropped) or inserted before the
    /// first field with a higher number; setting a oneof member removes the other members. A whole list or map is
    /// replaced by a `.list` or `.map` value. All other bytes are kept as they were.
    public mutating func set(_ path: FieldPath, to value: ProtoFieldValue) throws(CodecError) {
        guard !path.steps.isEmpty else {
            guard case .message(let message) = value, message.descriptor.fullName == descriptor.fullName else {
                throw CodecError(.typeMismatch, "the whole message can only be replaced by a \(descriptor.fullName)")
            }
            try replaceBytes(message.bytes)
            return
        }
        var edits = ProtoEdits()
        do {
            try planSet(path, value, edits: &edits)
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
        try replaceBytes(edits.apply(to: storage, within: range))
    }

    /// Convenience: parses `path` first.
    public mutating func set(_ path: String, to value: ProtoFieldValue) throws(CodecError) {
        try set(try FieldPath(parsing: path), to: value)
    }

    /// Applies several sets in order; each sees the result of the previous ones. Either all apply or, on error,
    /// none does.
    public mutating func set(_ assignments: [(path: FieldPath, value: ProtoFieldValue)]) throws(CodecError) {
        var copy = self
        for assignment in assignments { try copy.set(assignment.path, to: assignment.value) }
        self = copy
    }

    mutating func planSet(_ path: FieldPath, _ value: ProtoFieldValue, edits: inout ProtoEdits) throws(CodecError) {
        switch try navigateMerging(path, edits: &edits) {
        case .split:
            throw CodecError(.invalidPath, "unresolved split message")
        case .missing(let steps, let message, let position, let range):
            let field = try field(for: steps.first!, in: message)
            try clearOneofSiblings(of: field, in: message, range: range, edits: &edits)
            edits.insert(try build(steps, in: message, value: value), at: position)

        case .field(let field, let found, let message, let range):
            var bytes: [UInt8] = []
            try encodeField(field, value, into: &bytes)
            if field.isRepeated {
                // A whole list or map: the new occurrences replace all old ones, at the first one's place.
                let position = try position(before: found.first, field, range)
                for occurrence in found { edits.remove(occurrence.whole) }
                edits.insert(bytes, at: position)
                return
            }
            try clearOneofSiblings(of: field, in: message, range: range, edits: &edits)
            guard let last = found.last else {
                edits.insert(bytes, at: try insertionPoint(for: field.number, in: range))
                return
            }
            for occurrence in found.dropLast() { edits.remove(occurrence.whole) }
            edits.replace(last.whole, with: bytes)

        case .element(let field, let index, let elements, let found, let range):
            if index < elements.count {
                let element = elements[index]
                var bytes: [UInt8] = []
                if element.isPacked {
                    edits.enter(element.occurrence)
                    try encodeRaw(field, value, into: &bytes)
                } else {
                    try encodeTagged(field, value, into: &bytes)
                }
                edits.replace(element.range, with: bytes)
                return
            }
            // Append: into the last packed block if there is one, else as a new occurrence after the last.
            var bytes: [UInt8] = []
            if let last = elements.last, last.isPacked {
                edits.enter(last.occurrence)
                try encodeRaw(field, value, into: &bytes)
                edits.insert(bytes, at: last.occurrence.valueEnd)
            } else if let last = found.last {
                try encodeTagged(field, value, into: &bytes)
                edits.insert(bytes, at: last.end)
            } else {
                try encodeField(field, .list([value]), into: &bytes)
                edits.insert(bytes, at: try insertionPoint(for: field.number, in: range))
            }

        case .entry(let field, let key, let matches, let found, let range):
            var bytes: [UInt8] = []
            try encodeEntry(field, key: key, value: value, into: &bytes)
            if let last = matches.last {
                for occurrence in matches.dropLast() { edits.remove(occurrence.whole) }
                edits.replace(last.whole, with: bytes)
            } else {
                let position = try position(after: found.last, field, range)
                edits.insert(bytes, at: position)
            }
        }
    }

    /// Where to put new occurrences of `field`: at `occurrence`, or at the field's canonical place when none.
    private func position(before occurrence: ProtoOccurrence?, _ field: ProtoFieldDescriptor, _ range: Range<Int>)
        throws(CodecError) -> Int
    {
        if let occurrence { return occurrence.tagStart }
        return try insertionPoint(for: field.number, in: range)
    }

    private func position(after occurrence: ProtoOccurrence?, _ field: ProtoFieldDescriptor, _ range: Range<Int>)
        throws(CodecError) -> Int
    {
        if let occurrence { return occurrence.end }
        return try insertionPoint(for: field.number, in: range)
    }
}
