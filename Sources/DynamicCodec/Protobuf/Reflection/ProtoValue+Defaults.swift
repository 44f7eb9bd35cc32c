extension ProtoValue {
    /// The value at `path` as a generated reader sees it: what ``get(_:)`` returns, or when the bytes lack the
    /// field, its schema default — a proto2 `[default = ...]`, else the zero value (0, false, "", empty bytes, the
    /// enum's first value), an empty list or map for a repeated or map field.
    ///
    /// Nil when the path ends at a message (an absent message has no default), at a list element or map entry, or
    /// goes through an element or entry the bytes do not have. Absent enclosing singular messages read as empty,
    /// as generated getters do.
    public func getOrDefault(_ path: FieldPath) throws(CodecError) -> ProtoFieldValue? {
        if let found = try get(path) { return found }
        guard let last = path.steps.last, !last.isSubscript else { return nil }
        if let subscriptIndex = path.steps.lastIndex(where: \.isSubscript) {
            guard try get(FieldPath(Array(path.steps[...subscriptIndex]))) != nil else { return nil }
        }
        let field = try schema.resolve(path, in: descriptor).field
        if field.isMap { return .map([]) }
        if field.isRepeated { return .list([]) }
        return try schema.defaultValue(of: field).map(ProtoFieldValue.scalar)
    }
}

extension ProtoSchema {
    /// The value a singular scalar or enum field has when absent: its proto2 `[default = ...]`, else its type's
    /// zero value (for enums, the first declared value). Nil for message fields.
    public func defaultValue(of field: ProtoFieldDescriptor) throws(CodecError) -> ProtoScalar? {
        if field.isMessage { return nil }
        if field.type == .enum {
            guard let enumType = enumType(of: field) else { return .enumValue(0) }
            if let name = field.defaultValue {
                guard let number = enumType.number(named: name) else {
                    throw CodecError(
                        .schemaError, "default '\(name)' of \(field.fullName) is not a value of \(enumType.fullName)")
                }
                return .enumValue(number)
            }
            return .enumValue(enumType.defaultNumber)
        }
        guard let text = field.defaultValue else { return ProtoScalar.zero(of: field.type) }
        func invalid() -> CodecError {
            CodecError(.schemaError, "default '\(text)' of \(field.fullName) is not a \(field.type.protoName)")
        }
        let parsed: ProtoScalar?
        switch field.type {
        case .int32, .sint32, .sfixed32: parsed = Int32(text).map(ProtoScalar.int32)
        case .int64, .sint64, .sfixed64: parsed = Int64(text).map(ProtoScalar.int64)
        case .uint32, .fixed32: parsed = UInt32(text).map(ProtoScalar.uint32)
        case .uint64, .fixed64: parsed = UInt64(text).map(ProtoScalar.uint64)
        case .bool: parsed = text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .float: parsed = Float(text).map(ProtoScalar.float)
        case .double: parsed = Double(text).map(ProtoScalar.double)
        case .string: parsed = .string(text)
        case .bytes: parsed = Self.unescapeBytesDefault(text).map(ProtoScalar.bytes)
        case .enum, .message, .group: parsed = nil
        }
        guard let parsed else { throw invalid() }
        return parsed
    }

    /// A bytes default as descriptors hold it: C-escaped (`\n`, `\"`, `\\`, octal `\NNN`, `\xHH`).
    static func unescapeBytesDefault(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        func digits(_ radix: UInt8, max count: Int) -> UInt8? {
            var value = 0
            var taken = 0
            while taken < count, index < input.count, let digit = Self.digit(input[index], radix: radix) {
                value = value * Int(radix) + Int(digit)
                index += 1
                taken += 1
            }
            return taken > 0 && value <= 255 ? UInt8(value) : nil
        }
        while index < input.count {
            let byte = input[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < input.count else { return nil }
            let escaped = input[index]
            switch escaped {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard let value = digits(8, max: 3) else { return nil }
                out.append(value)
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                index += 1
                guard let value = digits(16, max: 2) else { return nil }
                out.append(value)
            default:
                index += 1
                let simple: [UInt8: UInt8] = [
                    UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
                    UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C,
                    UInt8(ascii: "v"): 0x0B, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "'"): 0x27,
                    UInt8(ascii: "\""): 0x22, UInt8(ascii: "?"): 0x3F,
                ]
                guard let value = simple[escaped] else { return nil }
                out.append(value)
            }
        }
        return out
    }

    private static func digit(_ byte: UInt8, radix: UInt8) -> UInt8? {
        let value: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
        default: return nil
        }
        return value < radix ? value : nil
    }
}
