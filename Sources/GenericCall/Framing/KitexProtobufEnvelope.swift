public import DynamicCodec

/// The Kitex protobuf envelope: `0x9001_0000 | type`, u32-length method name, u32 sequence id, then the protobuf
/// message (inside a length-prefixed frame).
public struct KitexProtobufEnvelope: Sendable, Hashable {
    public var method: String
    public var type: ThriftMessageType
    public var sequenceID: Int32
    public var payload: [UInt8]

    public init(method: String, type: ThriftMessageType, sequenceID: Int32, payload: [UInt8]) {
        self.method = method
        self.type = type
        self.sequenceID = sequenceID
        self.payload = payload
    }

    /// The envelope and payload, without the outer length prefix.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + method.utf8.count + 12)
        out.appendBigEndian(0x9001_0000 | UInt32(type.rawValue))
        out.appendBigEndian(UInt32(method.utf8.count))
        out.append(contentsOf: method.utf8)
        out.appendBigEndian(UInt32(bitPattern: sequenceID))
        out.append(contentsOf: payload)
        return out
    }

    /// Decodes an envelope (the content of one frame).
    public init(decoding bytes: ArraySlice<UInt8>) throws(FramingError) {
        guard bytes.count >= 12 else { throw FramingError("Kitex protobuf envelope is too short", offset: 0) }
        let base = bytes.startIndex
        let first = UInt32(bigEndian: bytes)
        guard first & 0xFFFF_0000 == 0x9001_0000, let type = ThriftMessageType(rawValue: UInt8(first & 0xFF)) else {
            throw FramingError("not a Kitex protobuf envelope (0x\(String(first, radix: 16)))", offset: 0)
        }
        let nameLength = Int(UInt32(bigEndian: bytes[(base + 4)...]))
        guard nameLength <= bytes.count - 12 else {
            throw FramingError("method name of \(nameLength) bytes runs past the frame", offset: 4)
        }
        let nameStart = base + 8
        method = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
        sequenceID = Int32(bitPattern: UInt32(bigEndian: bytes[(nameStart + nameLength)...]))
        self.type = type
        payload = Array(bytes[(nameStart + nameLength + 4)...])
    }
}
