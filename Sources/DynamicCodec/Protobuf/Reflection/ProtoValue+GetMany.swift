extension ProtoValue {
    /// The values at several paths, scanning each message level once for all of them. Results are in the order
    /// of `paths`; nil where absent.
    public func get(many paths: [FieldPath]) throws(CodecError) -> [ProtoFieldValue?] {
        var results = [ProtoFieldValue?](repeating: nil, count: paths.count)
        let items = paths.indices.map { (index: $0, steps: paths[$0].steps[...]) }
        try getMany(items, message: descriptor, range: range, into: &results)
        return results
    }

    private func getMany(
        _ items: [(index: Int, steps: ArraySlice<FieldPath.Step>)], message: ProtoMessageDescriptor,
        range: Range<Int>, into results: inout [ProtoFieldValue?]
    ) throws(CodecError) {
        var fields: [ProtoFieldDescriptor?] = []
        var wanted: [Int: [ProtoOccurrence]] = [:]
        for item in items {
            guard let first = item.steps.first else {
                results[item.index] = .message(
                    ProtoValue(storage: storage, range: range, descriptor: message, schema: schema, limits: limits))
                fields.append(nil)
                continue
            }
            let field = try field(for: first, in: message)
            fields.append(field)
            wanted[field.number] = []
        }
        let depth = limits.maxDepth
        try withCursor(range) { (cursor) throws(CodecError) in
            while !cursor.isAtEnd {
                let (number, occurrence) = try cursor.readOccurrence(depth: depth)
                wanted[number]?.append(occurrence)
            }
        }
        var deeper: [Int: [(index: Int, steps: ArraySlice<FieldPath.Step>)]] = [:]
        for (item, field) in zip(items, fields) {
            guard let field else { continue }
            let found = wanted[field.number] ?? []
            let rest = item.steps.dropFirst()
            if found.isEmpty { continue }
            if let oneof = field.oneofIndex, !message.oneofs[oneof].isSynthetic {
                // Which member is set depends on the others: resolve it like a single get.
                results[item.index] = try get(item.steps, message: message, range: range)
            } else if rest.isEmpty {
                if field.isMap {
                    results[item.index] = .map(try decodeMap(field, found))
                } else if field.isRepeated {
                    results[item.index] = .list(try decodeList(field, found))
                } else {
                    results[item.index] = try decodeSingular(field, found)
                }
            } else if field.isMessage, !field.isRepeated, found.count == 1, !(rest.first?.isSubscript ?? true) {
                deeper[field.number, default: []].append((item.index, rest))
            } else {
                results[item.index] = try get(item.steps, message: message, range: range)
            }
        }
        for (number, group) in deeper {
            let field = message.field(number: number)!
            let occurrence = wanted[number]![0]
            try checkWireType(field, occurrence)
            try getMany(group, message: schema.messages[field.messageIndex], range: occurrence.payload, into: &results)
        }
    }
}
