/// The declared type of a Protobuf field.
public enum ProtoFieldType: Int, Sendable, Hashable, CaseIterable {
    // Raw values are FieldDescriptorProto.Type numbers.
    case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes, uint32
    case `enum` = 14, sfixed32, sfixed64, sint32, sint64

    /// The wire type a single value of this type is written with.
    public var wireType: ProtoWireType {
        switch self {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .int64, .uint64, .int32, .bool, .uint32, .enum, .sint32, .sint64: .varint
        case .string, .bytes, .message: .lengthDelimited
        case .group: .startGroup
        }
    }

    /// Whether repeated values of this type may be packed (all numeric scalars, bools and enums).
    public var isPackable: Bool {
        switch self {
        case .string, .bytes, .message, .group: false
        default: true
        }
    }

    /// The fixed encoded size of one value, or nil for varints and length-delimited types.
    var fixedSize: Int? {
        switch wireType {
        case .fixed32: 4
        case .fixed64: 8
        default: nil
        }
    }

    /// The name used in `.proto` text.
    public var protoName: String {
        switch self {
        case .double: "double"
        case .float: "float"
        case .int64: "int64"
        case .uint64: "uint64"
        case .int32: "int32"
        case .fixed64: "fixed64"
        case .fixed32: "fixed32"
        case .bool: "bool"
        case .string: "string"
        case .group: "group"
        case .message: "message"
        case .bytes: "bytes"
        case .uint32: "uint32"
        case .enum: "enum"
        case .sfixed32: "sfixed32"
        case .sfixed64: "sfixed64"
        case .sint32: "sint32"
        case .sint64: "sint64"
        }
    }
}

/// How many values a field holds.
public enum ProtoCardinality: Sendable, Hashable {
    case optional
    case required
    case repeated
}

/// The syntax a file was written in; it decides packing and presence defaults.
public enum ProtoSyntax: String, Sendable, Hashable {
    case proto2
    case proto3
}
