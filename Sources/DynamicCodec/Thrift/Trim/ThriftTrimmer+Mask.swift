/// Applying a ``ThriftMask``: one pass over the bytes, copying what the mask keeps. Container counts are written
/// for the elements and entries kept (a subscript keeps one; no subscript keeps them all).
extension ThriftTrimmer {
    func maskStruct(
        _ type: ThriftStructDescriptor, _ mask: ThriftMask, _ reader: inout Reader, _ writer: inout Writer, depth: Int
    ) throws(CodecError) {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: reader.position) }
        try reader.beginStruct()
        writer.beginStruct()
        while let header = try reader.readFieldHeader() {
            guard let sub = mask.fields[header.id] else {
                try reader.skip(header.type, depth: depth + 1)
                continue
            }
            if header.type == .bool {
                writer.writeBoolField(id: header.id, value: try reader.readBool())
                continue
            }
            writer.writeFieldHeader(header.type, id: header.id)
            if let field = type.field(id: header.id), field.type.wireType == header.type, !sub.keepsAll {
                try maskValue(field.type, sub, &reader, &writer, depth: depth + 1)
            } else {
                try ThriftTranscoder.copy(header.type, &reader, &writer, depth: depth + 1)
            }
        }
        writer.writeStop()
        reader.endStruct()
        writer.endStruct()
    }

    func maskValue(_ type: ThriftType, _ mask: ThriftMask, _ reader: inout Reader, _ writer: inout Writer, depth: Int)
        throws(CodecError)
    {
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: reader.position) }
        if mask.keepsAll {
            try ThriftTranscoder.copy(type.wireType, &reader, &writer, depth: depth)
            return
        }
        switch type {
        case .struct(let index):
            try maskStruct(schema.structs[index], mask, &reader, &writer, depth: depth)
        case .list(let element), .set(let element):
            try maskList(element, mask, &reader, &writer, depth: depth)
        case .map(let key, let value):
            try maskMap(key: key, value: value, mask, &reader, &writer, depth: depth)
        default:
            try ThriftTranscoder.copy(type.wireType, &reader, &writer, depth: depth)
        }
    }

    private func maskList(
        _ element: ThriftType, _ mask: ThriftMask, _ reader: inout Reader, _ writer: inout Writer, depth: Int
    ) throws(CodecError) {
        let start = reader.position
        let header = try reader.readListHeader()
        if header.count > 0 && header.element != element.wireType {
            throw CodecError(
                .invalidWireType,
                "list elements have wire type \(header.element), expected \(element.wireType)", offset: start)
        }
        var masks: [ThriftMask?] = []
        masks.reserveCapacity(header.count)
        for index in 0..<header.count {
            masks.append(mask.elementMask(selection: mask.selected[.integer(Int64(index))]))
        }
        writer.writeListHeader(header.element, count: masks.count(where: { $0 != nil }))
        for elementMask in masks {
            if let elementMask {
                try maskValue(element, elementMask, &reader, &writer, depth: depth + 1)
            } else {
                try reader.skip(header.element, depth: depth + 1)
            }
        }
    }

    private func maskMap(
        key: ThriftType, value: ThriftType, _ mask: ThriftMask, _ reader: inout Reader, _ writer: inout Writer,
        depth: Int
    ) throws(CodecError) {
        let start = reader.position
        let header = try reader.readMapHeader()
        if header.count > 0 && (header.key != key.wireType || header.value != value.wireType) {
            throw CodecError(
                .invalidWireType, "map entries have wire types \(header.key)/\(header.value)", offset: start)
        }
        // Which entries stay depends on their keys: look at every key first, so the count is known up front.
        var masks: [ThriftMask?] = []
        masks.reserveCapacity(header.count)
        var scan = reader
        for _ in 0..<header.count {
            let keyStart = scan.position
            try scan.skip(header.key, depth: depth + 1)
            var selection: ThriftMask?
            for (step, stepMask) in mask.selected {
                let matches = try ThriftAccess<Reader, Writer>.keyMatches(
                    step, type: key, range: keyStart..<scan.position, base: scan.base, maxDepth: limits.maxDepth)
                if matches { selection = selection.map { ThriftMask.union($0, stepMask) } ?? stepMask }
            }
            masks.append(mask.elementMask(selection: selection))
            try scan.skip(header.value, depth: depth + 1)
        }
        writer.writeMapHeader(key: header.key, value: header.value, count: masks.count(where: { $0 != nil }))
        for entryMask in masks {
            if let entryMask {
                try ThriftTranscoder.copy(header.key, &reader, &writer, depth: depth + 1)
                try maskValue(value, entryMask, &reader, &writer, depth: depth + 1)
            } else {
                try reader.skip(header.key, depth: depth + 1)
                try reader.skip(header.value, depth: depth + 1)
            }
        }
    }
}
