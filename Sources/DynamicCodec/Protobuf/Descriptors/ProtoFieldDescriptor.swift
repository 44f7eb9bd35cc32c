/// One field of a message type (or an extension). Immutable.
public final class ProtoFieldDescriptor: Sendable, CustomStringConvertible {
    public let name: String
    public let number: Int
    /// The JSON name: `json_name` if declared, otherwise lowerCamelCase of the name.
    public let jsonName: String
    public let type: ProtoFieldType
    public let cardinality: ProtoCardinality
    /// Whether the writer packs repeated values (proto3 default for scalars, `[packed = true]` in proto2).
    /// Readers accept both forms regardless.
    public let isPacked: Bool
    /// Whether presence is tracked (proto2 singular fields, message fields, oneof members, proto3 `optional`).
    public let hasPresence: Bool
    /// Index into the containing message's ``ProtoMessageDescriptor/oneofs``, for oneof members (including the
    /// synthetic oneof of a proto3 `optional` field).
    public let oneofIndex: Int?
    public let isProto3Optional: Bool
    /// Fully qualified name (no leading dot) of the message or enum type, for such fields.
    public let typeName: String?
    /// Index of the message type in ``ProtoSchema/messages`` (message, group and map fields), else -1.
    public let messageIndex: Int
    /// Index of the enum type in ``ProtoSchema/enums`` (enum fields), else -1.
    public let enumIndex: Int
    /// The proto2 default value as written in the descriptor (`default_value`), if any.
    public let defaultValue: String?
    /// For map fields: the entry's key and value fields.
    public let mapKey: ProtoFieldDescriptor?
    public let mapValue: ProtoFieldDescriptor?
    /// For extensions: the fully qualified name of the extended message.
    public let extendee: String?
    public let isDeprecated: Bool
    /// The full name: `pkg.Message.field` (or `pkg.extension` for top-level extensions).
    public let fullName: String
    /// The doc comment from the IDL (`.proto` source, or `SourceCodeInfo` of a descriptor set compiled with
    /// `--include_source_info`), if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    /// `"jsonName":` and `"name":` as bytes, ready for the JSON writer.
    let jsonKey: [UInt8]
    let protoKey: [UInt8]

    /// Whether this is a map field (a repeated field of a map-entry message).
    @inline(__always) public var isMap: Bool { mapKey != nil }
    @inline(__always) public var isRepeated: Bool { cardinality == .repeated }
    /// Whether values of this field are messages (message, group or map entries).
    @inline(__always) public var isMessage: Bool { messageIndex >= 0 }
    /// The wire type of one value.
    @inline(__always) public var wireType: ProtoWireType { type.wireType }

    init(
        name: String, number: Int, jsonName: String, type: ProtoFieldType, cardinality: ProtoCardinality,
        isPacked: Bool, hasPresence: Bool, oneofIndex: Int?, isProto3Optional: Bool, typeName: String?,
        messageIndex: Int, enumIndex: Int, defaultValue: String?, mapKey: ProtoFieldDescriptor?,
        mapValue: ProtoFieldDescriptor?, extendee: String?, isDeprecated: Bool, fullName: String,
        documentation: String? = nil
    ) {
        self.documentation = documentation
        self.name = name
        self.number = number
        self.jsonName = jsonName
        self.type = type
        self.cardinality = cardinality
        self.isPacked = isPacked
        self.hasPresence = hasPresence
        self.oneofIndex = oneofIndex
        self.isProto3Optional = isProto3Optional
        self.typeName = typeName
        self.messageIndex = messageIndex
        self.enumIndex = enumIndex
        self.defaultValue = defaultValue
        self.mapKey = mapKey
        self.mapValue = mapValue
        self.extendee = extendee
        self.isDeprecated = isDeprecated
        self.fullName = fullName
        jsonKey = Array("\"\(jsonName)\":".utf8)
        protoKey = Array("\"\(name)\":".utf8)
    }

    public var description: String {
        var text = ""
        switch cardinality {
        case .optional: text += hasPresence ? "optional " : ""
        case .required: text += "required "
        case .repeated: text += isMap ? "" : "repeated "
        }
        if let mapKey, let mapValue {
            text += "map<\(mapKey.typeName ?? mapKey.type.protoName), \(mapValue.typeName ?? mapValue.type.protoName)>"
        } else {
            text += typeName ?? type.protoName
        }
        text += " \(name) = \(number)"
        var attributes: [String] = ["json=\(jsonName)"]
        if isPacked { attributes.append("packed") }
        if let defaultValue { attributes.append("default=\(defaultValue)") }
        if let oneofIndex { attributes.append("oneof=\(oneofIndex)") }
        if isDeprecated { attributes.append("deprecated") }
        return text + " [" + attributes.joined(separator: ", ") + "]"
    }
}

/// Computes the JSON name protoc assigns when none is declared: underscores removed, the letter after each
/// underscore upper-cased.
func protoJSONName(_ name: String) -> String {
    var result = ""
    result.reserveCapacity(name.utf8.count)
    var upperNext = false
    for scalar in name.unicodeScalars {
        if scalar == "_" {
            upperNext = true
        } else if upperNext {
            result += String(scalar).uppercased()
            upperNext = false
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

extension ProtoFieldDescriptor {
    /// Whether this field is a member of a real (not synthetic) oneof of `message`.
    @inline(__always)
    func isInRealOneof(of message: ProtoMessageDescriptor) -> Bool {
        guard let oneofIndex else { return false }
        return !message.oneofs[oneofIndex].isSynthetic
    }
}
