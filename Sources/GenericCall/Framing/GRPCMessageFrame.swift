/// The 5-byte prefix of each gRPC message: a compressed flag and a u32 big-endian length.
public enum GRPCMessageFrame {
    public static func encode(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        var out: [UInt8] = [compressed ? 1 : 0]
        out.reserveCapacity(message.count + 5)
        out.appendBigEndian(UInt32(message.count))
        out.append(contentsOf: message)
        return out
    }

    /// The first message in `bytes` and whether it is compressed, or `.needMore`.
    public static func decode(_ bytes: ArraySlice<UInt8>, maxSize: Int = defaultMaxFrameSize) throws(FramingError)
        -> FrameResult<(compressed: Bool, message: ArraySlice<UInt8>)>
    {
        guard bytes.count >= 5 else { return .needMore }
        let flag = bytes[bytes.startIndex]
        guard flag <= 1 else { throw FramingError("invalid compressed flag \(flag)", offset: 0) }
        let length = Int(UInt32(bigEndian: bytes.dropFirst()))
        guard length <= maxSize else { throw FramingError("message of \(length) bytes exceeds the limit", offset: 1) }
        guard bytes.count >= 5 + length else { return .needMore }
        let start = bytes.startIndex + 5
        return .frame((flag == 1, bytes[start..<(start + length)]), consumed: 5 + length)
    }
}
