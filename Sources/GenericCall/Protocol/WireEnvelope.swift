public import DynamicCodec

/// One RPC message with its framing removed: the method, the message type and sequence id of the Thrift (or
/// Kitex protobuf) envelope, the payload struct or message, and TTHeader info when there was a TTHeader.
public struct WireEnvelope: Sendable {
    public var method: String
    public var type: ThriftMessageType
    public var sequenceID: Int32
    /// A Thrift struct (args, result or TApplicationException) or a Protobuf message (or ErrorProto).
    public var payload: [UInt8]
    /// TTHeader string info (biz-status, forwarded headers...).
    public var stringInfo: [RPCHeader]
    /// TTHeader integer-keyed info (LogID, ToService, RPCTimeout...).
    public var intInfo: [UInt16: String]

    public init(
        method: String, type: ThriftMessageType, sequenceID: Int32, payload: [UInt8], stringInfo: [RPCHeader] = [],
        intInfo: [UInt16: String] = [:]
    ) {
        self.method = method
        self.type = type
        self.sequenceID = sequenceID
        self.payload = payload
        self.stringInfo = stringInfo
        self.intInfo = intInfo
    }
}

/// Encodes and decodes whole frames of one framing (everything but gRPC, which has its own transport).
public struct MessageCodec: Sendable, Hashable {
    public var framing: Framing
    /// The Thrift protocol of Thrift payloads.
    public var thriftProtocol: ThriftProtocol
    /// TTHeader frames carrying Kitex protobuf envelopes instead of Thrift messages.
    public var protobufPayload: Bool
    public var maxFrameSize: Int

    public init(framing: Framing, thriftProtocol: ThriftProtocol = .binary, protobufPayload: Bool = false,
                maxFrameSize: Int = defaultMaxFrameSize) {
        self.framing = framing
        self.thriftProtocol = thriftProtocol
        self.protobufPayload = protobufPayload || framing == .kitexProtobuf
        self.maxFrameSize = maxFrameSize
    }

    /// The whole frame for `envelope`, length prefix included where the framing has one. Inside TTHeader, Kitex
    /// protobuf travels as Kitex sends it: protocol id 0x00 and the envelope with its own u32 length. Throws
    /// when TTHeader cannot carry the envelope's info (a string over 65,535 bytes, a header over 262,140).
    public func encode(_ envelope: WireEnvelope) throws(FramingError) -> [UInt8] {
        switch framing {
        case .buffered:
            return thriftMessage(envelope)
        case .framed:
            return LengthPrefixedFrame.encode(thriftMessage(envelope))
        case .kitexProtobuf:
            return LengthPrefixedFrame.encode(kitexEnvelope(envelope))
        case .ttheader, .grpc:
            let protocolID: TTHeader.ProtocolID =
                !protobufPayload && thriftProtocol == .compact ? .thriftCompact : .thriftBinary
            let header = TTHeader(
                sequenceID: envelope.sequenceID, protocolID: protocolID,
                stringInfo: envelope.stringInfo.map { TTHeader.StringPair($0.name, $0.value) },
                intInfo: envelope.intInfo.sorted { $0.key < $1.key }.map { TTHeader.IntPair($0.key, $0.value) },
                payload: protobufPayload ? LengthPrefixedFrame.encode(kitexEnvelope(envelope)) : thriftMessage(envelope))
            return try header.encoded()
        }
    }

    private func thriftMessage(_ envelope: WireEnvelope) -> [UInt8] {
        var out = ThriftMessageHeader(name: envelope.method, type: envelope.type, sequenceID: envelope.sequenceID)
            .encoded(thriftProtocol)
        out.append(contentsOf: envelope.payload)
        return out
    }

    private func kitexEnvelope(_ envelope: WireEnvelope) -> [UInt8] {
        KitexProtobufEnvelope(
            method: envelope.method, type: envelope.type, sequenceID: envelope.sequenceID, payload: envelope.payload
        ).encoded()
    }

