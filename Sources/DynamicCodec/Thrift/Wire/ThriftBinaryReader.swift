/// Reads the Thrift binary protocol: big-endian fixed-width integers, i32 lengths and counts.
package struct ThriftBinaryReader: ThriftReading {
    package let base: UnsafeRawPointer
    package var position: Int
    package let end: Int
    package let maxDepth: Int

    package init(base: UnsafeRawPointer, range: Range<Int>, maxDepth: Int = 100) {
        self.base = base
        position = range.lowerBound
        end = range.upperBound
        self.maxDepth = maxDepth
    }

    @inline(__always)
    package mutating func need(_ count: Int) throws(CodecError) {
        guard end - position >= count else { throw .truncated(at: position) }
    }

    @inline(__always) package mutating func beginStruct() throws(CodecError) {}
    @inline(__always) package mutating func endStruct() {}

    @inline(__always)
    package mutating func readFieldHeader() throws(CodecError) -> (type: ThriftWireType, id: Int16)? {
        try need(1)
        let code = byte(at: position)
        if code == 0 {
            position += 1
            return nil
        }
        guard let type = ThriftWireType(rawValue: code), code != 1 else { throw .invalidThriftType(code, at: position) }
        try need(3)
        let id = Int16(bitPattern: UInt16(byte(at: position + 1)) << 8 | UInt16(byte(at: position + 2)))
        position += 3
        return (type, id)
    }

    @inline(__always)
    package mutating func readBool() throws(CodecError) -> Bool {
        try need(1)
        position += 1
        return byte(at: position - 1) != 0
    }

    @inline(__always)
    package mutating func readByte() throws(CodecError) -> Int8 {
        try need(1)
        position += 1
        return Int8(bitPattern: byte(at: position - 1))
    }

    @inline(__always)
    package mutating func readI16() throws(CodecError) -> Int16 {
        try need(2)
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt16.self)
        position += 2
        return Int16(bitPattern: UInt16(bigEndian: value))
    }

    @inline(__always)
    package mutating func readI32() throws(CodecError) -> Int32 {
        try need(4)
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return Int32(bitPattern: UInt32(bigEndian: value))
    }

    @inline(__always)
    package mutating func readI64() throws(CodecError) -> Int64 {
        try need(8)
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Int64(bitPattern: UInt64(bigEndian: value))
    }

    @inline(__always)
    package mutating func readDouble() throws(CodecError) -> Double {
        Double(bitPattern: UInt64(bitPattern: try readI64()))
    }

    @inline(__always)
    package mutating func readBinary() throws(CodecError) -> Range<Int> {
        let start = position
        let length = Int(try readI32())
        guard length >= 0, length <= end - position else {
            position = start
            throw .lengthOutOfBounds(UInt64(bitPattern: Int64(length)), at: start)
        }
        position += length
        return (position - length)..<position
    }

    package mutating func readUUID() throws(CodecError) -> Range<Int> {
        try need(16)
        position += 16
        return (position - 16)..<position
    }

    package mutating func readListHeader() throws(CodecError) -> (element: ThriftWireType, count: Int) {
        let start = position
        try need(5)
        let code = byte(at: position)
        guard let element = ThriftWireType(rawValue: code), element != .stop else {
            throw .invalidThriftType(code, at: position)
        }
        position += 1
        let count = Int(try readI32())
        try checkCount(count, minimumSize: element.binaryMinimumSize, at: start)
        return (element, count)
    }

    package mutating func readMapHeader() throws(CodecError) -> (key: ThriftWireType, value: ThriftWireType, count: Int) {
        let start = position
        try need(6)
        let keyCode = byte(at: position)
        let valueCode = byte(at: position + 1)
        position += 2
        let count = Int(try readI32())
        // An empty map may have no types (0, 0): the compact protocol writes none for it, so that is what a
        // converter (ours, Apache Thrift's) writes for a map whose declared types it does not know.
        if count == 0 && keyCode == 0 && valueCode == 0 { return (.stop, .stop, 0) }
        guard let key = ThriftWireType(rawValue: keyCode), key != .stop else {
            throw .invalidThriftType(keyCode, at: start)
        }
        guard let value = ThriftWireType(rawValue: valueCode), value != .stop else {
            throw .invalidThriftType(valueCode, at: start + 1)
        }
        try checkCount(count, minimumSize: key.binaryMinimumSize + value.binaryMinimumSize, at: start)
        return (key, value, count)
    }

    @inline(__always)
    package mutating func skipFixedElements(_ type: ThriftWireType, count: Int) throws(CodecError) -> Bool {
        guard let size = type.binaryFixedSize else { return false }
        try need(size * count)
        position += size * count
        return true
    }

    package mutating func readMessageHeader() throws(CodecError) -> ThriftMessageHeader {
        let start = position
        let first = try readI32()
        if first < 0 {
            // Strict: version 1 in the top half, the message type in the low byte.
            guard UInt32(bitPattern: first) & 0xFFFF_0000 == 0x8001_0000 else {
                throw CodecError(.invalidValue, "unsupported Thrift binary protocol version", offset: start)
            }
            guard let type = ThriftMessageType(rawValue: UInt8(first & 0xFF)) else {
                throw CodecError(.invalidValue, "invalid message type \(first & 0xFF)", offset: start)
            }
            let name = try readBinary()
            let sequenceID = try readI32()
            return ThriftMessageHeader(
                name: String(decoding: UnsafeRawBufferPointer(start: base + name.lowerBound, count: name.count),
                             as: UTF8.self),
                type: type, sequenceID: sequenceID, isStrict: true, payloadStart: position)
        }
        // Non-strict: the name's length came first.
        position = start
        let name = try readBinary()
        let typeCode = UInt8(bitPattern: try readByte())
        guard let type = ThriftMessageType(rawValue: typeCode) else {
            throw CodecError(.invalidValue, "invalid message type \(typeCode)", offset: position - 1)
        }
        let sequenceID = try readI32()
        return ThriftMessageHeader(
            name: String(decoding: UnsafeRawBufferPointer(start: base + name.lowerBound, count: name.count),
                         as: UTF8.self),
            type: type, sequenceID: sequenceID, isStrict: false, payloadStart: position)
    }
}

extension ThriftWireType {
    /// Bytes one value of this type takes in the binary protocol, when fixed.
    package var binaryFixedSize: Int? {
        switch self {
        case .bool, .byte: 1
        case .i16: 2
        case .i32: 4
        case .i64, .double: 8
        case .uuid: 16
        default: nil
        }
    }

    /// The fewest bytes a value can take in the binary protocol (a string's length, an empty struct's STOP...).
    package var binaryMinimumSize: Int {
        switch self {
        case .string, .list, .set: 4
        case .map: 4
        case .struct: 1
        default: binaryFixedSize ?? 1
        }
    }
}
