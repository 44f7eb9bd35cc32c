/// Kitex's TTHeader frame: a length, magic 0x1000, flags, sequence id, a header of protocol id, transforms and
/// info key/values (padded to 4 bytes), then the payload message. Layout in shared/specs/rpc-wire.md.
public struct TTHeader: Sendable, Hashable {
    /// The header's protocol id. Kitex writes 0x00 for Thrift binary and Kitex protobuf alike and accepts 0x00,
    /// 0x03, 0x04, 0x10 and 0x11; it refuses 0x02 (compact). The payload's own first bytes tell what it is.
    public struct ProtocolID: RawRepresentable, Sendable, Hashable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// What Kitex writes for every payload (Thrift binary, Kitex protobuf).
        public static let thriftBinary = ProtocolID(rawValue: 0x00)
        /// Thrift compact: Portico-to-Portico only, Kitex refuses it ("unsupported ProtocolID[2]").
        public static let thriftCompact = ProtocolID(rawValue: 0x02)
        /// Kitex's older protobuf id, still accepted by its decoder.
        public static let kitexProtobuf = ProtocolID(rawValue: 0x04)

        /// The ids a reader accepts: Kitex's set, plus compact for Portico peers.
        static let accepted: Set<UInt8> = [0x00, 0x02, 0x03, 0x04, 0x10, 0x11]
    }

    /// The longest string a header can carry (a u16 length).
    public static let maxStringLength = Int(UInt16.max)
    /// The longest header (a u16 count of 4-byte words).
    public static let maxHeaderLength = Int(UInt16.max) * 4

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

    /// The whole frame, length prefix included. Throws when a string is longer than 65,535 bytes, a block has more
    /// than 65,535 entries, the header exceeds 262,140 bytes or the frame 0x3FFFFFFF: the format cannot say so, and
    /// cutting a length would corrupt the frame.
    public func encoded() throws(FramingError) -> [UInt8] {
        var header: [UInt8] = [protocolID.rawValue, 0]
        if !stringInfo.isEmpty {
            header.append(0x01)
            try header.appendCount16(stringInfo.count, of: "string info entries")
            for pair in stringInfo {
                try header.appendString16(pair.key)
                try header.appendString16(pair.value)
            }
        }
        if !intInfo.isEmpty {
            header.append(0x10)
            try header.appendCount16(intInfo.count, of: "integer info entries")
            for pair in intInfo {
                header.appendBigEndian(pair.key)
                try header.appendString16(pair.value)
            }
        }
        if let aclToken {
            header.append(0x11)
            try header.appendString16(aclToken)
        }
        while header.count % 4 != 0 { header.append(0) }
        guard header.count <= Self.maxHeaderLength else {
            throw FramingError(
                "TTHeader header of \(header.count) bytes exceeds the format's limit of \(Self.maxHeaderLength)")
        }
        guard 10 + header.count + payload.count <= Self.maxLength else {
            throw FramingError("TTHeader frame of \(10 + header.count + payload.count) bytes exceeds the format's limit")
        }
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
        // The magic is checked as soon as it arrives, as Kitex does: a stream that is not TTHeader is refused
        // without waiting for the length it seems to announce.
        if bytes.count >= 6 {
            let magic = UInt16(bytes[bytes.startIndex + 4]) << 8 | UInt16(bytes[bytes.startIndex + 5])
            guard magic == Self.magic else {
                throw FramingError("not TTHeader: magic 0x\(String(magic, radix: 16)), expected 0x1000", offset: 4)
            }
        }
        guard bytes.count >= 4 + length else { return .needMore }
        var reader = ByteReader(bytes[(bytes.startIndex + 4)..<(bytes.startIndex + 4 + length)], offset: 4)
        let magic = try reader.u16()
        guard magic == Self.magic else {
            throw FramingError("TTHeader magic is 0x\(String(magic, radix: 16)), expected 0x1000", offset: 4)
        }
        let flags = try reader.u16()
        let sequenceID = Int32(bitPattern: try reader.u32())
        let headerWords = Int(try reader.u16())
        guard headerWords > 0 else { throw FramingError("TTHeader header length is 0", offset: 12) }
        let headerSize = headerWords * 4
        var header = ByteReader(try reader.bytes(headerSize), offset: reader.offset - headerSize)
        let protocolByte = try header.u8()
        guard ProtocolID.accepted.contains(protocolByte) else {
            throw FramingError("unknown TTHeader protocol id \(protocolByte)", offset: header.offset - 1)
        }
        // Transform ids (compression and the like) are skipped, as Kitex does; the payload must still decode.
        let transforms = Int(try header.u8())
        _ = try header.bytes(transforms)
        var frame = TTHeader(
            flags: flags, sequenceID: sequenceID, protocolID: ProtocolID(rawValue: protocolByte), payload: [])
        while !header.isAtEnd {
            let id = try header.u8()
            switch id {
            case 0x00:
                continue  // Padding; Kitex keeps reading blocks after it.
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
    mutating func appendString16(_ text: String) throws(FramingError) {
        let count = text.utf8.count
        guard count <= TTHeader.maxStringLength else {
            throw FramingError(
                "a TTHeader string of \(count) bytes exceeds the format's limit of \(TTHeader.maxStringLength)")
        }
        appendBigEndian(UInt16(count))
        append(contentsOf: text.utf8)
    }

    mutating func appendCount16(_ count: Int, of what: String) throws(FramingError) {
        guard count <= Int(UInt16.max) else {
            throw FramingError("\(count) TTHeader \(what) exceed the format's limit of 65,535")
        }
        appendBigEndian(UInt16(count))
    }
}
