/// Appends Protobuf-encoded values to a byte array.
package struct ProtoWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    package mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    package mutating func writeTag(_ number: Int, _ wireType: ProtoWireType) {
        writeVarint(ProtoVarint.tag(number, wireType))
    }

    @inline(__always)
    package mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func writeLengthDelimited<Bytes: Collection>(_ payload: Bytes) where Bytes.Element == UInt8 {
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Starts a length-delimited value whose length is not known yet; finish it with ``endLengthDelimited(_:)``.
    /// One byte is reserved for the length; longer lengths shift the payload once.
    package mutating func beginLengthDelimited() -> Int {
        bytes.append(0)
        return bytes.count
    }

    package mutating func endLengthDelimited(_ payloadStart: Int) {
        let length = bytes.count - payloadStart
        let size = ProtoVarint.size(UInt64(length))
        if size == 1 {
            bytes[payloadStart - 1] = UInt8(length)
            return
        }
        bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: payloadStart)
        var value = UInt64(length)
        var index = payloadStart - 1
        while value >= 0x80 {
            bytes[index] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            index += 1
        }
        bytes[index] = UInt8(value)
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as a varint.
    @inline(__always)
    package mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(value))
    }
}
