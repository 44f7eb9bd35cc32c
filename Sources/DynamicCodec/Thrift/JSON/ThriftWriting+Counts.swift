/// A Thrift writer that can write a container before knowing its element count: the header is reserved, the
/// elements are written as they are read, and the count is patched in at the end.
package protocol ThriftCountPatching: ThriftWriting {
    /// Reserves a list or set header; returns where it is, for ``patchListHeader(at:element:count:)``.
    mutating func reserveListHeader(_ element: ThriftWireType) -> Int
    mutating func patchListHeader(at header: Int, element: ThriftWireType, count: Int)
    mutating func reserveMapHeader(key: ThriftWireType, value: ThriftWireType) -> Int
    mutating func patchMapHeader(at header: Int, key: ThriftWireType, value: ThriftWireType, count: Int)
}

extension ThriftBinaryWriter: ThriftCountPatching {
    // Counts are fixed-width i32: the reserved bytes are simply overwritten.

    package mutating func reserveListHeader(_ element: ThriftWireType) -> Int {
        bytes.append(element.rawValue)
        bytes.append(contentsOf: [0, 0, 0, 0])
        return bytes.count - 4
    }

    package mutating func patchListHeader(at header: Int, element: ThriftWireType, count: Int) {
        patchCount(at: header, count)
    }

    package mutating func reserveMapHeader(key: ThriftWireType, value: ThriftWireType) -> Int {
        bytes.append(key.rawValue)
        bytes.append(value.rawValue)
        bytes.append(contentsOf: [0, 0, 0, 0])
        return bytes.count - 4
    }

    package mutating func patchMapHeader(at header: Int, key: ThriftWireType, value: ThriftWireType, count: Int) {
        patchCount(at: header, count)
    }

    @inline(__always)
    private mutating func patchCount(at offset: Int, _ count: Int) {
        let value = UInt32(truncatingIfNeeded: count)
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}

extension ThriftCompactWriter: ThriftCountPatching {
    // The short forms are reserved (one header byte for a list, one count byte plus the types byte for a map);
    // a larger count widens the header in place, shifting the elements once.

    package mutating func reserveListHeader(_ element: ThriftWireType) -> Int {
        bytes.append(element.compactCode)
        return bytes.count - 1
    }

    package mutating func patchListHeader(at header: Int, element: ThriftWireType, count: Int) {
        if count < 15 {
            bytes[header] = UInt8(count) << 4 | element.compactCode
            return
        }
        bytes[header] = 0xF0 | element.compactCode
        bytes.insert(contentsOf: Self.varint(UInt64(count)), at: header + 1)
    }

    package mutating func reserveMapHeader(key: ThriftWireType, value: ThriftWireType) -> Int {
        bytes.append(0)
        bytes.append(key.compactCode << 4 | value.compactCode)
        return bytes.count - 2
    }

    package mutating func patchMapHeader(at header: Int, key: ThriftWireType, value: ThriftWireType, count: Int) {
        if count == 0 {
            bytes.removeLast()  // An empty map is the single byte 0, without types.
            return
        }
        if count < 0x80 {
            bytes[header] = UInt8(count)
            return
        }
        let encoded = Self.varint(UInt64(count))
        bytes[header] = encoded[0]
        bytes.insert(contentsOf: encoded[1...], at: header + 1)
    }

    package static func varint(_ value: UInt64) -> [UInt8] {
        var encoded: [UInt8] = []
        var remaining = value
        while remaining >= 0x80 {
            encoded.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        encoded.append(UInt8(remaining))
        return encoded
    }
}
