/// Conversion between proto3 canonical JSON and Protobuf binary, streaming in one pass each way.
public enum ProtoJSON {
    /// Converts JSON text to the binary encoding of `type`. Lengths of nested messages are back-patched as they
    /// close; nothing but the output buffer is built.
    public static func decode(
        _ json: [UInt8], as type: ProtoMessageDescriptor, schema: ProtoSchema,
        options: ProtoJSONOptions = ProtoJSONOptions()
    ) throws(CodecError) -> [UInt8] {
        try json.withCodecBytes { (buffer) throws(CodecError) in
            var decoder = ProtoJSONDecoder(schema: schema, options: options, buffer: buffer)
            decoder.out.reserveCapacity(json.count)
            try decoder.message(type)
            try decoder.scanner.expectEnd()
            guard decoder.out.count <= options.limits.maxMessageSize else {
                throw CodecError(.sizeLimitExceeded, "result exceeds \(options.limits.maxMessageSize) bytes")
            }
            return decoder.out
        }
    }

    /// Converts the binary encoding of `type` to JSON text.
    public static func encode(
        _ bytes: [UInt8], as type: ProtoMessageDescriptor, schema: ProtoSchema,
        options: ProtoJSONOptions = ProtoJSONOptions()
    ) throws(CodecError) -> [UInt8] {
        try ProtoValue(bytes: bytes, descriptor: type, schema: schema, limits: options.limits).json(options: options)
    }
}

