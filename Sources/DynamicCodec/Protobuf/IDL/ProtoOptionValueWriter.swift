import SwiftProtobuf

/// A scalar option value after it has been checked against its field type.
enum ProtoOptionScalar: Sendable {
    case signed(Int64)
    case unsigned(UInt64)
    case float(Double)
    case bool(Bool)
    case bytes([UInt8])

    /// True when a field of `type` without presence would not be written.
    func isDefault(as type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> Bool {
        switch self {
        case .signed(let value): value == 0
        case .unsigned(let value): value == 0
        case .float(let value): type == .float ? Float(value).bitPattern == 0 : value.bitPattern == 0
        case .bool(let value): !value
        case .bytes(let value): value.isEmpty
        }
    }
}

/// Appends protobuf binary encoding for option values; options become bytes that are then decoded into the
/// options messages, exactly as protoc does with its unknown-field sets.
struct ProtoOptionValueWriter {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func writeTag(_ number: Int32, _ wireType: WireType) {
        writeVarint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wireType.rawValue))
    }

    mutating func writeFixed32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func writeFixed64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func writeLengthDelimited(_ number: Int32, _ payload: [UInt8]) {
        writeTag(number, .lengthDelimited)
        writeVarint(UInt64(payload.count))
        bytes += payload
    }

    /// Writes a nested message as a length-delimited field or as a group.
    mutating func writeMessage(_ number: Int32, _ payload: [UInt8], asGroup: Bool) {
        if asGroup {
            writeTag(number, .startGroup)
            bytes += payload
            writeTag(number, .endGroup)
        } else {
            writeLengthDelimited(number, payload)
        }
    }

    static func wireType(of type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> WireType {
        switch type {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .string, .bytes, .message: .lengthDelimited
        case .group: .startGroup
        default: .varint
        }
    }

    /// Writes a scalar value without its tag, in the encoding of `type`.
    mutating func writePayload(_ value: ProtoOptionScalar, as type: Google_Protobuf_FieldDescriptorProto.TypeEnum) {
        switch (type, value) {
        case (.sint32, .signed(let number)):
            let value = Int32(truncatingIfNeeded: number)
            writeVarint(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
        case (.sint64, .signed(let number)):
            writeVarint(UInt64(bitPattern: (number << 1) ^ (number >> 63)))
        case (.sfixed32, .signed(let number)):
            writeFixed32(UInt32(truncatingIfNeeded: number))
        case (.sfixed64, .signed(let number)):
            writeFixed64(UInt64(bitPattern: number))
        case (_, .signed(let number)):
            writeVarint(UInt64(bitPattern: number))
        case (.fixed32, .unsigned(let number)):
            writeFixed32(UInt32(truncatingIfNeeded: number))
        case (.fixed64, .unsigned(let number)):
            writeFixed64(number)
        case (_, .unsigned(let number)):
            writeVarint(number)
        case (.float, .float(let number)):
            writeFixed32(Float(number).bitPattern)
        case (_, .float(let number)):
            writeFixed64(number.bitPattern)
        case (_, .bool(let flag)):
            writeVarint(flag ? 1 : 0)
        case (_, .bytes(let data)):
            writeVarint(UInt64(data.count))
            bytes += data
        }
    }
}
