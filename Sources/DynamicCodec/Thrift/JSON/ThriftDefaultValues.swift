/// Writes the value a field takes when the input lacks it: its IDL default, else the zero value of its type
/// (0, false, "", empty containers; for a struct, the fields that have IDL defaults and the required ones).
package struct ThriftDefaultValues<Writer: ThriftWriting> {
    package let schema: ThriftSchema
    package let maxDepth: Int

    package init(schema: ThriftSchema, maxDepth: Int) {
        self.schema = schema
        self.maxDepth = maxDepth
    }

    /// Writes `field` with its header.
    package func writeField(_ field: ThriftFieldDescriptor, into writer: inout Writer, depth: Int) throws(CodecError) {
        if field.type == .bool {
            writer.writeBoolField(id: field.id, value: Self.integer(field.defaultValue) != 0)
            return
        }
        writer.writeFieldHeader(field.type.wireType, id: field.id)
        try write(field.defaultValue, as: field.type, into: &writer, depth: depth)
    }

    /// Writes `value` (nil: the zero value) as a `type`, without a field header.
    package func write(_ value: ThriftConstValue?, as type: ThriftType, into writer: inout Writer, depth: Int)
        throws(CodecError)
    {
        guard depth < maxDepth else {
            throw CodecError(.depthLimitExceeded, "default values nest deeper than the limit of \(maxDepth)")
        }
        switch (type, value) {
        case (.bool, .bool(let flag)?): writer.writeBool(flag)
        case (.bool, .integer(let number)?): writer.writeBool(number != 0)
        case (.bool, _): writer.writeBool(false)
        case (.byte, _): writer.writeByte(Int8(truncatingIfNeeded: Self.integer(value)))
        case (.i16, _): writer.writeI16(Int16(truncatingIfNeeded: Self.integer(value)))
        case (.i32, _), (.enum, _): writer.writeI32(Int32(truncatingIfNeeded: Self.integer(value)))
        case (.i64, _): writer.writeI64(Self.integer(value))
        case (.double, .double(let number)?): writer.writeDouble(number)
        case (.double, _): writer.writeDouble(Double(Self.integer(value)))
        case (.string, .string(var text)?), (.binary, .string(var text)?):
            text.withUTF8 { writer.writeBinary(UnsafeRawBufferPointer($0)) }
        case (.string, _), (.binary, _):
            writer.writeBinary(UnsafeRawBufferPointer(start: nil, count: 0))
        case (.uuid, _):
            var bytes = [UInt8](repeating: 0, count: 16)
            if case .string(let text)? = value, let parsed = ThriftUUIDText.parse(Array(text.utf8)) { bytes = parsed }
            bytes.withUnsafeBytes { writer.writeUUID($0) }
        case (.list(let element), _), (.set(let element), _):
            guard case .list(let items)? = value else {
                writer.writeListHeader(element.wireType, count: 0)
                return
            }
            writer.writeListHeader(element.wireType, count: items.count)
            for item in items { try write(item, as: element, into: &writer, depth: depth + 1) }
        case (.map(let key, let mapValue), _):
            guard case .map(let entries)? = value else {
                writer.writeMapHeader(key: key.wireType, value: mapValue.wireType, count: 0)
                return
            }
            writer.writeMapHeader(key: key.wireType, value: mapValue.wireType, count: entries.count)
            for entry in entries {
                try write(entry.key, as: key, into: &writer, depth: depth + 1)
                try write(entry.value, as: mapValue, into: &writer, depth: depth + 1)
            }
        case (.struct(let index), _):
            try writeStruct(schema.structs[index], literal: value, into: &writer, depth: depth)
        }
    }

    /// A struct as a freshly constructed Thrift object has it: in declaration order, the fields a literal gives, the
    /// other fields that have an IDL default, and required fields with their zero values.
    package func writeStruct(
        _ type: ThriftStructDescriptor, literal: ThriftConstValue?, into writer: inout Writer, depth: Int
    ) throws(CodecError) {
        var given: [String: ThriftConstValue] = [:]
        if case .map(let entries)? = literal {
            for entry in entries {
                if case .string(let name) = entry.key { given[name] = entry.value }
            }
        }
        writer.beginStruct()
        for field in type.fields {
            let value = given[field.name] ?? field.defaultValue
            guard value != nil || field.requiredness == .required else { continue }
            if field.type == .bool {
                writer.writeBoolField(id: field.id, value: Self.integer(value) != 0)
            } else {
                writer.writeFieldHeader(field.type.wireType, id: field.id)
                try write(value, as: field.type, into: &writer, depth: depth + 1)
            }
        }
        writer.writeStop()
        writer.endStruct()
    }

    private static func integer(_ value: ThriftConstValue?) -> Int64 {
        switch value {
        case .integer(let number)?: number
        case .bool(let flag)?: flag ? 1 : 0
        case .double(let number)?: Int64(exactly: number) ?? 0
        default: 0
        }
    }
}

/// UUIDs as text: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lowercase when written, braces accepted when read.
package enum ThriftUUIDText {
    package static func parse(_ text: [UInt8]) -> [UInt8]? {
        var characters = text[...]
        if characters.count == 38, characters.first == UInt8(ascii: "{"), characters.last == UInt8(ascii: "}") {
            characters = characters.dropFirst().dropLast()
        }
        guard characters.count == 36 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var high: UInt8?
        for (offset, character) in characters.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case 0x30...0x39: nibble = character - 0x30
            case 0x41...0x46: nibble = character - 0x37
            case 0x61...0x66: nibble = character - 0x57
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    /// Appends the quoted text of 16 bytes.
    package static func write(_ bytes: UnsafeRawBufferPointer, to writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "\""))
        for index in 0..<min(16, bytes.count) {
            if index == 4 || index == 6 || index == 8 || index == 10 { writer.byte(UInt8(ascii: "-")) }
            writer.byte(JSONWriter.hexDigit(bytes[index] >> 4))
            writer.byte(JSONWriter.hexDigit(bytes[index] & 0xF))
        }
        writer.byte(UInt8(ascii: "\""))
    }
}
