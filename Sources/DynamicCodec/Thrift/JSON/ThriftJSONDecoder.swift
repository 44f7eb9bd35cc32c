/// Reads JSON with ``JSONScanner`` and writes Thrift (binary or compact) as keys arrive, driven by descriptors.
///
/// Nothing but the output is built: containers get their headers reserved and their counts patched in when they
/// close; fields the JSON lacks are written at the end of their struct when the options ask for them.
package struct ThriftJSONDecoder<Writer: ThriftCountPatching> {
    package let schema: ThriftSchema
    package let keys: ThriftJSONKeyTable
    package let options: ThriftJSONOptions
    package let defaults: ThriftDefaultValues<Writer>
    package var scanner: JSONScanner
    package var writer: Writer

    package init(schema: ThriftSchema, options: ThriftJSONOptions, buffer: UnsafeRawBufferPointer, writer: Writer) {
        self.schema = schema
        self.options = options
        keys = ThriftJSONKeyTable.of(schema)
        defaults = ThriftDefaultValues(schema: schema, maxDepth: options.limits.maxDepth)
        scanner = JSONScanner(buffer, maxDepth: options.limits.maxDepth)
        self.writer = writer
    }

    /// Reads a JSON object into a struct of `type` (fields and STOP).
    package mutating func structValue(_ type: ThriftStructDescriptor) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for \(type.name)")
        let objectStart = scanner.position
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        writer.beginStruct()
        let table = keys.structs[type.index]
        var seen = ThriftFieldPositions()
        var written = ThriftFieldPositions()
        var members = 0
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let keyToken = try scanner.readString()
                try scanner.expect(UInt8(ascii: ":"))
                let found = try scanner.withBytes(of: keyToken) { (key) throws(CodecError) in table.position(of: key) }
                guard let position = found else {
                    if options.ignoreUnknownFields {
                        try scanner.skipValue()
                        continue
                    }
                    let key = scanner.string(of: keyToken)
                    throw CodecError(
                        .unknownField, "\(type.name) has no field '\(key)'", offset: keyToken.offset,
                        path: ThriftJSONStructKeys.pathStep(key))
                }
                let key = table.pathSteps[position]
                guard seen.insert(position) else {
                    throw CodecError(
                        .invalidValue, "field '\(table.keys[position])' appears twice", offset: keyToken.offset,
                        path: key)
                }
                do throws(CodecError) {
                    if try scanner.consumeNull() { continue }  // null: the field is absent
                    if type.kind == .union {
                        members += 1
                        guard members == 1 else {
                            throw CodecError(
                                .invalidValue, "several members of union \(type.name) are set",
                                offset: keyToken.offset)
                        }
                    }
                    try field(type.fields[position], jsConv: table.jsConv[position])
                    _ = written.insert(position)
                } catch {
                    throw error.under(key)
                }
            } while scanner.consume(UInt8(ascii: ","))
            guard scanner.consume(UInt8(ascii: "}")) else {
                throw CodecError(
                    .invalidJSON, "expected ',' or '}' in the object starting at byte \(objectStart)",
                    offset: scanner.position)
            }
        }
        if type.kind == .union {
            guard members == 1 else {
                throw CodecError(
                    .invalidValue, "union \(type.name) needs exactly one member, found none",
                    offset: objectStart)
            }
        } else if options.fillsAnyAbsent || !type.requiredFieldIds.isEmpty {
            try writeAbsentFields(type, table, written: written, at: objectStart)
        }
        writer.writeStop()
        writer.endStruct()
    }

    /// Required fields the JSON lacks fail (unless `writeRequired`); the options decide which others are written.
    package mutating func writeAbsentFields(
        _ type: ThriftStructDescriptor, _ table: ThriftJSONStructKeys, written: ThriftFieldPositions, at offset: Int
    ) throws(CodecError) {
        for (position, field) in type.fields.enumerated() where !written.contains(position) {
            guard options.fillsAbsent(field.requiredness) else {
                if field.requiredness == .required {
                    throw CodecError(
                        .missingRequiredField,
                        "required field '\(table.keys[position])' of \(type.name) is missing",
                        offset: offset, path: table.pathSteps[position])
                }
                continue
            }
            do throws(CodecError) {
                try defaults.writeField(field, into: &writer, depth: scanner.depth)
            } catch {
                throw CodecError(error.code, error.message, offset: offset, path: error.path).under(
                    table.pathSteps[position])
            }
        }
    }

    /// A field's header and value.
    package mutating func field(_ field: ThriftFieldDescriptor, jsConv: Bool) throws(CodecError) {
        if field.type == .bool {
            writer.writeBoolField(id: field.id, value: try boolean())
        } else {
            writer.writeFieldHeader(field.type.wireType, id: field.id)
            try value(field.type, jsConv: jsConv)
        }
    }

    /// One value of `type` (no field header).
    package mutating func value(_ type: ThriftType, jsConv: Bool) throws(CodecError) {
        switch type {
        case .bool: writer.writeBool(try boolean())
        case .byte: writer.writeByte(Int8(truncatingIfNeeded: try integer(type, jsConv: jsConv)))
        case .i16: writer.writeI16(Int16(truncatingIfNeeded: try integer(type, jsConv: jsConv)))
        case .i32: writer.writeI32(Int32(truncatingIfNeeded: try integer(type, jsConv: jsConv)))
        case .i64: writer.writeI64(try integer(type, jsConv: jsConv))
        case .double: writer.writeDouble(try double(jsConv: jsConv))
        case .enum(let index): writer.writeI32(try enumValue(schema.enums[index], jsConv: jsConv))
        case .string: try string()
        case .binary: try binary()
        case .uuid: try uuid()
        case .struct(let index): try structValue(schema.structs[index])
        case .list(let element), .set(let element): try list(element, jsConv: jsConv)
        case .map(let key, let mapValue):
            if key.needsPairForm {
                try pairs(key: key, value: mapValue, jsConv: jsConv)
            } else {
                try object(key: key, value: mapValue, jsConv: jsConv)
            }
        }
    }

    package mutating func list(_ element: ThriftType, jsConv: Bool) throws(CodecError) {
        try expectKind(UInt8(ascii: "["), "a JSON array")
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        let header = writer.reserveListHeader(element.wireType)
        var count = 0
        if !scanner.consume(UInt8(ascii: "]")) {
            repeat {
                do throws(CodecError) {
                    try value(element, jsConv: jsConv)
                } catch {
                    throw error.under("[\(count)]")
                }
                count += 1
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"))
        }
        writer.patchListHeader(at: header, element: element.wireType, count: count)
    }

    /// Fails with TYPE_MISMATCH when the next value is valid JSON of another kind, INVALID_JSON when it is not JSON.
    package mutating func expectKind(_ opening: UInt8, _ what: @autoclosure () -> String) throws(CodecError) {
        let next = try scanner.peek()
        guard next != opening else { return }
        throw wrongKind(next, what())
    }

    package func wrongKind(_ next: UInt8, _ what: String) -> CodecError {
        switch next {
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            // A misspelled literal is not JSON at all.
            var probe = scanner
            let word: StaticString = next == UInt8(ascii: "t") ? "true" : next == UInt8(ascii: "f") ? "false" : "null"
            if (try? probe.literal(word)) == nil {
                return CodecError(.invalidJSON, "invalid literal at byte \(scanner.position)", offset: scanner.position)
            }
            return CodecError(.typeMismatch, "expected \(what), found \(Self.kindName(next))", offset: scanner.position)
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), 0x30...0x39:
            return CodecError(.typeMismatch, "expected \(what), found \(Self.kindName(next))", offset: scanner.position)
        default:
            return CodecError(
                .invalidJSON, "unexpected character at byte \(scanner.position)", offset: scanner.position)
        }
    }

    package static func kindName(_ next: UInt8) -> String {
        switch next {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a bool"
        case UInt8(ascii: "n"): "null"
        default: "a number"
        }
    }
}

