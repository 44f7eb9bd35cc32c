/// A single non-message value read from or written to a Protobuf field.
///
/// The field's declared type decides the encoding (`int32` vs `sint32` vs `sfixed32`); a scalar only carries the
/// value. Writers coerce between numeric cases when the value fits the field exactly.
public enum ProtoScalar: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    /// int32, sint32, sfixed32
    case int32(Int32)
    /// int64, sint64, sfixed64
    case int64(Int64)
    /// uint32, fixed32
    case uint32(UInt32)
    /// uint64, fixed64
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    /// An enum value by number (names are resolved through the field's enum type).
    case enumValue(Int32)

    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int32(let value): "\(value)"
        case .int64(let value): "\(value)"
        case .uint32(let value): "\(value)"
        case .uint64(let value): "\(value)"
        case .float(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .bytes(let value): "bytes(\(value.count))"
        case .enumValue(let value): "enum(\(value))"
        }
    }
}

extension ProtoScalar {
    /// Decodes one value of `type` at the cursor. Strings are validated as UTF-8.
    @inline(__always)
    package static func decode(_ type: ProtoFieldType, from cursor: inout ProtoCursor) throws(CodecError) -> ProtoScalar {
        switch type {
        case .int32: return .int32(Int32(truncatingIfNeeded: try cursor.readVarint()))
        case .int64: return .int64(Int64(bitPattern: try cursor.readVarint()))
        case .uint32: return .uint32(UInt32(truncatingIfNeeded: try cursor.readVarint()))
        case .uint64: return .uint64(try cursor.readVarint())
        case .sint32: return .int32(ProtoVarint.unZigZag(UInt32(truncatingIfNeeded: try cursor.readVarint())))
        case .sint64: return .int64(ProtoVarint.unZigZag(try cursor.readVarint()))
        case .bool: return .bool(try cursor.readVarint() != 0)
        case .enum: return .enumValue(Int32(truncatingIfNeeded: try cursor.readVarint()))
        case .fixed32: return .uint32(try cursor.readFixed32())
        case .sfixed32: return .int32(Int32(bitPattern: try cursor.readFixed32()))
        case .float: return .float(Float(bitPattern: try cursor.readFixed32()))
        case .fixed64: return .uint64(try cursor.readFixed64())
        case .sfixed64: return .int64(Int64(bitPattern: try cursor.readFixed64()))
        case .double: return .double(Double(bitPattern: try cursor.readFixed64()))
        case .string:
            let start = cursor.position
            let range = try cursor.readLengthDelimited()
            let raw = UnsafeRawBufferPointer(start: cursor.base + range.lowerBound, count: range.count)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw CodecError(.invalidUTF8, "string field holds invalid UTF-8", offset: start)
            }
            return .string(text)
        case .bytes:
            let range = try cursor.readLengthDelimited()
            return .bytes(Array(UnsafeRawBufferPointer(start: cursor.base + range.lowerBound, count: range.count)))
        case .message, .group:
            throw CodecError(.typeMismatch, "message values are not scalars", offset: cursor.position)
        }
    }

    /// The zero value of a field type (what an absent proto3 field reads as).
    package static func zero(of type: ProtoFieldType) -> ProtoScalar? {
        switch type {
        case .int32, .sint32, .sfixed32: .int32(0)
        case .int64, .sint64, .sfixed64: .int64(0)
        case .uint32, .fixed32: .uint32(0)
        case .uint64, .fixed64: .uint64(0)
        case .bool: .bool(false)
        case .float: .float(0)
        case .double: .double(0)
        case .string: .string("")
        case .bytes: .bytes([])
        case .enum: .enumValue(0)
        case .message, .group: nil
        }
    }

    /// The value as a signed integer, if it is an integer case that fits.
    package var integerValue: Int64? {
        switch self {
        case .int32(let value): Int64(value)
        case .int64(let value): value
        case .uint32(let value): Int64(value)
        case .uint64(let value): Int64(exactly: value)
        case .enumValue(let value): Int64(value)
        case .bool, .string, .bytes: nil
        case .float(let value): Int64(exactly: value)
        case .double(let value): Int64(exactly: value)
        }
    }

    package var unsignedValue: UInt64? {
        switch self {
        case .uint64(let value): value
        case .float(let value): UInt64(exactly: value)
        case .double(let value): UInt64(exactly: value)
        default: integerValue.flatMap { UInt64(exactly: $0) }
        }
    }

    package var floatingValue: Double? {
        switch self {
        case .float(let value): Double(value)
        case .double(let value): value
        case .int32(let value): Double(value)
        case .int64(let value): Double(value)
        case .uint32(let value): Double(value)
        case .uint64(let value): Double(value)
        default: nil
        }
    }

    package var kindName: String {
        switch self {
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .enumValue: "enum"
        }
    }

    /// Appends this value encoded as `type` (no tag). Throws when the value does not fit the type.
    package func encode(as type: ProtoFieldType, into out: inout [UInt8]) throws(CodecError) {
        func mismatch() -> CodecError {
            CodecError(.typeMismatch, "a \(kindName) value cannot be written to a \(type.protoName) field")
        }
        func outOfRange() -> CodecError {
            CodecError(.invalidValue, "\(self) is out of range for a \(type.protoName) field")
        }
        switch type {
        case .int32, .sint32, .sfixed32, .enum:
            guard let wide = integerValue else { throw mismatch() }
            guard let value = Int32(exactly: wide) else { throw outOfRange() }
            switch type {
            case .sint32: out.appendVarint(UInt64(ProtoVarint.zigZag(value)))
            case .sfixed32: withUnsafeBytes(of: UInt32(bitPattern: value).littleEndian) { out.append(contentsOf: $0) }
            // Negative int32 values are sign-extended to 10 bytes on the wire.
            default: out.appendVarint(UInt64(bitPattern: Int64(value)))
            }
        case .int64, .sint64, .sfixed64:
            guard let value = integerValue else {
                if case .uint64 = self { throw outOfRange() }
                throw mismatch()
            }
            switch type {
            case .sint64: out.appendVarint(ProtoVarint.zigZag(value))
            case .sfixed64: withUnsafeBytes(of: UInt64(bitPattern: value).littleEndian) { out.append(contentsOf: $0) }
            default: out.appendVarint(UInt64(bitPattern: value))
            }
        case .uint32, .fixed32:
            guard let wide = unsignedValue else {
                if integerValue != nil { throw outOfRange() }
                throw mismatch()
            }
            guard let value = UInt32(exactly: wide) else { throw outOfRange() }
            if type == .fixed32 {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            } else {
                out.appendVarint(UInt64(value))
            }
        case .uint64, .fixed64:
            guard let value = unsignedValue else {
                if integerValue != nil { throw outOfRange() }
                throw mismatch()
            }
            if type == .fixed64 {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            } else {
                out.appendVarint(value)
            }
        case .bool:
            guard case .bool(let value) = self else { throw mismatch() }
            out.append(value ? 1 : 0)
        case .float:
            guard let value = floatingValue else { throw mismatch() }
            withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case .double:
            guard let value = floatingValue else { throw mismatch() }
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case .string:
            guard case .string(let value) = self else { throw mismatch() }
            out.appendVarint(UInt64(value.utf8.count))
            out.append(contentsOf: value.utf8)
        case .bytes:
            switch self {
            case .bytes(let value):
                out.appendVarint(UInt64(value.count))
                out.append(contentsOf: value)
            case .string(let value):
                out.appendVarint(UInt64(value.utf8.count))
                out.append(contentsOf: value.utf8)
            default: throw mismatch()
            }
        case .message, .group:
            throw CodecError(.typeMismatch, "a scalar cannot be written to a message field")
        }
    }
}

