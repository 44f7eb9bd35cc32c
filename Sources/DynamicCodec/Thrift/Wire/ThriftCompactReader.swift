/// Reads the Thrift compact protocol: zigzag varints, field-id deltas, bools folded into field headers,
/// little-endian doubles.
package struct ThriftCompactReader: ThriftReading {
    package let base: UnsafeRawPointer
    package var position: Int
    package let end: Int
    package let maxDepth: Int
    /// The previous field id of each open struct (ids are written as deltas from it).
    package var lastFieldIds: [Int16] = []
    package var lastFieldId: Int16 = 0
    /// A bool field's value, carried in its header.
    package var pendingBool: Bool?

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

    @inline(__always)
    package mutating func readVarint() throws(CodecError) -> UInt64 {
        var cursor = ProtoCursor(base: base, range: position..<end)
        let value = try cursor.readVarint()
        position = cursor.position
        return value
    }

    package mutating func beginStruct() throws(CodecError) {
        guard lastFieldIds.count < maxDepth else { throw .depthExceeded(maxDepth, at: position) }
        lastFieldIds.append(lastFieldId)
        lastFieldId = 0
    }

    package mutating func endStruct() {
        lastFieldId = lastFieldIds.popLast() ?? 0
    }

    @inline(__always)
    package mutating func readFieldHeader() throws(CodecError) -> (type: ThriftWireType, id: Int16)? {
        try need(1)
        let header = byte(at: position)
        if header == 0 {
            position += 1
            return nil
        }
        let start = position
        position += 1
        guard let type = ThriftWireType(compactCode: header & 0x0F) else {
            throw .invalidThriftType(header & 0x0F, at: start)
        }
        let delta = header >> 4
        let id: Int16
        if delta != 0 {
            id = lastFieldId &+ Int16(delta)
        } else {
            let raw = try readVarint()
            guard raw <= UInt64(UInt16.max) else {
                throw CodecError(.invalidFieldNumber, "field id does not fit 16 bits", offset: start)
            }
            id = ProtoVarint.unZigZag(UInt32(raw)).clampedToInt16
        }
        lastFieldId = id
        if type == .bool { pendingBool = header & 0x0F == 1 }
        return (type, id)
    }

    @inline(__always)
    package mutating func readBool() throws(CodecError) -> Bool {
        if let value = pendingBool {
            pendingBool = nil
            return value
        }
        try need(1)
        position += 1
        return byte(at: position - 1) == 1
    }

    @inline(__always)
    package mutating func readByte() throws(CodecError) -> Int8 {
        try need(1)
        position += 1
        return Int8(bitPattern: byte(at: position - 1))
    }

    @inline(__always)
    package mutating func readI16() throws(CodecError) -> Int16 {
        let start = position
        let raw = try readVarint()
        guard raw <= UInt64(UInt32.max) else { throw CodecError(.invalidValue, "i16 varint too long", offset: start) }
        let value = ProtoVarint.unZigZag(UInt32(raw))
        guard let narrow = Int16(exactly: value) else {
            throw CodecError(.invalidValue, "\(value) does not fit an i16", offset: start)
        }
        return narrow
    }

    @inline(__always)
    package mutating func readI32() throws(CodecError) -> Int32 {
        let start = position
        let raw = try readVarint()
        guard raw <= UInt64(UInt32.max) else { throw CodecError(.invalidValue, "i32 varint too long", offset: start) }
        return ProtoVarint.unZigZag(UInt32(raw))
    }

    @inline(__always)
    package mutating func readI64() throws(CodecError) -> Int64 {
        ProtoVarint.unZigZag(try readVarint())
    }

    @inline(__always)
    package mutating func readDouble() throws(CodecError) -> Double {
        try need(8)
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: value))
    }

    @inline(__always)
    package mutating func readBinary() throws(CodecError) -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            position = start
            throw .lengthOutOfBounds(length, at: start)
        }
        position += Int(length)
        return (position - Int(length))..<position
    }

    package mutating func readUUID() throws(CodecError) -> Range<Int> {
        try need(16)
        position += 16
        return (position - 16)..<position
    }

    package mutating func readListHeader() throws(CodecError) -> (element: ThriftWireType, count: Int) {
        let start = position
        try need(1)
        let header = byte(at: position)
        position += 1
        guard let element = ThriftWireType(compactCode: header & 0x0F), element != .stop else {
            throw .invalidThriftType(header & 0x0F, at: start)
        }
        var count = Int(header >> 4)
        if count == 15 {
            let wide = try readVarint()
            guard wide <= UInt64(Int32.max) else {
                throw CodecError(.lengthOutOfBounds, "container size \(wide) is too large", offset: start)
            }
            count = Int(wide)
        }
        try checkCount(count, minimumSize: 1, at: start)
        return (element, count)
    }

    package mutating func readMapHeader() throws(CodecError) -> (key: ThriftWireType, value: ThriftWireType, count: Int) {
        let start = position
        let wide = try readVarint()
        guard wide <= UInt64(Int32.max) else {
            throw CodecError(.lengthOutOfBounds, "map size \(wide) is too large", offset: start)
        }
        let count = Int(wide)
        if count == 0 { return (.stop, .stop, 0) }
        try need(1)
        let types = byte(at: position)
        position += 1
        guard let key = ThriftWireType(compactCode: types >> 4), key != .stop else {
            throw .invalidThriftType(types >> 4, at: position - 1)
        }
        guard let value = ThriftWireType(compactCode: types & 0x0F), value != .stop else {
            throw .invalidThriftType(types & 0x0F, at: position - 1)
        }
        try checkCount(count, minimumSize: 2, at: start)
        return (key, value, count)
    }

    @inline(__always)
    package mutating func skipFixedElements(_ type: ThriftWireType, count: Int) throws(CodecError) -> Bool {
        let size: Int
        switch type {
        case .bool, .byte: size = 1
        case .double: size = 8
        case .uuid: size = 16
        default: return false
        }
        try need(size * count)
        position += size * count
        return true
    }

    package mutating func readMessageHeader() throws(CodecError) -> ThriftMessageHeader {
        let start = position
        try need(2)
        guard byte(at: position) == 0x82 else {
            throw CodecError(.invalidValue, "not a compact protocol message (protocol id \(byte(at: position)))",
                             offset: start)
        }
        let versionAndType = byte(at: position + 1)
        guard versionAndType & 0x1F == 1 else {
            throw CodecError(.invalidValue, "unsupported compact protocol version \(versionAndType & 0x1F)",
                             offset: start + 1)
        }
        guard let type = ThriftMessageType(rawValue: versionAndType >> 5) else {
            throw CodecError(.invalidValue, "invalid message type \(versionAndType >> 5)", offset: start + 1)
        }
        position += 2
        let raw = try readVarint()
        let sequenceID = Int32(truncatingIfNeeded: raw)
        let name = try readBinary()
        return ThriftMessageHeader(
            name: String(decoding: UnsafeRawBufferPointer(start: base + name.lowerBound, count: name.count),
                         as: UTF8.self),
            type: type, sequenceID: sequenceID, isStrict: true, payloadStart: position)
    }
}

extension Int32 {
    /// Field ids are i16; larger zigzag values from hostile input wrap instead of trapping.
    package var clampedToInt16: Int16 { Int16(truncatingIfNeeded: self) }
}