/// Conversion between JSON and Thrift structs in either protocol, streaming in one pass each way.
///
/// JSON keys are field names or their aliases (`api.key`, or the name of a `go.tag` json tag); i64 values are
/// numbers (strings with `api.js_conv` or ``ThriftJSONOptions/int64AsString``); binary is base64; enums are
/// numbers; maps with string, number, bool or enum keys are objects, maps with struct or container keys are arrays
/// of `{"key": k, "value": v}` pairs; a union is an object with exactly one member.
public enum ThriftJSON {
    /// Converts JSON text to a struct of `type` in `encoding`. Errors carry the JSON byte offset and field path.
    public static func decode(
        _ json: [UInt8], as type: ThriftStructDescriptor, schema: ThriftSchema, encoding: ThriftProtocol = .binary,
        options: ThriftJSONOptions = ThriftJSONOptions()
    ) throws(CodecError) -> [UInt8] {
        try decode(json, as: type, schema: schema, encoding: encoding, options: options, wrappedIn: nil)
    }

    /// Converts JSON text to a struct of `type` written as field `fieldID` of an outer struct (a method's
    /// arguments struct: `{fieldID: struct}` and its stop), in one pass with no copy of the inner struct.
    public static func decode(
        _ json: [UInt8], as type: ThriftStructDescriptor, schema: ThriftSchema, encoding: ThriftProtocol,
        options: ThriftJSONOptions, wrappedIn fieldID: Int16?
    ) throws(CodecError) -> [UInt8] {
        guard json.count <= options.limits.maxMessageSize else {
            throw CodecError(
                .sizeLimitExceeded, "JSON of \(json.count) bytes exceeds the limit of \(options.limits.maxMessageSize)")
        }
        return try json.withCodecBytes { (buffer) throws(CodecError) in
            switch encoding {
            case .binary: try run(ThriftBinaryWriter(), buffer, type, schema, options, wrappedIn: fieldID)
            case .compact: try run(ThriftCompactWriter(), buffer, type, schema, options, wrappedIn: fieldID)
            }
        }
    }

