/// Kitex's TTHeader frame: a length, magic 0x1000, flags, sequence id, a header of protocol id, transforms and
/// info key/values (padded to 4 bytes), then the payload message. Layout in shared/specs/rpc-wire.md.
public struct TTHeader: Sendable, Hashable {
    /// The payload's encoding.
    public enum ProtocolID: UInt8, Sendable, Hashable {
        case thriftBinary = 0x00
        case thriftCompact = 0x02
        case kitexProtobuf = 0x04
    }

    /// Well-known integer info keys.
    public enum IntKey {
        public static let logID: UInt16 = 2
        public static let fromService: UInt16 = 3
        public static let toService: UInt16 = 6
        public static let toMethod: UInt16 = 9
        /// The RPC timeout in milliseconds.
        public static let rpcTimeout: UInt16 = 12
    }

    public var flags: UInt16
    public var sequenceID: Int32
    public var protocolID: ProtocolID
    /// String key/values (info id 0x01), in order; business errors travel as "biz-status" / "biz-message".
    public var stringInfo: [StringPair]
    /// Integer-keyed values (info id 0x10), in order.
    public var intInfo: [IntPair]
    /// The ACL token (info id 0x11).
    public var aclToken: String?
    public var payload: [UInt8]

    public struct StringPair: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public struct IntPair: Sendable, Hashable {
        public var key: UInt16
        public var value: String
        public init(_ key: UInt16, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public static let magic: UInt16 = 0x1000
    /// The largest length the first field may hold.
    public static let maxLength = 0x3FFF_FFFF

    public init(
        flags: UInt16 = 0, sequenceID: Int32, protocolID: ProtocolID, stringInfo: [StringPair] = [],
        intInfo: [IntPair] = [], aclToken: String? = nil, payload: [UInt8]
    ) {
        self.flags = flags
        self.sequenceID = sequenceID
        self.protocolID = protocolID
        self.stringInfo = stringInfo
        self.intInfo = intInfo
        self.aclToken = aclToken
        self.payload = payload
    }

    /// The value of a string info key.
    public func string(_ key: String) -> String? { stringInfo.last { $0.key == key }?.value }
    /// The value of an integer info key.
    public func value(_ key: UInt16) -> String? { intInfo.last { $0.key == key }?.value }

    /// The whole frame, length prefix included.
    public func encoded() -> [UInt8] {
        var header: [UInt8] = [protocolID.rawValue, 0]
        if !stringInfo.isEmpty {
            header.append(0x01)
            header.appendBigEndian(UInt16(stringInfo.count))
            for pair in stringInfo {
                header.appendString16(pair.key)
                header.appendString16(pair.value)
            }
        }
        if !intInfo.isEmpty {
            header.append(0x10)
            header.appendBigEndian(UInt16(intInfo.count))
            for pair in intInfo {
                header.appendBigEndian(pair.key)
                header.appendString16(pair.value)
            }
        }
        if let aclToken {
            header.append(0x11)
            header.appendString16(aclToken)
        }
        while header.count % 4 != 0 { header.append(0) }
        var out: [UInt8] = []
        out.reserveCapacity(14 + header.count + payload.count)
        out.appendBigEndian(UInt32(10 + header.count + payload.count))
        out.appendBigEndian(Self.magic)
        out.appendBigEndian(flags)
        out.appendBigEndian(UInt32(bitPattern: sequenceID))
        out.appendBigEndian(UInt16(header.count / 4))
        out.append(contentsOf: header)
        out.append(contentsOf: payload)
        return out
    }

    /// Decodes the first frame in `bytes`, or `.needMore`.
    public static func decode(_ bytes: ArraySlice<UInt8>, maxSize: Int = defaultMaxFrameSize) throws(FramingError)
        -> FrameResult<TTHeader>
    {
        guard bytes.count >= 4 else { return .needMore }
        let length = Int(UInt32(bigEndian: bytes))
        guard length <= min(maxSize, maxLength) else {
            throw FramingError("TTHeader frame of \(length) bytes exceeds the limit", offset: 0)
        }
        guard length >= 10 else { throw FramingError("TTHeader frame of \(length) bytes is too short", offset: 0) }
        guard bytes.count >= 4 + length else { return .needMore }
        var reader = ByteReader(bytes[(bytes.startIndex + 4)..<(bytes.startIndex + 4 + length)], offset: 4)
        let magic = try reader.u16()
        guard magic == Self.magic else {
            throw FramingError("TTHeader magic is 0x\(String(magic, radix: 16)), expected 0x1000", offset: 4)
        }
        let flags = try reader.u16()
        let sequenceID = Int32(bitPattern: try reader.u32())
        let headerSize = Int(try reader.u16()) * 4
        var header = ByteReader(try reader.bytes(headerSize), offset: reader.offset - headerSize)
        let protocolByte = try header.u8()
        guard let protocolID = ProtocolID(rawValue: protocolByte) else {
            throw FramingError("unknown TTHeader protocol id \(protocolByte)", offset: header.offset - 1)
        }
        let transforms = try header.u8()
        guard transforms == 0 else {
            throw FramingError("TTHeader transforms (\(transforms)) are not supported", offset: header.offset - 1)
        }
        var frame = TTHeader(flags: flags, sequenceID: sequenceID, protocolID: protocolID, payload: [])
        infoLoop: while !header.isAtEnd {
            let id = try header.u8()
            switch id {
            case 0x00:
                break infoLoop  // Padding to the end of the header.
            case 0x01:
                for _ in 0..<(try header.u16()) {
                    frame.stringInfo.append(StringPair(try header.string16(), try header.string16()))
                }
            case 0x10:
                for _ in 0..<(try header.u16()) {
                    frame.intInfo.append(IntPair(try header.u16(), try header.string16()))
                }
            case 0x11:
                frame.aclToken = try header.string16()
            default:
                throw FramingError("unknown TTHeader info id 0x\(String(id, radix: 16))", offset: header.offset - 1)
            }
        }
        frame.payload = Array(reader.rest)
        return .frame(frame, consumed: 4 + length)
    }
}

/// Bounds-checked big-endian reads over a frame.
struct ByteReader {
    private var bytes: ArraySlice<UInt8>
    /// Offset in the original stream chunk, for errors.
    private(set) var offset: Int

    init(_ bytes: ArraySlice<UInt8>, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { bytes.isEmpty }
    var rest: ArraySlice<UInt8> { bytes }

    mutating func bytes(_ count: Int) throws(FramingError) -> ArraySlice<UInt8> {
        guard count <= bytes.count else {
            throw FramingError("\(count) bytes needed, \(bytes.count) left in the frame", offset: offset)
        }
        let taken = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        offset += count
        return taken
    }

    mutating func u8() throws(FramingError) -> UInt8 { try bytes(1).first! }
    mutating func u16() throws(FramingError) -> UInt16 {
        let pair = try bytes(2)
        return UInt16(pair[pair.startIndex]) << 8 | UInt16(pair[pair.startIndex + 1])
    }
    mutating func u32() throws(FramingError) -> UInt32 { UInt32(bigEndian: try bytes(4)) }
    mutating func string16() throws(FramingError) -> String {
        String(decoding: try bytes(Int(try u16())), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    mutating func appendString16(_ text: String) {
        appendBigEndian(UInt16(truncatingIfNeeded: text.utf8.count))
        append(contentsOf: text.utf8.prefix(Int(UInt16.max)))
    }
}
