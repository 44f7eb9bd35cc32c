public import DynamicCodec

/// Unframed ("buffered") Thrift: messages follow each other on the stream; the end of one is found by parsing it.
public enum BufferedThriftFrame {
    /// The first complete message in `bytes`, or `.needMore`.
    public static func decode(_ bytes: ArraySlice<UInt8>, encoding: ThriftProtocol, maxSize: Int = defaultMaxFrameSize)
        throws(FramingError) -> FrameResult<ArraySlice<UInt8>>
    {
        do {
            guard let length = try ThriftMessageHeader.messageLength(
                in: bytes, encoding: encoding, limits: CodecLimits(maxMessageSize: maxSize))
            else { return .needMore }
            return .frame(bytes.prefix(length), consumed: length)
        } catch {
            throw FramingError("malformed Thrift message: \(error)", offset: error.offset ?? 0)
        }
    }
}
