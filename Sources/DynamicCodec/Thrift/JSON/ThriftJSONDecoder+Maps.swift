/// Maps: JSON objects whose keys are converted to the key type, or arrays of {"key": k, "value": v} pairs for
/// struct and container keys.
extension ThriftJSONDecoder {
    package mutating func object(key: ThriftType, value valueType: ThriftType, jsConv: Bool) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a JSON object for a map")
        let objectStart = scanner.position
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        let header = writer.reserveMapHeader(key: key.wireType, value: valueType.wireType)
        var count = 0
        var seen = ThriftEncodedKeySet()
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let keyToken = try scanner.readString()
                let keyStart = writer.bytes.count
                do throws(CodecError) {
                    try mapKey(key, keyToken)
                    guard seen.insert(keyStart..<writer.bytes.count, of: writer.bytes) else {
                        throw CodecError(.invalidValue, "map key appears twice", offset: keyToken.offset)
                    }
                    try scanner.expect(UInt8(ascii: ":"))
                    try value(valueType, jsConv: jsConv)
                } catch {
                    throw error.under(keyStep(keyToken, key))
                }
                count += 1
            } while scanner.consume(UInt8(ascii: ","))
            guard scanner.consume(UInt8(ascii: "}")) else {
                throw CodecError(
                    .invalidJSON, "expected ',' or '}' in the object starting at byte \(objectStart)",
                    offset: scanner.position)
            }
        }
        writer.patchMapHeader(at: header, key: key.wireType, value: valueType.wireType, count: count)
    }

    /// A map key as a path step: `["text"]` for string-like keys, `[15]` for the others. Read again from the input,
    /// since the scanner's scratch buffer may have been reused since.
    package func keyStep(_ token: JSONScanner.StringToken, _ type: ThriftType) -> String {
        var again = scanner
        again.position = token.offset
        guard let reread = try? again.readString() else { return "[]" }
        let key = again.string(of: reread)
        switch type {
        case .string, .binary, .uuid:
            var writer = JSONWriter(capacity: key.utf8.count + 4)
            writer.byte(UInt8(ascii: "["))
            writer.string(key)
            writer.byte(UInt8(ascii: "]"))
            return String(decoding: writer.bytes, as: UTF8.self)
        default:
            return "[\(key)]"
        }
    }

    /// Writes the map key `token` holds as a `type`.
    package mutating func mapKey(_ type: ThriftType, _ token: JSONScanner.StringToken) throws(CodecError) {
        let offset = token.offset
        switch type {
        case .string:
            try scanner.withBytes(of: token) { writer.writeBinary($0) }
        case .binary:
            if options.binaryAsString {
                try scanner.withBytes(of: token) { writer.writeBinary($0) }
                return
            }
            guard let decoded = try scanner.withBytes(of: token, { Base64.decode($0) }) else {
                throw CodecError(.invalidValue, "map key is not valid base64", offset: offset)
            }
            decoded.withUnsafeBytes { writer.writeBinary($0) }
        case .uuid:
            guard let bytes = try scanner.withBytes(of: token, { ThriftUUIDText.parse(Array($0)) }) else {
                throw CodecError(.invalidValue, "map key is not a UUID", offset: offset)
            }
            bytes.withUnsafeBytes { writer.writeUUID($0) }
        case .bool:
            let flag = try scanner.withBytes(of: token) { (text) -> Bool? in
                Self.equals(text, "true") ? true : Self.equals(text, "false") ? false : nil
            }
            guard let flag else { throw CodecError(.invalidValue, "map key is not true or false", offset: offset) }
            writer.writeBool(flag)
        case .byte, .i16, .i32, .i64:
            let number = try integerKey(token, type)
            switch type {
            case .byte: writer.writeByte(Int8(truncatingIfNeeded: number))
            case .i16: writer.writeI16(Int16(truncatingIfNeeded: number))
            case .i32: writer.writeI32(Int32(truncatingIfNeeded: number))
            default: writer.writeI64(number)
            }
        case .enum(let index):
            let enumType = schema.enums[index]
            if let number = enumType.value(named: scanner.string(of: token)) {
                writer.writeI32(number)
            } else {
                writer.writeI32(Int32(truncatingIfNeeded: try integerKey(token, .i32)))
            }
        case .double:
            let number = try scanner.withBytes(of: token) { (text) -> Double? in
                if Self.equals(text, "NaN") { return .nan }
                if Self.equals(text, "Infinity") { return .infinity }
                if Self.equals(text, "-Infinity") { return -.infinity }
                guard ThriftJSONNumber.isJSONNumber(text), let number = ThriftJSONNumber.double(text), number.isFinite
                else { return nil }
                return number
            }
            guard let number else { throw CodecError(.invalidValue, "map key is not a double", offset: offset) }
            writer.writeDouble(number)
        case .struct, .list, .set, .map:
            throw CodecError(.typeMismatch, "maps with \(Self.typeName(type)) keys are arrays of pairs", offset: offset)
        }
    }

    /// An integer map key of `type`, range-checked.
    package func integerKey(_ token: JSONScanner.StringToken, _ type: ThriftType) throws(CodecError) -> Int64 {
        let result = try scanner.withBytes(of: token) { (text) -> ThriftJSONNumber.Integer in
            ThriftJSONNumber.isJSONNumber(text) ? ThriftJSONNumber.integer(text) : .notInteger
        }
        let range: ClosedRange<Int64> =
            switch type {
            case .byte: Int64(Int8.min)...Int64(Int8.max)
            case .i16: Int64(Int16.min)...Int64(Int16.max)
            case .i32: Int64(Int32.min)...Int64(Int32.max)
            default: Int64.min...Int64.max
            }
        guard case .value(let number) = result, range.contains(number) else {
            let key = scanner.string(of: token)
            throw CodecError(
                .invalidValue, "map key '\(key)' is not an integer in the range of \(Self.typeName(type))",
                offset: token.offset)
        }
        return number
    }

    /// A map with struct or container keys: `[{"key": k, "value": v}, ...]`.
    package mutating func pairs(key: ThriftType, value valueType: ThriftType, jsConv: Bool) throws(CodecError) {
        try expectKind(UInt8(ascii: "["), "a JSON array of {\"key\", \"value\"} pairs for a map")
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        let header = writer.reserveMapHeader(key: key.wireType, value: valueType.wireType)
        var count = 0
        if !scanner.consume(UInt8(ascii: "]")) {
            repeat {
                do throws(CodecError) {
                    try pair(key: key, value: valueType, jsConv: jsConv)
                } catch {
                    throw error.under("[\(count)]")
                }
                count += 1
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"))
        }
        writer.patchMapHeader(at: header, key: key.wireType, value: valueType.wireType, count: count)
    }

    /// One `{"key": k, "value": v}` entry, in either member order (Thrift wants the key first: a value that came
    /// first is moved after the key).
    package mutating func pair(key: ThriftType, value valueType: ThriftType, jsConv: Bool) throws(CodecError) {
        try expectKind(UInt8(ascii: "{"), "a {\"key\", \"value\"} object")
        let objectStart = scanner.position
        scanner.position += 1
        try scanner.enter()
        defer { scanner.leave() }
        var keyRange: Range<Int>?
        var valueRange: Range<Int>?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let token = try scanner.readString()
                try scanner.expect(UInt8(ascii: ":"))
                let isKey = try scanner.withBytes(of: token) { Self.equals($0, "key") }
                var isValue = false
                if !isKey { isValue = try scanner.withBytes(of: token) { Self.equals($0, "value") } }
                guard isKey || isValue else {
                    if options.ignoreUnknownFields {
                        try scanner.skipValue()
                        continue
                    }
                    let name = scanner.string(of: token)
                    throw CodecError(
                        .unknownField, "a map entry has only \"key\" and \"value\", found '\(name)'",
                        offset: token.offset, path: ThriftJSONStructKeys.pathStep(name))
                }
                guard (isKey ? keyRange : valueRange) == nil else {
                    throw CodecError(.invalidValue, "\(isKey ? "key" : "value") appears twice", offset: token.offset)
                }
                let start = writer.bytes.count
                do throws(CodecError) {
                    try value(isKey ? key : valueType, jsConv: isKey ? false : jsConv)
                } catch {
                    throw error.under(isKey ? "key" : "value")
                }
                if isKey { keyRange = start..<writer.bytes.count } else { valueRange = start..<writer.bytes.count }
            } while scanner.consume(UInt8(ascii: ","))
            guard scanner.consume(UInt8(ascii: "}")) else {
                throw CodecError(
                    .invalidJSON, "expected ',' or '}' in the object starting at byte \(objectStart)",
                    offset: scanner.position)
            }
        }
        guard let keyRange, let valueRange else {
            throw CodecError(.invalidValue, "a map entry needs both \"key\" and \"value\"", offset: objectStart)
        }
        if valueRange.lowerBound < keyRange.lowerBound {
            let valueBytes = Array(writer.bytes[valueRange])
            writer.bytes.removeSubrange(valueRange)
            writer.bytes.append(contentsOf: valueBytes)
        }
    }
}
