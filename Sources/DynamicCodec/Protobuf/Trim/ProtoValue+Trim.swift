extension ProtoValue {
    /// Re-encodes this message through a narrower type: fields whose numbers `target` lacks are dropped, unknown
    /// fields included; sub-messages whose target type differs are trimmed the same way (map values and list
    /// elements too). Kept fields are copied byte for byte.
    ///
    /// Required fields of `target` missing from the result are an error unless `allowMissingRequired`.
    public func trimmed(to target: ProtoMessageDescriptor, allowMissingRequired: Bool = false) throws(CodecError)
        -> ProtoValue
    {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            guard let base = buffer.baseAddress else { return }
            let trimmer = ProtoTrimmer(
                schema: schema, limits: limits, base: base, allowMissingRequired: allowMissingRequired)
            try trimmer.trim(range, from: descriptor, to: target, into: &out, depth: 0)
        }
        return ProtoValue(storage: out, range: 0..<out.count, descriptor: target, schema: schema, limits: limits)
    }

    /// Keeps only the fields named by `paths` (a `google.protobuf.FieldMask`): a path keeps its whole value; a
    /// sub-path keeps part of a message field, of every element of a list of messages, or of every value of a map.
    public func masked(_ paths: [FieldPath]) throws(CodecError) -> ProtoValue {
        let mask = try ProtoMask(paths, root: descriptor, schema: schema)
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            guard let base = buffer.baseAddress else { return }
            let trimmer = ProtoTrimmer(schema: schema, limits: limits, base: base, allowMissingRequired: true)
            try trimmer.mask(range, descriptor, mask, into: &out, depth: 0)
        }
        return ProtoValue(storage: out, range: 0..<out.count, descriptor: descriptor, schema: schema, limits: limits)
    }
}

/// A field mask as a tree keyed by field number; a node with no children keeps its whole field.
struct ProtoMask {
    var children: [Int: ProtoMask] = [:]

    init() {}

    init(_ paths: [FieldPath], root: ProtoMessageDescriptor, schema: ProtoSchema) throws(CodecError) {
        for path in paths {
            var message: ProtoMessageDescriptor? = root
            var numbers: [Int] = []
            for step in path.steps {
                guard let current = message else {
                    throw CodecError(.pathMismatch, "mask path '\(path)' goes below a scalar field")
                }
                let field: ProtoFieldDescriptor?
                switch step {
                case .name(let name): field = current.field(named: name) ?? current.field(jsonName: name)
                case .number(let number): field = current.field(number: number)
                default:
                    throw CodecError(.invalidPath, "mask path '\(path)' cannot hold subscripts")
                }
                guard let field else {
                    throw CodecError(.unknownField, "\(current.fullName) has no field '\(step)'", path: path.description)
                }
                numbers.append(field.number)
                // Below a map, paths address the value's fields; the entry's key is always kept.
                let next = field.mapValue ?? field
                message = schema.messageType(of: next)
                if field.isMap { numbers.append(-1) }
            }
            insert(numbers[...])
        }
    }

    /// `-1` marks "inside the map value" and keeps the entry's key.
    private mutating func insert(_ numbers: ArraySlice<Int>) {
        guard let first = numbers.first else { return }
        var child = children[first] ?? ProtoMask()
        let rest = numbers.dropFirst()
        if children[first] != nil && child.children.isEmpty && first != -1 {
            return  // Already keeping the whole field.
        }
        if rest.isEmpty {
            child.children = [:]
        } else {
            child.insert(rest)
        }
        children[first] = child
    }
}

struct ProtoTrimmer {
    let schema: ProtoSchema
    let limits: CodecLimits
    let base: UnsafeRawPointer
    let allowMissingRequired: Bool