/// A map key in a form that compares equal across integer widths, for matching path subscripts.
package enum ProtoMapKey: Hashable {
    case signed(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case bytes([UInt8])

    package init(_ scalar: ProtoScalar) {
        switch scalar {
        case .bool(let value): self = .bool(value)
        case .int32(let value): self = .signed(Int64(value))
        case .int64(let value): self = .signed(value)
        case .uint32(let value): self = .unsigned(UInt64(value))
        case .uint64(let value): self = .unsigned(value)
        case .string(let value): self = .bytes(Array(value.utf8))
        case .bytes(let value): self = .bytes(value)
        case .enumValue(let value): self = .signed(Int64(value))
        case .float(let value): self = .signed(Int64(value))
        case .double(let value): self = .signed(Int64(value))
        }
    }

    /// The key a path subscript selects in a map whose keys have `type`.
    package init(subscript step: FieldPath.Step, keyType: ProtoFieldType) throws(CodecError) {
        switch (step, keyType) {
        case (.string(let key), .string), (.string(let key), .bytes):
            self = .bytes(Array(key.utf8))
        case (.integer(let key), .uint32), (.integer(let key), .uint64), (.integer(let key), .fixed32),
            (.integer(let key), .fixed64):
            guard key >= 0 else { throw CodecError(.invalidValue, "map key \(key) is negative for an unsigned key") }
            self = .unsigned(UInt64(key))
        case (.unsigned(let key), .uint64), (.unsigned(let key), .fixed64):
            self = .unsigned(key)
        case (.integer(let key), .int32), (.integer(let key), .sint32), (.integer(let key), .sfixed32):
            guard Int32(exactly: key) != nil else { throw CodecError(.invalidValue, "map key \(key) overflows int32") }
            self = .signed(key)
        case (.integer(let key), .int64), (.integer(let key), .sint64), (.integer(let key), .sfixed64):
            self = .signed(key)
        case (.bool(let key), .bool):
            self = .bool(key)
        case (.string(let key), _):
            // A quoted integer or bool key is accepted too (`["15"]` on a map<int32, ...>).
            if let number = Int64(key) {
                self = try ProtoMapKey(subscript: .integer(number), keyType: keyType)
            } else if let number = UInt64(key) {
                self = try ProtoMapKey(subscript: .unsigned(number), keyType: keyType)
            } else if key == "true" || key == "false" {
                self = try ProtoMapKey(subscript: .bool(key == "true"), keyType: keyType)
            } else {
                throw CodecError(.pathMismatch, "map key \"\(key)\" does not fit a \(keyType.protoName) key")
            }
        default:
            throw CodecError(.pathMismatch, "subscript \(step) does not fit a \(keyType.protoName) map key")
        }
    }

    /// The key as a scalar of the map's key type.
    package func scalar(for keyType: ProtoFieldType) -> ProtoScalar {
        switch self {
        case .signed(let value):
            switch keyType {
            case .int32, .sint32, .sfixed32: .int32(Int32(truncatingIfNeeded: value))
            default: .int64(value)
            }
        case .unsigned(let value):
            switch keyType {
            case .uint32, .fixed32: .uint32(UInt32(truncatingIfNeeded: value))
            default: .uint64(value)
            }
        case .bool(let value): .bool(value)
        case .bytes(let value): keyType == .string ? .string(String(decoding: value, as: UTF8.self)) : .bytes(value)
        }
    }
}
