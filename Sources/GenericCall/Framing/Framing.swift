public import DynamicCodec

/// How RPC messages are delimited on a byte stream (shared/specs/rpc-wire.md).
public enum Framing: String, Sendable, Hashable, CaseIterable {
    /// A bare Thrift message; the reader parses it to find its end.
    case buffered
    /// A u32 big-endian length, then a Thrift message (Apache TFramedTransport).
    case framed
    /// Kitex's TTHeader: a length, a header with info key/values, then the message.
    case ttheader
    /// Kitex protobuf: a length, a Thrift-like envelope with type 0x9001, then a protobuf message.
    case kitexProtobuf = "kitex-protobuf"
    /// gRPC over HTTP/2: each message prefixed by a compressed flag and a u32 length.
    case grpc

    /// Guesses the framing of a stream from its first 8 bytes, as the spec describes; nil when unknown.
    public static func detect(_ prefix: some Collection<UInt8>) -> Framing? {
        let bytes = Array(prefix.prefix(8))
        guard bytes.count >= 4 else { return nil }
        let first = UInt32(bigEndian: bytes)
        if first & 0xFFFF_0000 == 0x8001_0000 { return .buffered }
        if bytes.count >= 2, bytes[0] == 0x82, bytes[1] & 0x1F == 1 { return .buffered }
        guard bytes.count == 8 else { return nil }
        let second = UInt32(bigEndian: Array(bytes[4..<8]))
        switch second & 0xFFFF_0000 {
        case 0x1000_0000: return .ttheader
        case 0x8001_0000: return .framed
        case 0x9001_0000: return .kitexProtobuf
        default: break
        }
        if bytes[4] == 0x82 { return .framed }
        return nil
    }
}

/// What a framing decoder does with the bytes received so far.
public enum FrameResult<Frame: Sendable>: Sendable {
    /// A whole frame and how many bytes it took.
    case frame(Frame, consumed: Int)
    /// More bytes are needed.
    case needMore
}

/// The largest frame accepted by default (a declared length above it is an error at once).
public let defaultMaxFrameSize = 16 << 20

extension UInt32 {
    /// Reads a big-endian u32 from the first 4 bytes.
    init(bigEndian bytes: some Collection<UInt8>) {
        var value: UInt32 = 0
        for byte in bytes.prefix(4) { value = value << 8 | UInt32(byte) }
        self = value
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
