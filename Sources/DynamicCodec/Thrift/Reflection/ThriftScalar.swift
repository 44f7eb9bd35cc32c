/// A single non-container, non-struct Thrift value.
public enum ThriftScalar: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case byte(Int8)
    case i16(Int16)
    case i32(Int32)
    case i64(Int64)
    case double(Double)
    case string(String)
    case binary([UInt8])
    case uuid([UInt8])

    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .byte(let value): "\(value)"
        case .i16(let value): "\(value)"
        case .i32(let value): "\(value)"
        case .i64(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .binary(let value): "binary(\(value.count))"
        case .uuid(let value): "uuid(\(value.count))"
        }
    }

    var integerValue: Int64? {
        switch self {
        case .byte(let value): Int64(value)
        case .i16(let value): Int64(value)
        case .i32(let value): Int64(value)
        case .i64(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }
}

/// The value of a Thrift field as returned by a get and accepted by a set.
public enum ThriftFieldValue: Sendable {
    case scalar(ThriftScalar)
    /// A struct: a view sharing the parent's bytes.
    case `struct`(ThriftValue)
    case list([ThriftFieldValue])
    case set([ThriftFieldValue])
    case map([ThriftMapEntry])

    public var scalar: ThriftScalar? {
        if case .scalar(let value) = self { return value }
        return nil
    }

    public var structValue: ThriftValue? {
        if case .struct(let value) = self { return value }
        return nil
    }
}

public struct ThriftMapEntry: Sendable {
    public var key: ThriftFieldValue
    public var value: ThriftFieldValue
    public init(key: ThriftFieldValue, value: ThriftFieldValue) {
        self.key = key
        self.value = value
    }
}
