/// The u32 big-endian length prefix shared by framed Thrift, TTHeader and Kitex protobuf.
public enum LengthPrefixedFrame {
    /// Prepends the length of `payload`.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 4)
        out.appendBigEndian(UInt32(payload.count))
        out.append(contentsOf: payload)
        return out
    }

    /// The payload of the first frame in `bytes` (without its length), or `.needMore`.
    public static func decode(_ bytes: ArraySlice<UInt8>, maxSize: Int = defaultMaxFrameSize) throws(FramingError)
        -> FrameResult<ArraySlice<UInt8>>
    {
        guard bytes.count >= 4 else { return .needMore }
        let length = Int(UInt32(bigEndian: bytes))
        guard length <= maxSize else {
            throw FramingError("frame of \(length) bytes exceeds the limit of \(maxSize)", offset: 0)
        }
        guard bytes.count >= 4 + length else { return .needMore }
        let start = bytes.startIndex + 4
        return .frame(bytes[start..<(start + length)], consumed: 4 + length)
    }
}
