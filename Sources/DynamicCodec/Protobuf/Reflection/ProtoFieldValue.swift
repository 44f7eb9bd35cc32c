/// The value of a field as returned by a get and accepted by a set.
public enum ProtoFieldValue: Sendable {
    case scalar(ProtoScalar)
    /// A sub-message: a view sharing the parent's bytes (no copy).
    case message(ProtoValue)
    /// All values of a repeated field, in wire order.
    case list([ProtoFieldValue])
    /// All entries of a map field, in wire order (a later duplicate key overrides an earlier one on decode).
    case map([ProtoMapEntry])

    /// Convenience for a scalar's value.
    public var scalar: ProtoScalar? {
        if case .scalar(let value) = self { return value }
        return nil
    }

    public var message: ProtoValue? {
        if case .message(let value) = self { return value }
        return nil
    }
}

/// One entry of a map field.
public struct ProtoMapEntry: Sendable {
    public var key: ProtoScalar
    public var value: ProtoFieldValue
    public init(key: ProtoScalar, value: ProtoFieldValue) {
        self.key = key
        self.value = value
    }
}
