extension ThriftValue {
    /// Re-encodes through a narrower struct type: fields whose ids `target` lacks are dropped (unknown fields
    /// too), nested structs — in fields, list elements, map keys and values — whose target types differ are trimmed
    /// the same way; everything else is copied as it was.
    ///
    /// Required fields of `target` missing from the result are a `MISSING_REQUIRED_FIELD` error unless
    /// `allowMissingRequired`.
    public func trimmed(to target: ThriftStructDescriptor, allowMissingRequired: Bool = false) throws(CodecError)
        -> ThriftValue
    {
        let bytes: [UInt8]
        switch encoding {
        case .binary:
            bytes = try ThriftTrimmer<ThriftBinaryReader, ThriftBinaryWriter>(
                schema: schema, limits: limits, allowMissingRequired: allowMissingRequired
            ).run(self) { (trimmer, reader, writer) throws(CodecError) in
                try trimmer.trimStruct(from: descriptor, to: target, &reader, &writer, depth: 0)
            }
        case .compact:
            bytes = try ThriftTrimmer<ThriftCompactReader, ThriftCompactWriter>(
                schema: schema, limits: limits, allowMissingRequired: allowMissingRequired
            ).run(self) { (trimmer, reader, writer) throws(CodecError) in
                try trimmer.trimStruct(from: descriptor, to: target, &reader, &writer, depth: 0)
            }
        }
        return ThriftValue(storage: bytes, range: 0..<bytes.count, encoding: encoding, descriptor: target,
                           schema: schema, limits: limits)
    }

    /// Keeps only the parts named by `paths`: a path keeps its whole value; a sub-path keeps part of a struct field,
    /// of every element of a list or set, or of every value of a map, through any depth of nesting
    /// (`groups.members.name` on `map<string, list<Member>>`); a subscript keeps only the element or entry it
    /// selects (`groups["a"][0].name`), counts follow. Map keys of kept entries are always kept.
    public func masked(_ paths: [FieldPath]) throws(CodecError) -> ThriftValue {
        let mask = try ThriftMask(paths, root: descriptor, schema: schema)
        let bytes: [UInt8]
        switch encoding {
        case .binary:
            bytes = try ThriftTrimmer<ThriftBinaryReader, ThriftBinaryWriter>(
                schema: schema, limits: limits, allowMissingRequired: true
            ).run(self) { (trimmer, reader, writer) throws(CodecError) in
                try trimmer.maskValue(.struct(descriptor.index), mask, &reader, &writer, depth: 0)
            }
        case .compact:
            bytes = try ThriftTrimmer<ThriftCompactReader, ThriftCompactWriter>(
                schema: schema, limits: limits, allowMissingRequired: true
            ).run(self) { (trimmer, reader, writer) throws(CodecError) in
                try trimmer.maskValue(.struct(descriptor.index), mask, &reader, &writer, depth: 0)
            }
        }
        return ThriftValue(storage: bytes, range: 0..<bytes.count, encoding: encoding, descriptor: descriptor,
                           schema: schema, limits: limits)
    }
}

struct ThriftTrimmer<Reader: ThriftReading, Writer: ThriftWriting> {
    let schema: ThriftSchema
    let limits: CodecLimits
    let allowMissingRequired: Bool

    func run(
        _ value: ThriftValue, _ body: (Self, inout Reader, inout Writer) throws(CodecError) -> Void
    ) throws(CodecError) -> [UInt8] {
        try value.storage.withCodecBytes { (buffer) throws(CodecError) in
            var reader = Reader(base: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!, range: value.range,
                                maxDepth: limits.maxDepth)
            var writer = Writer()
            writer.bytes.reserveCapacity(value.range.count)
            try body(self, &reader, &writer)
            return writer.bytes
        }
    }

    func trimStruct(
        from source: ThriftStructDescriptor, to target: ThriftStructDescriptor, _ reader: inout Reader,
        _ writer: inout Writer, depth: Int
    ) throws(CodecError) {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: reader.position) }
        try reader.beginStruct()
        writer.beginStruct()
        var kept = Set<Int16>()
        while let header = try reader.readFieldHeader() {
            guard let targetField = target.field(id: header.id), targetField.type.wireType == header.type else {
                try reader.skip(header.type, depth: depth + 1)
                continue
            }
            if !target.requiredFieldIds.isEmpty { kept.insert(header.id) }
            let sourceType = source.field(id: header.id)?.type ?? targetField.type
            if header.type == .bool {
                writer.writeBoolField(id: header.id, value: try reader.readBool())
                continue
            }
            writer.writeFieldHeader(header.type, id: header.id)
            try trimValue(from: sourceType, to: targetField.type, &reader, &writer, depth: depth + 1)
        }
        writer.writeStop()
        reader.endStruct()
        writer.endStruct()
        if !allowMissingRequired {
            for id in target.requiredFieldIds where !kept.contains(id) {
                let name = target.field(id: id)?.name ?? String(id)
                throw CodecError(.missingRequiredField,
                                 "required field '\(name)' of \(target.name) is missing after trimming", path: name)
            }
        }
    }

    /// Copies a value, trimming the structs inside it whose target type differs.
    func trimValue(from source: ThriftType, to target: ThriftType, _ reader: inout Reader, _ writer: inout Writer,
                   depth: Int) throws(CodecError) {
        switch (source, target) {
        case (.struct(let from), .struct(let to)) where from != to:
            try trimStruct(from: schema.structs[from], to: schema.structs[to], &reader, &writer, depth: depth)
        case (.list(let from), .list(let to)) where from != to, (.set(let from), .set(let to)) where from != to:
            let header = try reader.readListHeader()
            writer.writeListHeader(header.element, count: header.count)
            for _ in 0..<header.count { try trimValue(from: from, to: to, &reader, &writer, depth: depth + 1) }
        case (.map(let fromKey, let fromValue), .map(let toKey, let toValue)) where fromKey != toKey || fromValue != toValue:
            let header = try reader.readMapHeader()
            writer.writeMapHeader(key: header.key, value: header.value, count: header.count)
            for _ in 0..<header.count {
                try trimValue(from: fromKey, to: toKey, &reader, &writer, depth: depth + 1)
                try trimValue(from: fromValue, to: toValue, &reader, &writer, depth: depth + 1)
            }
        default:
            try ThriftTranscoder.copy(target.wireType, &reader, &writer, depth: depth)
        }
    }
}
