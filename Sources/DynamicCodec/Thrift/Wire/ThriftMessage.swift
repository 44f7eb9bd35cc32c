/// Thrift message envelopes for other modules (the RPC client and mock server): reading and writing headers, and
/// finding where a message ends in a stream without decoding it.
extension ThriftMessageHeader {
    public init(name: String, type: ThriftMessageType, sequenceID: Int32) {
        self.init(name: name, type: type, sequenceID: sequenceID, isStrict: true, payloadStart: 0)
    }

    /// Reads the header at the start of `bytes`; `payloadStart` tells where the struct begins.
    public static func read(from bytes: [UInt8], encoding: ThriftProtocol) throws(CodecError) -> ThriftMessageHeader {
        try bytes.withCodecBytes { (buffer) throws(CodecError) in try read(from: buffer, encoding: encoding) }
    }

    /// Reads the header at the start of `buffer` (bytes someone else owns, such as a network read buffer).
    public static func read(from buffer: UnsafeRawBufferPointer, encoding: ThriftProtocol) throws(CodecError)
        -> ThriftMessageHeader
    {
        let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
        switch encoding {
        case .binary:
            var reader = ThriftBinaryReader(base: base, range: 0..<buffer.count)
            return try reader.readMessageHeader()
        case .compact:
            var reader = ThriftCompactReader(base: base, range: 0..<buffer.count)
            return try reader.readMessageHeader()
        }
    }

    /// The encoded header (binary: the strict form), to be followed by the payload struct.
    public func encoded(_ encoding: ThriftProtocol) -> [UInt8] {
        switch encoding {
        case .binary:
            var writer = ThriftBinaryWriter()
            writer.writeMessageHeader(name: name, type: type, sequenceID: sequenceID)
            return writer.bytes
        case .compact:
            var writer = ThriftCompactWriter()
            writer.writeMessageHeader(name: name, type: type, sequenceID: sequenceID)
            return writer.bytes
        }
    }

    /// The length of the complete message (header and struct) at the start of `bytes`, or nil when more bytes are
    /// needed — how an unframed ("buffered") stream finds message boundaries. Malformed input is an error.
    public static func messageLength(in bytes: ArraySlice<UInt8>, encoding: ThriftProtocol, limits: CodecLimits = .default)
        throws(CodecError) -> Int?
    {
        let copy = Array(bytes)
        do {
            return try copy.withCodecBytes { (buffer) throws(CodecError) -> Int in
                let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
                switch encoding {
                case .binary:
                    var reader = ThriftBinaryReader(base: base, range: 0..<buffer.count, maxDepth: limits.maxDepth)
                    _ = try reader.readMessageHeader()
                    try reader.skip(.struct)
                    return reader.position
                case .compact:
                    var reader = ThriftCompactReader(base: base, range: 0..<buffer.count, maxDepth: limits.maxDepth)
                    _ = try reader.readMessageHeader()
                    try reader.skip(.struct)
                    return reader.position
                }
            }
        } catch {
            // Running out of bytes (or a count larger than what has arrived) means "wait for more".
            if error.code == .truncated || error.code == .lengthOutOfBounds {
                if copy.count >= limits.maxMessageSize { throw CodecError(.sizeLimitExceeded, "message exceeds the limit") }
                return nil
            }
            throw error
        }
    }
}
