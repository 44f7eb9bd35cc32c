/// A writer for one Thrift protocol, appending to a byte array.
package protocol ThriftWriting {
    var bytes: [UInt8] { get set }
    init()
    mutating func beginStruct()
    mutating func endStruct()
    /// Writes a field header. For bools in the compact protocol the value goes into the header: call
    /// ``writeBoolField(id:value:)`` instead.
    mutating func writeFieldHeader(_ type: ThriftWireType, id: Int16)
    mutating func writeBoolField(id: Int16, value: Bool)
    mutating func writeStop()
    mutating func writeBool(_ value: Bool)
    mutating func writeByte(_ value: Int8)
    mutating func writeI16(_ value: Int16)
    mutating func writeI32(_ value: Int32)
    mutating func writeI64(_ value: Int64)
    mutating func writeDouble(_ value: Double)
    mutating func writeBinary(_ value: UnsafeRawBufferPointer)
    mutating func writeUUID(_ value: UnsafeRawBufferPointer)
    mutating func writeListHeader(_ element: ThriftWireType, count: Int)
    mutating func writeMapHeader(key: ThriftWireType, value: ThriftWireType, count: Int)
    mutating func writeMessageHeader(name: String, type: ThriftMessageType, sequenceID: Int32)
    /// Sets the id the next field header is written relative to (compact deltas); no effect in binary.
    mutating func setPreviousFieldID(_ id: Int16)
}

/// Writes the Thrift binary protocol.
package struct ThriftBinaryWriter: ThriftWriting {
    package var bytes: [UInt8] = []
    package init() {}
    @inline(__always) package mutating func beginStruct() {}
    @inline(__always) package mutating func endStruct() {}
    @inline(__always) package mutating func setPreviousFieldID(_ id: Int16) {}

    @inline(__always)
    package mutating func writeFieldHeader(_ type: ThriftWireType, id: Int16) {
        bytes.append(type.rawValue)
        writeI16(id)
    }

    package mutating func writeBoolField(id: Int16, value: Bool) {
        writeFieldHeader(.bool, id: id)
        writeBool(value)
    }

    @inline(__always) package mutating func writeStop() { bytes.append(0) }
    @inline(__always) package mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    @inline(__always) package mutating func writeByte(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }

    @inline(__always)
    package mutating func writeI16(_ value: Int16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func writeI32(_ value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func writeI64(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func writeDouble(_ value: Double) { writeI64(Int64(bitPattern: value.bitPattern)) }

    @inline(__always)
    package mutating func writeBinary(_ value: UnsafeRawBufferPointer) {
        writeI32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func writeUUID(_ value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value.prefix(16)) }

    package mutating func writeListHeader(_ element: ThriftWireType, count: Int) {
        bytes.append(element.rawValue)
        writeI32(Int32(count))
    }

    package mutating func writeMapHeader(key: ThriftWireType, value: ThriftWireType, count: Int) {
        bytes.append(key.rawValue)
        bytes.append(value.rawValue)
        writeI32(Int32(count))
    }

    package mutating func writeMessageHeader(name: String, type: ThriftMessageType, sequenceID: Int32) {
        writeI32(Int32(bitPattern: 0x8001_0000 | UInt32(type.rawValue)))
        var name = name
        name.withUTF8 { writeBinary(UnsafeRawBufferPointer($0)) }
        writeI32(sequenceID)
    }
}

/// Writes the Thrift compact protocol.
package struct ThriftCompactWriter: ThriftWriting {
    package var bytes: [UInt8] = []
    package var lastFieldIds: [Int16] = []
    package var lastFieldId: Int16 = 0
    package init() {}

    package mutating func beginStruct() {
        lastFieldIds.append(lastFieldId)
        lastFieldId = 0
    }

    package mutating func endStruct() { lastFieldId = lastFieldIds.popLast() ?? 0 }
    package mutating func setPreviousFieldID(_ id: Int16) { lastFieldId = id }

    @inline(__always)
    package mutating func header(_ code: UInt8, id: Int16) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | code)
        } else {
            bytes.append(code)
            bytes.appendVarint(UInt64(ProtoVarint.zigZag(Int32(id))))
        }
        lastFieldId = id
    }

    @inline(__always)
    package mutating func writeFieldHeader(_ type: ThriftWireType, id: Int16) { header(type.compactCode, id: id) }

    package mutating func writeBoolField(id: Int16, value: Bool) { header(value ? 1 : 2, id: id) }

    @inline(__always) package mutating func writeStop() { bytes.append(0) }
    @inline(__always) package mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 2) }
    @inline(__always) package mutating func writeByte(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    @inline(__always) package mutating func writeI16(_ value: Int16) { bytes.appendVarint(UInt64(ProtoVarint.zigZag(Int32(value)))) }
    @inline(__always) package mutating func writeI32(_ value: Int32) { bytes.appendVarint(UInt64(ProtoVarint.zigZag(value))) }
    @inline(__always) package mutating func writeI64(_ value: Int64) { bytes.appendVarint(ProtoVarint.zigZag(value)) }

    @inline(__always)
    package mutating func writeDouble(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func writeBinary(_ value: UnsafeRawBufferPointer) {
        bytes.appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func writeUUID(_ value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value.prefix(16)) }

    package mutating func writeListHeader(_ element: ThriftWireType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.compactCode)
        } else {
            bytes.append(0xF0 | element.compactCode)
            bytes.appendVarint(UInt64(count))
        }
    }

    package mutating func writeMapHeader(key: ThriftWireType, value: ThriftWireType, count: Int) {
        bytes.appendVarint(UInt64(count))
        if count > 0 { bytes.append(key.compactCode << 4 | value.compactCode) }
    }

    package mutating func writeMessageHeader(name: String, type: ThriftMessageType, sequenceID: Int32) {
        bytes.append(0x82)
        bytes.append(type.rawValue << 5 | 1)
        bytes.appendVarint(UInt64(UInt32(bitPattern: sequenceID)))
        var name = name
        name.withUTF8 { writeBinary(UnsafeRawBufferPointer($0)) }
    }
}
