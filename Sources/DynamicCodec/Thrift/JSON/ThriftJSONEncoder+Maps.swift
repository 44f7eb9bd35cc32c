/// Maps: objects with string keys when the key type allows, arrays of {"key": k, "value": v} pairs otherwise.
extension ThriftJSONEncoder {
    package mutating func map<Reader: ThriftReading>(
        key: ThriftType, value valueType: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        guard depth < maxDepth else { throw .depthExceeded(maxDepth, at: reader.position) }
        let headerStart = reader.position
        let header = try reader.readMapHeader()
        guard header.count == 0 || (header.key == key.wireType && header.value == valueType.wireType) else {
            throw CodecError(
                .invalidWireType,
                "map should be \(key.wireType) -> \(valueType.wireType), found \(header.key) -> \(header.value)",
                offset: headerStart)
        }
        if key.needsPairForm {
            writer.beginArray()
            for index in 0..<header.count {
                if index > 0 { writer.comma() }
                do {
                    writer.raw(#"{"key":"#.utf8)
                    try value(key, jsConv: false, &reader, depth: depth + 1)
                    writer.raw(#","value":"#.utf8)
                    try value(valueType, jsConv: jsConv, &reader, depth: depth + 1)
                    writer.endObject()
                } catch {
                    throw error.under("[\(index)]")
                }
            }
            writer.endArray()
            return
        }
        let outputStart = writer.bytes.count
        writer.beginObject()
        var seen = ThriftEncodedKeySet()
        for index in 0..<header.count {
            if index > 0 { writer.comma() }
            let keyStart = writer.bytes.count
            try mapKey(key, &reader)
            guard seen.insert(keyStart..<writer.bytes.count, of: writer.bytes) else {
                // A key repeated on the wire: the last entry wins, as when Thrift readers build the map.
                writer.bytes.removeSubrange(outputStart...)
                var rewrite = Reader(base: reader.base, range: headerStart..<reader.end, maxDepth: reader.maxDepth)
                try mapLastWins(key: key, value: valueType, jsConv: jsConv, &rewrite, depth: depth)
                reader.position = rewrite.position
                return
            }
            let keyRange = keyStart..<writer.bytes.count
            writer.colon()
            try mapEntryValue(valueType, jsConv: jsConv, &reader, depth: depth, key: keyRange, keyType: key)
        }
        writer.endObject()
    }

    /// A map value; errors get the key as their path step: ["text"] for strings, [15] for numbers.
    package mutating func mapEntryValue<Reader: ThriftReading>(
        _ type: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int, key: Range<Int>, keyType: ThriftType
    ) throws(CodecError) {
        do {
            try value(type, jsConv: jsConv, &reader, depth: depth + 1)
        } catch {
            var text = writer.bytes[key]
            switch keyType {
            case .string, .binary, .uuid: break
            default: text = text.dropFirst().dropLast()
            }
            throw error.under("[" + String(decoding: text, as: UTF8.self) + "]")
        }
    }

    /// Rewrites a map whose keys repeat, keeping the last entry of each key.
    package mutating func mapLastWins<Reader: ThriftReading>(
        key: ThriftType, value valueType: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        var scan = reader
        let header = try scan.readMapHeader()
        var lastEntry: [[UInt8]: Int] = [:]
        for index in 0..<header.count {
            let keyStart = writer.bytes.count
            try mapKey(key, &scan)
            lastEntry[Array(writer.bytes[keyStart...])] = index
            writer.bytes.removeSubrange(keyStart...)
            try scan.skip(header.value, depth: depth + 1)
        }
        _ = try reader.readMapHeader()
        writer.beginObject()
        var first = true
        for index in 0..<header.count {
            let keyStart = writer.bytes.count
            if !first { writer.comma() }
            let textStart = writer.bytes.count
            try mapKey(key, &reader)
            guard lastEntry[Array(writer.bytes[textStart...])] == index else {
                writer.bytes.removeSubrange(keyStart...)
                try reader.skip(header.value, depth: depth + 1)
                continue
            }
            first = false
            let keyRange = textStart..<writer.bytes.count
            writer.colon()
            try mapEntryValue(valueType, jsConv: jsConv, &reader, depth: depth, key: keyRange, keyType: key)
        }
        writer.endObject()
    }

    /// Reads a map key and writes it as a JSON object key (a string; numbers, bools and enums as their text).
    package mutating func mapKey<Reader: ThriftReading>(_ type: ThriftType, _ reader: inout Reader) throws(CodecError) {
        switch type {
        case .string:
            try text(&reader)
        case .binary:
            if options.binaryAsString {
                try text(&reader)
            } else {
                let range = try reader.readBinary()
                writer.base64(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))
            }
        case .uuid:
            let range = try reader.readUUID()
            ThriftUUIDText.write(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: 16), to: &writer)
        case .bool:
            writer.raw(try reader.readBool() ? #""true""#.utf8 : #""false""#.utf8)
        case .byte: integer(Int64(try reader.readByte()), quoted: true)
        case .i16: integer(Int64(try reader.readI16()), quoted: true)
        case .i32: integer(Int64(try reader.readI32()), quoted: true)
        case .i64: integer(try reader.readI64(), quoted: true)
        case .enum(let index):
            let number = try reader.readI32()
            if options.enumsAsNames, let name = schema.enums[index].name(of: number) {
                writer.string(name)
            } else {
                integer(Int64(number), quoted: true)
            }
        case .double:
            let number = try reader.readDouble()
            if number.isFinite {
                writer.byte(UInt8(ascii: "\""))
                writer.double(number)
                writer.byte(UInt8(ascii: "\""))
            } else {
                writer.double(number)  // Already the strings "NaN", "Infinity", "-Infinity".
            }
        case .struct, .list, .set, .map:
            throw CodecError(.typeMismatch, "\(type) keys are written as pairs", offset: reader.position)
        }
    }
}