    package static func run<Writer: ThriftCountPatching>(
        _ writer: Writer, _ buffer: UnsafeRawBufferPointer, _ type: ThriftStructDescriptor, _ schema: ThriftSchema,
        _ options: ThriftJSONOptions, wrappedIn fieldID: Int16? = nil
    ) throws(CodecError) -> [UInt8] {
        var decoder = ThriftJSONDecoder(schema: schema, options: options, buffer: buffer, writer: writer)
        decoder.writer.bytes.reserveCapacity(buffer.count + 8)
        if let fieldID {
            decoder.writer.beginStruct()
            decoder.writer.writeFieldHeader(.struct, id: fieldID)
        }
        try decoder.structValue(type)
        try decoder.scanner.expectEnd()
        if fieldID != nil {
            decoder.writer.writeStop()
            decoder.writer.endStruct()
        }
        guard decoder.writer.bytes.count <= options.limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "result exceeds \(options.limits.maxMessageSize) bytes")
        }
        return decoder.writer.bytes
    }

    /// Converts a struct of `type` in `encoding` to JSON text. Fields the descriptor lacks are dropped; errors
    /// carry the Thrift byte offset and field path.
    public static func encode(
        _ bytes: [UInt8], as type: ThriftStructDescriptor, schema: ThriftSchema, encoding: ThriftProtocol = .binary,
        options: ThriftJSONOptions = ThriftJSONOptions()
    ) throws(CodecError) -> [UInt8] {
        try encode(bytes, range: 0..<bytes.count, as: type, schema: schema, encoding: encoding, options: options)
    }

    package static func encode(
        _ bytes: [UInt8], range: Range<Int>, as type: ThriftStructDescriptor, schema: ThriftSchema,
        encoding: ThriftProtocol, options: ThriftJSONOptions
    ) throws(CodecError) -> [UInt8] {
        guard range.count <= options.limits.maxMessageSize else {
            throw CodecError(
                .sizeLimitExceeded,
                "struct of \(range.count) bytes exceeds the limit of \(options.limits.maxMessageSize)")
        }
        var encoder = ThriftJSONEncoder(schema: schema, options: options, capacity: range.count * 2 + 16)
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
            switch encoding {
            case .binary:
                var reader = ThriftBinaryReader(base: base, range: range, maxDepth: options.limits.maxDepth)
                try encoder.structValue(type, &reader, depth: 0)
                try expectEnd(reader)
            case .compact:
                var reader = ThriftCompactReader(base: base, range: range, maxDepth: options.limits.maxDepth)
                try encoder.structValue(type, &reader, depth: 0)
                try expectEnd(reader)
            }
        }
        return encoder.writer.bytes
    }

    package static func expectEnd<Reader: ThriftReading>(_ reader: Reader) throws(CodecError) {
        guard reader.position == reader.end else {
            throw CodecError(
                .invalidValue, "\(reader.end - reader.position) bytes follow the struct",
                offset: reader.position)
        }
    }
}

extension ThriftValue {
    /// The struct as JSON (``ThriftJSON`` conventions), converted in one pass over the bytes. Fields the descriptor
    /// lacks are dropped.
    public func json(options: ThriftJSONOptions = ThriftJSONOptions()) throws(CodecError) -> [UInt8] {
        try ThriftJSON.encode(
            storage, range: range, as: descriptor, schema: schema, encoding: encoding, options: options)
    }
}
