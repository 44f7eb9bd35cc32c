/// Options of the Thrift <-> JSON conversion (the CloudWeGo dynamicgo / Kitex generic-call conventions).
///
/// One value serves both directions; each option says which direction it affects.
public struct ThriftJSONOptions: Sendable, Hashable {
    /// Thrift -> JSON: write enum values as their names (a number without a name stays a number). Reading
    /// accepts names and numbers either way.
    public var enumsAsNames: Bool
    /// Both ways: every i64 travels as a JSON string, as `api.js_conv` does for one field.
    public var int64AsString: Bool
    /// Both ways: binary values are raw UTF-8 strings instead of standard base64 (dynamicgo's `NoBase64Binary`).
    /// Binary that is not valid UTF-8 then fails with `INVALID_UTF8`.
    public var binaryAsString: Bool
    /// Write fields of default requiredness that the input lacks, with their IDL default or zero value.
    /// JSON -> Thrift writes them to the struct; Thrift -> JSON writes them to the object.
    public var writeDefault: Bool
    /// Write `required` fields the input lacks with their IDL default or zero value. Without it, JSON -> Thrift
    /// fails with `MISSING_REQUIRED_FIELD` (Thrift -> JSON just leaves them out).
    public var writeRequired: Bool
    /// Also write `optional` fields the input lacks, with their IDL default or zero value.
    public var writeOptional: Bool
    /// JSON -> Thrift: accept numbers given as JSON strings (`"123"`) for every integer, double and enum field.
    /// Fields with `api.js_conv` (and i64 fields under ``int64AsString``) accept strings regardless.
    public var stringToNumber: Bool
    /// JSON -> Thrift: skip keys the struct does not have instead of failing with `UNKNOWN_FIELD`.
    public var ignoreUnknownFields: Bool
    public var limits: CodecLimits

    public init(
        enumsAsNames: Bool = false, int64AsString: Bool = false, binaryAsString: Bool = false,
        writeDefault: Bool = false, writeRequired: Bool = false, writeOptional: Bool = false,
        stringToNumber: Bool = false, ignoreUnknownFields: Bool = false, limits: CodecLimits = .default
    ) {
        self.enumsAsNames = enumsAsNames
        self.int64AsString = int64AsString
        self.binaryAsString = binaryAsString
        self.writeDefault = writeDefault
        self.writeRequired = writeRequired
        self.writeOptional = writeOptional
        self.stringToNumber = stringToNumber
        self.ignoreUnknownFields = ignoreUnknownFields
        self.limits = limits
    }

    /// Whether a field of this requiredness is written when the input lacks it.
    @inline(__always)
    func fillsAbsent(_ requiredness: ThriftRequiredness) -> Bool {
        switch requiredness {
        case .required: writeRequired
        case .default: writeDefault
        case .optional: writeOptional
        }
    }

    var fillsAnyAbsent: Bool { writeDefault || writeRequired || writeOptional }
}