    func trim(
        _ range: Range<Int>, from source: ProtoMessageDescriptor, to target: ProtoMessageDescriptor,
        into out: inout [UInt8], depth: Int
    ) throws(CodecError) {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: range.lowerBound) }
        var cursor = ProtoCursor(base: base, range: range)
        var seenRequired = 0
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: limits.maxDepth - depth)
            guard let targetField = target.field(number: number) else { continue }
            if targetField.cardinality == .required { seenRequired += 1 }
            let sourceField = source.field(number: number)
            if targetField.isMessage, let sourceField, sourceField.isMessage,
                sourceField.messageIndex != targetField.messageIndex, occurrence.wireType == targetField.wireType
            {
                try writeMessage(occurrence, number: number, wireType: occurrence.wireType, into: &out) {
                    (out) throws(CodecError) in
                    try self.trim(
                        occurrence.payload, from: schema.messages[sourceField.messageIndex],
                        to: schema.messages[targetField.messageIndex], into: &out, depth: depth + 1)
                }
            } else {
                if let sourceField, sourceField.type.wireType != targetField.type.wireType {
                    throw CodecError(
                        .typeMismatch,
                        "field \(number) is \(sourceField.type.protoName) in \(source.fullName) but "
                            + "\(targetField.type.protoName) in \(target.fullName)", offset: occurrence.tagStart)
                }
                out.append(contentsOf: UnsafeRawBufferPointer(start: base + occurrence.tagStart,
                                                              count: occurrence.end - occurrence.tagStart))
            }
        }
        if !allowMissingRequired, seenRequired < target.requiredFieldNumbers.count {
            try checkRequired(target, range, depth: depth)
        }
    }

    /// Names the first required field of `target` absent from the message at `range`.
    func checkRequired(_ target: ProtoMessageDescriptor, _ range: Range<Int>, depth: Int) throws(CodecError) {
        var present = Set<Int>()
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd { present.insert(try cursor.readOccurrence(depth: limits.maxDepth - depth).number) }
        for number in target.requiredFieldNumbers where !present.contains(number) {
            let name = target.field(number: number)?.name ?? String(number)
            throw CodecError(
                .missingRequiredField, "required field '\(name)' of \(target.fullName) is missing after trimming",
                path: name)
        }
    }

    func mask(
        _ range: Range<Int>, _ message: ProtoMessageDescriptor, _ mask: ProtoMask, into out: inout [UInt8], depth: Int
    ) throws(CodecError) {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: range.lowerBound) }
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: limits.maxDepth - depth)
            guard let sub = mask.children[number] else { continue }
            guard !sub.children.isEmpty, let field = message.field(number: number), field.isMessage,
                occurrence.wireType == field.wireType
            else {
                out.append(contentsOf: UnsafeRawBufferPointer(start: base + occurrence.tagStart,
                                                              count: occurrence.end - occurrence.tagStart))
                continue
            }
            let type = schema.messages[field.messageIndex]
            try writeMessage(occurrence, number: number, wireType: occurrence.wireType, into: &out) {
                (out) throws(CodecError) in
                if field.isMap {
                    // Keep the key, mask the value.
                    var entryMask = ProtoMask()
                    entryMask.children[1] = ProtoMask()
                    entryMask.children[2] = sub.children[-1] ?? ProtoMask()
                    try self.mask(occurrence.payload, type, entryMask, into: &out, depth: depth + 1)
                } else {
                    try self.mask(occurrence.payload, type, sub, into: &out, depth: depth + 1)
                }
            }
        }
    }

    /// Writes a message occurrence whose payload `body` produces: tag, back-patched length (or group end tag).
    func writeMessage(
        _ occurrence: ProtoOccurrence, number: Int, wireType: ProtoWireType, into out: inout [UInt8],
        body: (inout [UInt8]) throws(CodecError) -> Void
    ) throws(CodecError) {
        out.appendVarint(ProtoVarint.tag(number, wireType))
        if wireType == .startGroup {
            try body(&out)
            out.appendVarint(ProtoVarint.tag(number, .endGroup))
            return
        }
        var writer = ProtoWriter()
        swap(&writer.bytes, &out)
        let start = writer.beginLengthDelimited()
        try body(&writer.bytes)
        writer.endLengthDelimited(start)
        swap(&writer.bytes, &out)
    }
}
