/// Map keys named by path subscripts: matching them against encoded keys and building new ones.
extension ThriftAccess {
    /// Whether the map key at `range` (of `type`) equals the key a path subscript names. Struct and container keys
    /// compare by their encoded bytes (the subscript string's bytes).
    func keyMatches(_ step: FieldPath.Step, type: ThriftType, range: Range<Int>) throws(CodecError) -> Bool {
        let maxDepth = limits.maxDepth
        return try withBase { (base, _) throws(CodecError) in
            try Self.keyMatches(step, type: type, range: range, base: base, maxDepth: maxDepth)
        }
    }

    /// ``keyMatches(_:type:range:)`` over raw bytes, for callers holding a reader rather than a value.
    static func keyMatches(
        _ step: FieldPath.Step, type: ThriftType, range: Range<Int>, base: UnsafeRawPointer, maxDepth: Int
    ) throws(CodecError) -> Bool {
        switch (type, step) {
        case (.struct, .string(let key)), (.list, .string(let key)), (.set, .string(let key)), (.map, .string(let key)):
            return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count).elementsEqual(key.utf8)
        case (.string, .string(let key)), (.binary, .string(let key)):
            var reader = Reader(base: base, range: range, maxDepth: maxDepth)
            let bytes = try reader.readBinary()
            return UnsafeRawBufferPointer(start: base + bytes.lowerBound, count: bytes.count).elementsEqual(key.utf8)
        default:
            break
        }
        var reader = Reader(base: base, range: range, maxDepth: maxDepth)
        let scalar: ThriftScalar
        switch type {
        case .bool: scalar = .bool(try reader.readBool())
        case .byte: scalar = .byte(try reader.readByte())
        case .i16: scalar = .i16(try reader.readI16())
        case .i32, .enum: scalar = .i32(try reader.readI32())
        case .i64: scalar = .i64(try reader.readI64())
        case .double: scalar = .double(try reader.readDouble())
        default: return false
        }
        switch (scalar, step) {
        case (.bool(let flag), .bool(let key)): return flag == key
        case (_, .integer(let key)): return scalar.integerValue == key
        case (_, .string(let key)):
            // A quoted integer key (`["15"]`) also matches a numeric key.
            if let number = Int64(key) { return scalar.integerValue == number }
            return false
        default:
            return false
        }
    }

    /// The position in `container.items` of the last key equal to `step` (maps may repeat a key on the wire; the
    /// last one wins when decoded), or nil.
    func lastKeyMatch(_ step: FieldPath.Step, type: ThriftType, in container: ThriftContainerLayout)
        throws(CodecError) -> Int?
    {
        var match: Int?
        var item = 0
        while item < container.items.count {
            if try keyMatches(step, type: type, range: container.items[item]) { match = item }
            item += 2
        }
        return match
    }

    /// The map key a path subscript names, as a value of the key type.
    package func keyValue(_ step: FieldPath.Step, as type: ThriftType) throws(CodecError) -> ThriftFieldValue {
        switch (type, step) {
        case (.string, .string(let key)): return .scalar(.string(key))
        case (.binary, .string(let key)): return .scalar(.binary(Array(key.utf8)))
        case (.bool, .bool(let key)): return .scalar(.bool(key))
        case (.byte, .integer(let key)), (.i16, .integer(let key)), (.i32, .integer(let key)),
            (.i64, .integer(let key)), (.enum, .integer(let key)):
            return .scalar(.i64(key))
        case (.byte, .string(let key)), (.i16, .string(let key)), (.i32, .string(let key)), (.i64, .string(let key)),
            (.enum, .string(let key)):
            guard let number = Int64(key) else {
                throw CodecError(.pathMismatch, "map key \"\(key)\" is not an integer")
            }
            return .scalar(.i64(number))
        case (.struct(let index), .string(let key)):
            let bytes = Array(key.utf8)
            return .struct(
                ThriftValue(
                    storage: bytes, range: 0..<bytes.count, encoding: value.encoding,
                    descriptor: schema.structs[index], schema: schema, limits: limits))
        default:
            throw CodecError(.pathMismatch, "subscript \(step) does not fit a \(schema.describe(type)) map key")
        }
    }
}
