/// Options of the Protobuf <-> JSON conversion (proto3 canonical JSON mapping).
public struct ProtoJSONOptions: Sendable, Hashable {
    /// Write fields that are unset (zero values, `[]`, `{}`, `null` for messages) instead of omitting them.
    /// Oneof members and proto3 `optional` fields are written only when set.
    public var emitDefaults: Bool
    /// Write the `.proto` field names instead of the lowerCamelCase JSON names.
    public var useProtoNames: Bool
    /// Write enum values as numbers instead of names.
    public var enumsAsInts: Bool
    /// When reading JSON, skip keys (and enum names) the schema does not know instead of failing.
    public var ignoreUnknownFields: Bool
    public var limits: CodecLimits

    public init(
        emitDefaults: Bool = false, useProtoNames: Bool = false, enumsAsInts: Bool = false,
        ignoreUnknownFields: Bool = false, limits: CodecLimits = .default
    ) {
        self.emitDefaults = emitDefaults
        self.useProtoNames = useProtoNames
        self.enumsAsInts = enumsAsInts
        self.ignoreUnknownFields = ignoreUnknownFields
        self.limits = limits
    }
}
