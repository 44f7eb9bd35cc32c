/// Numeric limits of the protobuf schema language.
enum ProtoSourceRules {
    /// Largest field number: 2^29 - 1.
    static let maxFieldNumber: Int32 = 536_870_911
    /// Field numbers reserved for the protobuf implementation.
    static let implementationReserved: ClosedRange<Int32> = 19000...19999
}
