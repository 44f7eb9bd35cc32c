/// Writes JSON while walking Thrift bytes (either protocol), driven by descriptors: one pass, no values built.
package struct ThriftJSONEncoder {
    package let schema: ThriftSchema
    package let keys: ThriftJSONKeyTable
    package var options: ThriftJSONOptions
    package var writer: JSONWriter
    /// The structs whose absent fields are being filled (writeDefault, writeRequired, writeOptional), outermost first.
    package var fillPath: [Int] = []

    package init(schema: ThriftSchema, options: ThriftJSONOptions, capacity: Int) {
        self.schema = schema
        self.options = options
        keys = ThriftJSONKeyTable.of(schema)
        writer = JSONWriter(capacity: capacity)
    }

    package var maxDepth: Int { options.limits.maxDepth }

    /// Writes the struct at the reader as a JSON object.
    ///
    /// A field that occurs twice takes its last value, as Thrift readers do: the object is then rewritten from the
    /// struct's start with `lastOccurrence` (field position -> ordinal of its last header), a rare slow path that
    /// keeps the common one free of bookkeeping.
    package mutating func structValue<Reader: ThriftReading>(
        _ type: ThriftStructDescriptor, _ reader: inout Reader, depth: Int, lastOccurrence: [Int: Int]? = nil
    ) throws(CodecError) {
        guard depth < maxDepth else { throw .depthExceeded(maxDepth, at: reader.position) }
        let start = reader.position
        let outputStart = writer.bytes.count
        let table = keys.structs[type.index]
        try reader.beginStruct()
        writer.beginObject()
        var seen = ThriftFieldPositions()
        var members = 0
        var ordinal = -1
        while true {
            let headerStart = reader.position
            guard let header = try reader.readFieldHeader() else { break }
            ordinal += 1
            let position = type.fieldPosition(id: header.id)
            if position < 0 || (lastOccurrence != nil && lastOccurrence?[position] != ordinal) {
                try reader.skip(header.type, depth: depth + 1)
                continue
            }
            guard seen.insert(position) else {
                try reader.skip(header.type, depth: depth + 1)
                writer.bytes.removeSubrange(outputStart...)
                var rewrite = Reader(base: reader.base, range: start..<reader.end, maxDepth: reader.maxDepth)
                try structValue(
                    type, &rewrite, depth: depth,
                    lastOccurrence: try lastOccurrences(type, rewrite, depth: depth))
                reader.position = rewrite.position
                reader.endStruct()
                return
            }
            let field = type.fields[position]
            guard header.type == field.type.wireType else {
                throw CodecError(
                    .invalidWireType,
                    "field '\(field.name)' is \(field.declaredTypeName) but has wire type \(header.type)",
                    offset: headerStart, path: table.pathSteps[position])
            }
            if members > 0 { writer.comma() }
            members += 1
            writer.raw(table.quotedKeys[position])
            do {
                try value(field.type, jsConv: table.jsConv[position], &reader, depth: depth + 1)
            } catch {
                throw error.under(table.pathSteps[position])
            }
        }
        reader.endStruct()
        if type.kind == .union {
            guard members == 1 else {
                throw CodecError(
                    .invalidValue, "union \(type.name) has \(members) members set; exactly one is required",
                    offset: start)
            }
        } else if options.fillsAnyAbsent {
            try writeAbsentFields(type, table, present: seen, members: members, depth: depth)
        }
        writer.endObject()
    }

    /// For each known field, the ordinal of its last header in the struct at the reader.
    package func lastOccurrences<Reader: ThriftReading>(_ type: ThriftStructDescriptor, _ reader: Reader, depth: Int)
        throws(CodecError) -> [Int: Int]
    {
        var scan = reader
        var last: [Int: Int] = [:]
        var ordinal = 0
        try scan.beginStruct()
        while let header = try scan.readFieldHeader() {
            let position = type.fieldPosition(id: header.id)
            if position >= 0 { last[position] = ordinal }
            try scan.skip(header.type, depth: depth + 1)
            ordinal += 1
        }
        return last
    }

    /// Writes the fields the options ask for that the struct lacks, with their IDL defaults or zero values.
    ///
    /// A struct's zero value is filled in turn, except when its type is one whose absent fields are already being
    /// filled further out: then it is written as it is (the struct freshly constructed, its IDL defaults and
    /// required fields), as JSON -> Thrift writes it. Filling it again would never end for a type that holds
    /// itself (`struct Node { 1: Node next }`).
    package mutating func writeAbsentFields(
        _ type: ThriftStructDescriptor, _ table: ThriftJSONStructKeys, present: ThriftFieldPositions, members: Int,
        depth: Int
    ) throws(CodecError) {
        var members = members
        let defaults = ThriftDefaultValues<ThriftBinaryWriter>(schema: schema, maxDepth: maxDepth)
        fillPath.append(type.index)
        defer { fillPath.removeLast() }
        for (position, field) in type.fields.enumerated()
        where !present.contains(position) && options.fillsAbsent(field.requiredness) {
            if members > 0 { writer.comma() }
            members += 1
            writer.raw(table.quotedKeys[position])
            let filling = options
            if case .struct(let index) = field.type, fillPath.contains(index) {
                options.writeDefault = false
                options.writeRequired = false
                options.writeOptional = false
            }
            defer { options = filling }
            do {
                var encoded = ThriftBinaryWriter()
                try defaults.write(field.defaultValue, as: field.type, into: &encoded, depth: depth + 1)
                try encoded.bytes.withCodecBytes { (buffer) throws(CodecError) in
                    var reader = ThriftBinaryReader(
                        base: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!, range: 0..<buffer.count,
                        maxDepth: maxDepth)
                    try value(field.type, jsConv: table.jsConv[position], &reader, depth: depth + 1)
                }
            } catch {
                throw error.under(table.pathSteps[position])
            }
        }
    }

    /// Reads one value of `type` and writes its JSON.
    package mutating func value<Reader: ThriftReading>(
        _ type: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        switch type {
        case .bool: writer.bool(try reader.readBool())
        case .byte: integer(Int64(try reader.readByte()), quoted: jsConv)
        case .i16: integer(Int64(try reader.readI16()), quoted: jsConv)
        case .i32: integer(Int64(try reader.readI32()), quoted: jsConv)
        case .i64: integer(try reader.readI64(), quoted: jsConv || options.int64AsString)
        case .enum(let index):
            let number = try reader.readI32()
            if options.enumsAsNames, let name = schema.enums[index].name(of: number) {
                writer.string(name)
            } else {
                writer.signed(Int64(number))
            }
        case .double:
            let number = try reader.readDouble()
            if jsConv && number.isFinite {
                writer.byte(UInt8(ascii: "\""))
                writer.double(number)
                writer.byte(UInt8(ascii: "\""))
            } else {
                writer.double(number)
            }
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
        case .struct(let index):
            try structValue(schema.structs[index], &reader, depth: depth)
        case .list(let element), .set(let element):
            try list(element, jsConv: jsConv, &reader, depth: depth)
        case .map(let key, let mapValue):
            try map(key: key, value: mapValue, jsConv: jsConv, &reader, depth: depth)
        }
    }

    @inline(__always)
    package mutating func integer(_ number: Int64, quoted: Bool) {
        if quoted {
            writer.byte(UInt8(ascii: "\""))
            writer.signed(number)
            writer.byte(UInt8(ascii: "\""))
        } else {
            writer.signed(number)
        }
    }

    /// A string (or binary written as text): its bytes must be UTF-8.
    package mutating func text<Reader: ThriftReading>(_ reader: inout Reader) throws(CodecError) {
        let start = reader.position
        let range = try reader.readBinary()
        let bytes = UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count)
        guard UTF8Validation.isValid(bytes) else {
            throw CodecError(.invalidUTF8, "string holds invalid UTF-8", offset: start)
        }
        writer.string(utf8: bytes)
    }

    package mutating func list<Reader: ThriftReading>(
        _ element: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        guard depth < maxDepth else { throw .depthExceeded(maxDepth, at: reader.position) }
        let headerStart = reader.position
        let header = try reader.readListHeader()
        guard header.count == 0 || header.element == element.wireType else {
            throw CodecError(
                .invalidWireType, "list elements should be \(element.wireType), found \(header.element)",
                offset: headerStart)
        }
        writer.beginArray()
        for index in 0..<header.count {
            if index > 0 { writer.comma() }
            do {
                try value(element, jsConv: jsConv, &reader, depth: depth + 1)
            } catch {
                throw error.under("[\(index)]")
            }
        }
        writer.endArray()
    }
}

extension ThriftType {
    /// Whether map keys of this type cannot be JSON object keys: such maps are arrays of {"key", "value"} pairs.
    package var needsPairForm: Bool {
        switch self {
        case .struct, .list, .set, .map: true
        default: false
        }
    }
}
