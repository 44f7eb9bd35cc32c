/// Thrift type codes as the binary protocol writes them (TType); the compact protocol's codes map onto these.
public enum ThriftWireType: UInt8, Sendable, Hashable {
    case stop = 0
    case bool = 2
    case byte = 3
    case double = 4
    case i16 = 6
    case i32 = 8
    case i64 = 10
    case string = 11
    case `struct` = 12
    case map = 13
    case set = 14
    case list = 15
    case uuid = 16

    /// The compact protocol's code for this type (bool as its "true" code; field headers carry false as 2).
    var compactCode: UInt8 {
        switch self {
        case .stop: 0
        case .bool: 1
        case .byte: 3
        case .i16: 4
        case .i32: 5
        case .i64: 6
        case .double: 7
        case .string: 8
        case .list: 9
        case .set: 10
        case .map: 11
        case .struct: 12
        case .uuid: 13
        }
    }

    /// The type of a compact code; 1 and 2 are both bool.
    init?(compactCode: UInt8) {
        switch compactCode {
        case 0: self = .stop
        case 1, 2: self = .bool
        case 3: self = .byte
        case 4: self = .i16
        case 5: self = .i32
        case 6: self = .i64
        case 7: self = .double
        case 8: self = .string
        case 9: self = .list
        case 10: self = .set
        case 11: self = .map
        case 12: self = .struct
        case 13: self = .uuid
        default: return nil
        }
    }
}

extension ThriftType {
    /// The wire type of values of this type.
    public var wireType: ThriftWireType { ThriftWireType(rawValue: binaryCode)! }
}

/// The protocols a Thrift payload can be encoded with.
public enum ThriftProtocol: String, Sendable, Hashable, CaseIterable {
    case binary
    case compact
}

/// The message types of a Thrift message header.
public enum ThriftMessageType: UInt8, Sendable, Hashable {
    case call = 1
    case reply = 2
    case exception = 3
    case oneway = 4
}

/// A decoded message header (name, type, sequence id) and where the payload struct starts.
public struct ThriftMessageHeader: Sendable, Hashable {
    public var name: String
    public var type: ThriftMessageType
    public var sequenceID: Int32
    /// Whether a binary header used the strict (versioned) form.
    public var isStrict: Bool
    /// Byte offset of the payload struct.
    public var payloadStart: Int
}
