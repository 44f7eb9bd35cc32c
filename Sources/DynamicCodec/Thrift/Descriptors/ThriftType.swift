/// The type of a Thrift value, with typedefs resolved. Structs, unions and exceptions are referred to by index
/// into ``ThriftSchema/structs``, enums by index into ``ThriftSchema/enums`` (so recursive types need no cycles).
public indirect enum ThriftType: Sendable, Hashable {
    case bool
    case byte
    case i16
    case i32
    case i64
    case double
    case string
    case binary
    case uuid
    case `struct`(Int)
    /// An enum: an i32 on the wire.
    case `enum`(Int)
    case list(ThriftType)
    case set(ThriftType)
    case map(key: ThriftType, value: ThriftType)

    /// The type code used on the wire by the binary protocol (TType).
    public var binaryCode: UInt8 {
        switch self {
        case .bool: 2
        case .byte: 3
        case .double: 4
        case .i16: 6
        case .i32, .enum: 8
        case .i64: 10
        case .string, .binary: 11
        case .struct: 12
        case .map: 13
        case .set: 14
        case .list: 15
        case .uuid: 16
        }
    }

    /// The fixed encoded size of a value of this type in the binary protocol, or nil when variable.
    public var binaryFixedSize: Int? {
        switch self {
        case .bool, .byte: 1
        case .i16: 2
        case .i32, .enum: 4
        case .i64, .double: 8
        case .uuid: 16
        default: nil
        }
    }

    var isContainer: Bool {
        switch self {
        case .list, .set, .map: true
        default: false
        }
    }
}

/// Whether a field must, may, or by default is written.
public enum ThriftRequiredness: Sendable, Hashable {
    case required
    case optional
    /// Neither keyword: written when set (and by default writers when it has a default value).
    case `default`
}

/// A constant value from IDL: a default value, a `const`, or an annotation-free literal.
public indirect enum ThriftConstValue: Sendable, Hashable {
    case integer(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case list([ThriftConstValue])
    /// Maps and struct literals (keys are the literals as written; for structs, field names as strings).
    case map([ThriftConstEntry])
    /// A reference to another constant or an enum value that could not be resolved to a literal.
    case identifier(String)
}

public struct ThriftConstEntry: Sendable, Hashable {
    public var key: ThriftConstValue
    public var value: ThriftConstValue
    public init(key: ThriftConstValue, value: ThriftConstValue) {
        self.key = key
        self.value = value
    }
}

/// Annotations `(key = "value", ...)` in declaration order; lookups by key return the last value.
public struct ThriftAnnotations: Sendable, Hashable {
    public var pairs: [(key: String, value: String)] {
        get { storage.map { ($0.key, $0.value) } }
        set { storage = newValue.map { Pair(key: $0.key, value: $0.value) } }
    }
    struct Pair: Sendable, Hashable {
        var key: String
        var value: String
    }
    private var storage: [Pair]

    public init(_ pairs: [(key: String, value: String)] = []) {
        storage = pairs.map { Pair(key: $0.key, value: $0.value) }
    }

    public subscript(key: String) -> String? { storage.last { $0.key == key }?.value }

    /// All values of a repeated key, in order.
    public func values(_ key: String) -> [String] { storage.filter { $0.key == key }.map(\.value) }

    public var isEmpty: Bool { storage.isEmpty }
}
