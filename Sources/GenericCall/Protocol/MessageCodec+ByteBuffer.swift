import DynamicCodec
import NIOCore

extension MessageCodec {
    /// Writes the whole frame for `envelope` at the end of `buffer`. Framed and buffered Thrift are written in
    /// place (the length prefix reserved and back-patched, the payload copied once, into the outbound buffer);
    /// other framings are encoded as by ``encode(_:)`` and appended.
    func encode(_ envelope: WireEnvelope, into buffer: inout ByteBuffer) throws(FramingError) {
        switch framing {
        case .framed, .buffered:
            let header = ThriftMessageHeader(name: envelope.method, type: envelope.type, sequenceID: envelope.sequenceID)
                .encoded(thriftProtocol)
            let framed = framing == .framed
            buffer.reserveCapacity(minimumWritableBytes: (framed ? 4 : 0) + header.count + envelope.payload.count)
            let lengthIndex = buffer.writerIndex
            if framed { buffer.writeInteger(UInt32(0)) }
            buffer.writeBytes(header)
            buffer.writeBytes(envelope.payload)
            if framed { buffer.setInteger(UInt32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex) }
        case .kitexProtobuf, .ttheader, .grpc:
            buffer.writeBytes(try encode(envelope))
        }
    }

    /// Decodes one whole frame, a slice of the connection's read buffer. Framed and buffered Thrift are read in
    /// place: the payload is the only copy made.
    func decode(_ frame: ByteBuffer) throws(FramingError) -> WireEnvelope {
        switch framing {
        case .framed, .buffered:
            let skip = framing == .framed ? 4 : 0
            let encoding = thriftProtocol
            let result: Result<WireEnvelope, FramingError> = frame.withUnsafeReadableBytes { bytes in
                guard bytes.count >= skip else { return .failure(FramingError("truncated frame", offset: 0)) }
                let message = UnsafeRawBufferPointer(rebasing: bytes[skip...])
                do throws(CodecError) {
                    let header = try ThriftMessageHeader.read(from: message, encoding: encoding)
                    return .success(
                        WireEnvelope(
                            method: header.name, type: header.type, sequenceID: header.sequenceID,
                            payload: Array(UnsafeRawBufferPointer(rebasing: message[header.payloadStart...]))))
                } catch {
                    return .failure(
                        FramingError("malformed Thrift message header: \(error.message)", offset: error.offset ?? 0))
                }
            }
            return try result.get()
        case .kitexProtobuf, .ttheader, .grpc:
            return try decode(Array(frame.readableBytesView))
        }
    }
}