    /// The length of the first whole frame in `bytes`, or nil when more bytes are needed.
    public func frameLength(in bytes: ArraySlice<UInt8>) throws(FramingError) -> Int? {
        switch framing {
        case .buffered:
            switch try BufferedThriftFrame.decode(bytes, encoding: thriftProtocol, maxSize: maxFrameSize) {
            case .frame(_, let consumed): return consumed
            case .needMore: return nil
            }
        case .framed, .kitexProtobuf, .ttheader, .grpc:
            guard bytes.count >= 4 else { return nil }
            let length = Int(UInt32(bigEndian: bytes))
            guard length <= maxFrameSize else {
                throw FramingError("frame of \(length) bytes exceeds the limit of \(maxFrameSize)", offset: 0)
            }
            return 4 + length
        }
    }

    /// Decodes one whole frame.
    public func decode(_ frame: [UInt8]) throws(FramingError) -> WireEnvelope {
        switch framing {
        case .buffered:
            return try decodeThrift(frame, encoding: thriftProtocol)
        case .framed:
            return try decodeThrift(Array(frame.dropFirst(4)), encoding: thriftProtocol)
        case .kitexProtobuf:
            let envelope = try KitexProtobufEnvelope(decoding: frame.dropFirst(4))
            return WireEnvelope(
                method: envelope.method, type: envelope.type, sequenceID: envelope.sequenceID,
                payload: envelope.payload)
        case .ttheader, .grpc:
            guard case .frame(var header, _) = try TTHeader.decode(frame[...], maxSize: maxFrameSize) else {
                throw FramingError("truncated TTHeader frame", offset: 0)
            }
            var envelope = try Self.decodeTTHeaderPayload(header.payload)
            if let token = header.aclToken { header.stringInfo.append(TTHeader.StringPair(Self.aclTokenKey, token)) }
            envelope.stringInfo = header.stringInfo.map { RPCHeader($0.key, $0.value) }
            for pair in header.intInfo { envelope.intInfo[pair.key] = pair.value }
            return envelope
        }
    }

    /// The string key under which Kitex exposes the ACL token (info block 0x11) to handlers.
    public static let aclTokenKey = "RPC_TRANSIT_gdpr-token"

    /// A TTHeader payload, recognised by its first bytes rather than the header's protocol id (Kitex writes 0x00
    /// for everything): a Kitex protobuf envelope with its u32 length (what Kitex sends) or without (older
    /// Portico), a Thrift compact message (0x82), else Thrift binary. The message's own sequence id is kept, as
    /// Kitex trusts it over the header's.
    static func decodeTTHeaderPayload(_ payload: [UInt8]) throws(FramingError) -> WireEnvelope {
        let kitex: ArraySlice<UInt8>?
        if payload.count >= 8, UInt32(bigEndian: payload[4..<8]) & 0xFFFF_0000 == 0x9001_0000 {
            let length = Int(UInt32(bigEndian: payload[0..<4]))
            guard length == payload.count - 4 else {
                throw FramingError(
                    "Kitex protobuf envelope says \(length) bytes, the TTHeader payload has \(payload.count - 4)",
                    offset: 0)
            }
            kitex = payload[4...]
        } else if payload.count >= 4, UInt32(bigEndian: payload[0..<4]) & 0xFFFF_0000 == 0x9001_0000 {
            kitex = payload[...]
        } else {
            kitex = nil
        }
        if let kitex {
            let inner = try KitexProtobufEnvelope(decoding: kitex)
            return WireEnvelope(
                method: inner.method, type: inner.type, sequenceID: inner.sequenceID, payload: inner.payload)
        }
        let encoding: ThriftProtocol = payload.first == 0x82 ? .compact : .binary
        do {
            let header = try ThriftMessageHeader.read(from: payload, encoding: encoding)
            return WireEnvelope(
                method: header.name, type: header.type, sequenceID: header.sequenceID,
                payload: Array(payload[header.payloadStart...]))
        } catch {
            throw FramingError("malformed Thrift message header: \(error.message)", offset: error.offset ?? 0)
        }
    }

    private func decodeThrift(_ message: [UInt8], encoding: ThriftProtocol) throws(FramingError) -> WireEnvelope {
        do {
            let header = try ThriftMessageHeader.read(from: message, encoding: encoding)
            return WireEnvelope(
                method: header.name, type: header.type, sequenceID: header.sequenceID,
                payload: Array(message[header.payloadStart...]))
        } catch {
            throw FramingError("malformed Thrift message header: \(error.message)", offset: error.offset ?? 0)
        }
    }
}