/// Reads JSON with ``JSONScanner`` and writes Protobuf binary, driven by descriptors.
package struct ProtoJSONDecoder {
    package let schema: ProtoSchema
    package let options: ProtoJSONOptions
    package var scanner: JSONScanner
    package var out: [UInt8] = []
    /// Keys of the maps being read, a segment per nesting level; reused across maps to find duplicates.
    package var mapKeys: [String] = []

    package init(schema: ProtoSchema, options: ProtoJSONOptions, buffer: UnsafeRawBufferPointer) {
        self.schema = schema
        self.options = options
        scanner = JSONScanner(buffer, maxDepth: options.limits.maxDepth)
    }

    @inline(never)
    package func invalid(_ message: String, at offset: Int? = nil) -> CodecError {
        CodecError(.invalidValue, message, offset: offset ?? scanner.position)
    }

    /// Reads a JSON object into the fields of `type` (appended to `out`, no enclosing tag or length).
    package mutating func message(_ type: ProtoMessageDescriptor) throws(CodecError) {
        if let wellKnown = ProtoWellKnownType(type.fullName) {
            try self.wellKnown(wellKnown, type)
            return
        }
        try fields(of: type, skippingKey: nil)
    }

    /// The members of a JSON object as fields of `type`; `skippingKey` is ignored (Any's "@type").
    package mutating func fields(of type: ProtoMessageDescriptor, skippingKey: String?) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for \(type.fullName)")
        let objectStart = scanner.position
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        if scanner.consume(UInt8(ascii: "}")) { return }
        var seen = FieldSet()
        var oneofsSet = FieldSet()
        repeat {
            let keyToken = try scanner.readString()
            try scanner.expect(UInt8(ascii: ":"))
            let field = try scanner.withBytes(of: keyToken) { (key) throws(CodecError) in type.field(key: key) }
            guard let field else {
                let key = scanner.string(of: keyToken)
                if key == skippingKey || options.ignoreUnknownFields {
                    try scanner.skipValue()
                    continue
                }
                throw CodecError(.unknownField, "\(type.fullName) has no field '\(key)'", offset: keyToken.offset,
                                 path: key)
            }
            guard seen.insert(field.number) else {
                throw invalid("field '\(field.name)' appears twice", at: keyToken.offset).under(field.jsonName)
            }
            do throws(CodecError) {
                if try scanner.consumeNull() {
                    // null means unset, except where null is itself a value.
                    if !field.isRepeated { writeNullValue(field) }
                    continue
                }
                if let oneof = field.oneofIndex, !type.oneofs[oneof].isSynthetic {
                    guard oneofsSet.insert(oneof) else {
                        throw invalid("several members of oneof '\(type.oneofs[oneof].name)' are set",
                                      at: keyToken.offset)
                    }
                }
                try value(of: field)
            } catch {
                throw error.under(field.jsonName)
            }
        } while scanner.consume(UInt8(ascii: ","))
        guard scanner.consume(UInt8(ascii: "}")) else {
            throw CodecError(.invalidJSON, "expected ',' or '}' in the object starting at byte \(objectStart)",
                             offset: scanner.position)
        }
    }

    /// A field's JSON value: a list, a map, or one value.
    package mutating func value(of field: ProtoFieldDescriptor) throws(CodecError) {
        if field.isMap {
            try mapValue(field)
        } else if field.isRepeated {
            try expectKind(UInt8(ascii: "["), "a JSON array")
            scanner.position += 1
            try scanner.enter()
            defer { scanner.leave() }
            if scanner.consume(UInt8(ascii: "]")) { return }
            let blockStart = out.count
            var payload = 0
            if field.isPacked {
                out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
                payload = out.beginLength()
            }
            var index = 0
            repeat {
                do throws(CodecError) {
                    scanner.skipWhitespace()
                    let elementStart = scanner.position
                    if try scanner.consumeNull() {
                        guard writeNullValue(field) else { throw invalid("a list element cannot be null", at: elementStart) }
                    } else if field.isPacked {
                        try scalar(field, field.type)
                    } else {
                        try tagged(field)
                    }
                } catch {
                    throw error.under("[\(index)]")
                }
                index += 1
            } while scanner.consume(UInt8(ascii: ","))
            if field.isPacked {
                if out.count == payload {
                    out.removeSubrange(blockStart...)  // Every element was an ignored enum name.
                } else {
                    out.endLength(payload)
                }
            }
            try scanner.expect(UInt8(ascii: "]"))
        } else if field.hasPresence || field.isMessage {
            try tagged(field)
        } else {
            // A field without presence holding its zero value (0, false, "", empty bytes, +0.0) is left out, as
            // protobuf runtimes serialise it: the output stays canonical, and its JSON is the JSON read.
            let tagStart = out.count
            guard try tagged(field) else { return }
            let valueStart = tagStart + ProtoVarint.size(ProtoVarint.tag(field.number, field.wireType))
            if out[valueStart...].allSatisfy({ $0 == 0 }) { out.removeSubrange(tagStart...) }
        }
    }

    /// One tagged value of `field` (a message, or a scalar). Returns false when nothing was written (an unknown
    /// enum name skipped under `ignoreUnknownFields`).
    @discardableResult
    package mutating func tagged(_ field: ProtoFieldDescriptor) throws(CodecError) -> Bool {
        if field.isMessage {
            let type = schema.messages[field.messageIndex]
            if field.type == .group {
                out.appendVarint(ProtoVarint.tag(field.number, .startGroup))
                try message(type)
                out.appendVarint(ProtoVarint.tag(field.number, .endGroup))
                return true
            }
            out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
            let payload = out.beginLength()
            try message(type)
            out.endLength(payload)
            return true
        }
        let tagStart = out.count
        out.appendVarint(ProtoVarint.tag(field.number, field.wireType))
        if try !scalar(field, field.type) {
            out.removeSubrange(tagStart...)
            return false
        }
        return true
    }

    /// Writes the value JSON null stands for in `field` (google.protobuf.Value's null, NullValue's 0); returns
    /// false for fields where null has no value.
    @discardableResult
    package mutating func writeNullValue(_ field: ProtoFieldDescriptor) -> Bool {
        if field.typeName == "google.protobuf.Value" {
            out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
            out.append(contentsOf: [2, 0x08, 0x00])
            return true
        }
        if field.typeName == "google.protobuf.NullValue" {
            if field.isPacked {
                out.append(0)  // Inside the packed block being written.
            } else {
                out.appendVarint(ProtoVarint.tag(field.number, .varint))
                out.append(0)
            }
            return true
        }
        return false
    }

    /// Fails with TYPE_MISMATCH when the next value is valid JSON of another kind, INVALID_JSON when it is not JSON.
    package mutating func expectKind(_ opening: UInt8, _ what: String) throws(CodecError) {
        let next = try scanner.peek()
        guard next != opening else { return }
        throw wrongKind(next, what)
    }

    package func wrongKind(_ next: UInt8, _ what: String) -> CodecError {
        switch next {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "-"), 0x30...0x39:
            return CodecError(.typeMismatch, "expected \(what)", offset: scanner.position)
        default:
            return CodecError(.invalidJSON, "unexpected character at byte \(scanner.position)", offset: scanner.position)
        }
    }

    package mutating func mapValue(_ field: ProtoFieldDescriptor) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for a map")
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        if scanner.consume(UInt8(ascii: "}")) { return }
        let keyField = field.mapKey!
        let valueField = field.mapValue!
        let keysStart = mapKeys.count
        defer { mapKeys.removeSubrange(keysStart...) }
        repeat {
            let keyToken = try scanner.readString()
            let key = scanner.string(of: keyToken)
            try scanner.expect(UInt8(ascii: ":"))
            do throws(CodecError) {
                guard !mapKeys[keysStart...].contains(key) else {
                    throw invalid("map key '\(key)' appears twice", at: keyToken.offset)
                }
                mapKeys.append(key)
                let entryStart = out.count
                out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
                let payload = out.beginLength()
                out.appendVarint(ProtoVarint.tag(1, keyField.wireType))
                try mapKey(key, keyField, at: keyToken.offset)
                scanner.skipWhitespace()
                let valueStart = scanner.position
                var written = true
                if try scanner.consumeNull() {
                    guard writeNullValue(valueField) else { throw invalid("a map value cannot be null", at: valueStart) }
                } else {
                    written = try tagged(valueField)
                }
                if written {
                    out.endLength(payload)
                } else {
                    out.removeSubrange(entryStart...)  // An unknown enum value drops its entry.
                }
            } catch {
                throw error.under("[\"\(key)\"]")
            }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
    }

    /// Encodes a map key given as a JSON object key string.
    package mutating func mapKey(_ key: String, _ field: ProtoFieldDescriptor, at offset: Int) throws(CodecError) {
        let scalar: ProtoScalar
        switch field.type {
        case .string: scalar = .string(key)
        case .bool:
            guard key == "true" || key == "false" else { throw invalid("map key '\(key)' is not a bool", at: offset) }
            scalar = .bool(key == "true")
        case .uint32, .uint64, .fixed32, .fixed64:
            guard let number = UInt64(key) else { throw invalid("map key '\(key)' is not an unsigned integer", at: offset) }
            scalar = .uint64(number)
        default:
            guard let number = Int64(key) else { throw invalid("map key '\(key)' is not an integer", at: offset) }
            scalar = .int64(number)
        }
        do throws(CodecError) {
            try scalar.encode(as: field.type, into: &out)
        } catch {
            throw invalid("map key '\(key)' is out of range for \(field.type.protoName)", at: offset)
        }
    }

    /// Reads one scalar of `type` and appends its encoding (no tag). Returns false when an unknown enum name was
    /// skipped because unknown values are ignored.
    @discardableResult
    package mutating func scalar(_ field: ProtoFieldDescriptor, _ type: ProtoFieldType) throws(CodecError) -> Bool {
        let next = try scanner.peek()
        let start = scanner.position
        switch type {
        case .string, .bytes:
            guard next == UInt8(ascii: "\"") else { throw wrongKind(next, "a string") }
        case .bool:
            guard next == UInt8(ascii: "t") || next == UInt8(ascii: "f") else { throw wrongKind(next, "true or false") }
        case .enum:
            guard next == UInt8(ascii: "\"") || next == UInt8(ascii: "-") || (0x30...0x39).contains(next) else {
                throw wrongKind(next, "an enum name or number")
            }
        default:
            guard next == UInt8(ascii: "\"") || next == UInt8(ascii: "-") || (0x30...0x39).contains(next) else {
                throw wrongKind(next, "a number")
            }
        }
        switch type {
        case .string:
            let token = try scanner.readString()
            try scanner.withBytes(of: token) { (text) throws(CodecError) in
                out.appendVarint(UInt64(text.count))
                out.append(contentsOf: text)
            }
        case .bytes:
            let token = try scanner.readString()
            let decoded = try scanner.withBytes(of: token) { (text) throws(CodecError) in Base64.decode(text) }
            guard let decoded else { throw invalid("not valid base64", at: token.offset) }
            out.appendVarint(UInt64(decoded.count))
            out.append(contentsOf: decoded)
        case .bool:
            out.append(try scanner.readBool() ? 1 : 0)
        case .float, .double:
            let value = try floating(at: start)
            if type == .float {
                // Values that round to a finite float are fine (3.4028235e38 is the largest float, written rounded).
                guard value.isNaN || value.isInfinite || !Float(value).isInfinite else {
                    throw invalid("\(value) is out of range for float", at: start)
                }
                withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { out.append(contentsOf: $0) }
            } else {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        case .enum:
            let enumType = schema.enums[field.enumIndex]
            if try scanner.peek() == UInt8(ascii: "\"") {
                let token = try scanner.readString()
                let name = scanner.string(of: token)
                guard let number = enumType.number(named: name) else {
                    if options.ignoreUnknownFields { return false }
                    throw invalid("'\(name)' is not a value of \(enumType.fullName)", at: token.offset)
                }
                out.appendVarint(UInt64(bitPattern: Int64(number)))
            } else {
                let number = try integer(at: start)
                guard let value = Int32(exactly: number) else {
                    throw invalid("\(number) is out of range for an enum", at: start)
                }
                if enumType.isClosed && enumType.name(of: value) == nil {
                    if options.ignoreUnknownFields { return false }
                    throw invalid("\(value) is not a value of the closed enum \(enumType.fullName)", at: start)
                }
                out.appendVarint(UInt64(bitPattern: Int64(value)))
            }
        case .uint32, .uint64, .fixed32, .fixed64:
            let value = try unsigned(at: start)
            do throws(CodecError) {
                try ProtoScalar.uint64(value).encode(as: type, into: &out)
            } catch {
                throw invalid("\(value) is out of range for \(type.protoName)", at: start)
            }
        case .int32, .sint32, .sfixed32, .int64, .sint64, .sfixed64:
            let value = try integer(at: start)
            do throws(CodecError) {
                try ProtoScalar.int64(value).encode(as: type, into: &out)
            } catch {
                throw invalid("\(value) is out of range for \(type.protoName)", at: start)
            }
        case .message, .group:
            throw invalid("message values are not scalars")
        }
        return true
    }

    /// The text of a number given as a JSON number or a JSON string.
    package mutating func numberText(at start: Int) throws(CodecError) -> String {
        if try scanner.peek() == UInt8(ascii: "\"") {
            let text = scanner.string(of: try scanner.readString())
            guard !text.isEmpty, text.first != " ", text.last != " " else {
                throw invalid("'\(text)' is not a number", at: start)
            }
            return text
        }
        let token = try scanner.readNumberToken()
        return String(decoding: UnsafeRawBufferPointer(start: scanner.base + token.lowerBound, count: token.count),
                      as: UTF8.self)
    }

    package mutating func integer(at start: Int) throws(CodecError) -> Int64 {
        let text = try numberText(at: start)
        if !text.hasPrefix("+"), let value = Int64(text) { return value }
        // Exponent or fraction forms (1e3, 5.0) are accepted when they are exact integers in range.
        if Self.isJSONNumber(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(text),
            value == value.rounded(), let exact = Int64(exactly: value)
        {
            return exact
        }
        throw invalid("'\(text)' is not an integer in range", at: start)
    }

    package mutating func unsigned(at start: Int) throws(CodecError) -> UInt64 {
        let text = try numberText(at: start)
        if !text.hasPrefix("+"), let value = UInt64(text) { return value }
        if Self.isJSONNumber(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(text),
            value == value.rounded(), let exact = UInt64(exactly: value)
        {
            return exact
        }
        throw invalid("'\(text)' is not an unsigned integer in range", at: start)
    }

    /// Whether `text` follows the JSON number grammar (Swift's parsers also accept hex, "inf", "nan", "+1"...).
    package static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, (0x30...0x39).contains(first) else { return false }
        var index = bytes.startIndex
        func digits() -> Int {
            let begin = index
            while index < bytes.endIndex, (0x30...0x39).contains(bytes[index]) { index += 1 }
            return index - begin
        }
        if first == 0x30 { index += 1 } else { _ = digits() }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.endIndex, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.endIndex
    }

    package mutating func floating(at start: Int) throws(CodecError) -> Double {
        if try scanner.peek() == UInt8(ascii: "\"") {
            let text = scanner.string(of: try scanner.readString())
            switch text {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default:
                guard Self.isJSONNumber(text), let value = Double(text), value.isFinite else {
                    throw invalid("'\(text)' is not a number", at: start)
                }
                return value
            }
        }
        let token = try scanner.readNumberToken()
        let text = String(decoding: UnsafeRawBufferPointer(start: scanner.base + token.lowerBound, count: token.count),
                          as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw invalid("'\(text)' is out of range", at: start) }
        return value
    }
}

/// A small set of non-negative integers: a bit mask below 64, a Set above.
package struct FieldSet {
    private var low: UInt64 = 0
    private var high: Set<Int> = []

    /// Inserts `value`; false if it was already there.
    package mutating func insert(_ value: Int) -> Bool {
        if value < 64 {
            let bit: UInt64 = 1 << UInt64(value)
            if low & bit != 0 { return false }
            low |= bit
            return true
        }
        return high.insert(value).inserted
    }
}

extension Array where Element == UInt8 {
    /// Reserves one byte for a length prefix; returns the payload start for ``endLength(_:)``.
    @inline(__always)
    package mutating func beginLength() -> Int {
        append(0)
        return count
    }

    /// Writes the length of the payload that started at `payloadStart`, widening the prefix if needed.
    @inline(__always)
    package mutating func endLength(_ payloadStart: Int) {
        let length = count - payloadStart
        if length < 0x80 {
            self[payloadStart - 1] = UInt8(length)
            return
        }
        // Widen the one reserved byte in place: shift the payload once, then write the varint.
        let size = ProtoVarint.size(UInt64(length))
        insert(contentsOf: repeatElement(0, count: size - 1), at: payloadStart)
        var remaining = UInt64(length)
        var index = payloadStart - 1
        while remaining >= 0x80 {
            self[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
            remaining >>= 7
            index += 1
        }
        self[index] = UInt8(remaining)
    }
}

/// Base64 decoding accepting the standard and URL-safe alphabets, with or without padding.
package enum Base64 {
    package static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    package static func decode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var count = text.count
        while count > 0 && text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        let padding = text.count - count
        // Unpadded is fine; padded input must be whole 4-character groups.
        guard padding <= 2, count % 4 != 1, padding == 0 || text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for index in 0..<count {
            let value = table[Int(text[index])]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
