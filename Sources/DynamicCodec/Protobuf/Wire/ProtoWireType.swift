/// The six wire types of the Protobuf encoding (3 and 4 are the deprecated group delimiters).
public enum ProtoWireType: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// Field numbers are 29-bit; 19000–19999 are reserved for the implementation but legal on the wire.
package let maxProtoFieldNumber = (1 << 29) - 1

/// Helpers for tags and varints shared by the reader and the writer.
package enum ProtoVarint {
    /// Number of bytes `value` takes as a varint.
    @inline(__always)
    package static func size(_ value: UInt64) -> Int {
        // (bits + 6) / 7 with bits = 64 - lzcnt, minimum 1.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inline(__always)
    package static func zigZag(_ value: Int32) -> UInt32 { UInt32(bitPattern: (value << 1) ^ (value >> 31)) }
    @inline(__always)
    package static func zigZag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    @inline(__always)
    package static func unZigZag(_ value: UInt32) -> Int32 { Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1) }
    @inline(__always)
    package static func unZigZag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    package static func tag(_ number: Int, _ wireType: ProtoWireType) -> UInt64 {
        UInt64(number) << 3 | UInt64(wireType.rawValue)
    }
}
