import DynamicCodec
import GenericCall

/// GenericCall's framing decoders over a byte stream (selector byte, low 3 bits): TTHeader frames; whole frames of
/// `MessageCodec` for framed, buffered, TTHeader and Kitex protobuf framings (bit 3: Thrift compact, bit 4:
/// protobuf payloads in TTHeader); length-prefixed, gRPC and Kitex protobuf envelopes with framing detection.
///
/// Invariant: frames are consumed within the stream, and decode -> encode -> decode gives the same frame (headers,
/// info pairs, method, type, sequence id and payload).
enum EnvelopeCheck {
    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, stream) = input.selectorAndPayload
        let thriftProtocol: ThriftProtocol = selector & 0x08 == 0 ? .binary : .compact
        switch selector & 0x07 {
        case 0: try ttHeaders(stream)
        case 1: try frames(stream, MessageCodec(framing: .framed, thriftProtocol: thriftProtocol))
        case 2: try frames(stream, MessageCodec(framing: .buffered, thriftProtocol: thriftProtocol))
        case 3:
            try frames(
                stream,
                MessageCodec(framing: .ttheader, thriftProtocol: thriftProtocol, protobufPayload: selector & 0x10 != 0))
        case 4: try frames(stream, MessageCodec(framing: .kitexProtobuf))
        default: try smallFramings(stream)
        }
    }

    /// Consecutive TTHeader frames; each re-encodes to a frame that decodes equal.
    static func ttHeaders(_ stream: [UInt8]) throws(FuzzInvariantViolation) {
        var rest = stream[...]
        while let result = try? TTHeader.decode(rest), case .frame(let header, let consumed) = result {
            try require(consumed > 0 && consumed <= rest.count, "TTHeader consumed \(consumed) of \(rest.count) bytes")
            rest = rest.dropFirst(consumed)
            guard let encoded = try? header.encoded() else { continue }
            do {
                guard case .frame(let again, let length) = try TTHeader.decode(encoded[...]) else {
                    throw FuzzInvariantViolation("a re-encoded TTHeader frame is incomplete: \(hex(encoded))")
                }
                try require(length == encoded.count, "a re-encoded TTHeader frame reads as \(length) bytes")
                try require(again == header, "TTHeader not stable: \(header) -> \(again)")
            } catch let violation as FuzzInvariantViolation {
                throw violation
            } catch {
                throw FuzzInvariantViolation("a re-encoded TTHeader frame does not decode: \(error) \(hex(encoded))")
            }
        }
    }

    /// Whole frames as the connection cuts them (`frameLength`), decoded, re-encoded and decoded again.
    static func frames(_ stream: [UInt8], _ codec: MessageCodec) throws(FuzzInvariantViolation) {
        var rest = stream[...]
        while let length = try? codec.frameLength(in: rest), length <= rest.count {
            try require(length > 0, "\(codec.framing): a frame of 0 bytes")
            let frame = Array(rest.prefix(length))
            rest = rest.dropFirst(length)
            guard let envelope = try? codec.decode(frame) else { continue }
            guard let encoded = try? codec.encode(envelope) else { continue }
            do {
                let again = try codec.decode(encoded)
                try require(
                    same(envelope, again),
                    "\(codec.framing) (\(codec.thriftProtocol)) not stable: \(describe(envelope)) -> \(describe(again))")
            } catch let violation as FuzzInvariantViolation {
                throw violation
            } catch {
                throw FuzzInvariantViolation(
                    "\(codec.framing): a re-encoded frame does not decode: \(error) \(hex(encoded))")
            }
        }
    }

    /// Length-prefixed frames, gRPC message frames and bare Kitex protobuf envelopes, and framing detection.
    static func smallFramings(_ stream: [UInt8]) throws(FuzzInvariantViolation) {
        _ = Framing.detect(stream)
        if let result = try? LengthPrefixedFrame.decode(stream[...]), case .frame(let payload, let consumed) = result {
            try require(consumed == payload.count + 4 && consumed <= stream.count, "length prefix misread")
            try require(
                LengthPrefixedFrame.encode(Array(payload)) == Array(stream.prefix(consumed)),
                "length-prefixed frame does not re-encode to its bytes")
        }
        if let result = try? GRPCMessageFrame.decode(stream[...]), case .frame(let message, let consumed) = result {
            try require(consumed == message.message.count + 5 && consumed <= stream.count, "gRPC prefix misread")
            try require(
                GRPCMessageFrame.encode(Array(message.message), compressed: message.compressed)
                    == Array(stream.prefix(consumed)),
                "gRPC frame does not re-encode to its bytes")
        }
        if let envelope = try? KitexProtobufEnvelope(decoding: stream[...]) {
            do {
                let again = try KitexProtobufEnvelope(decoding: envelope.encoded()[...])
                try require(again == envelope, "Kitex protobuf envelope not stable: \(envelope) -> \(again)")
            } catch let violation as FuzzInvariantViolation {
                throw violation
            } catch {
                throw FuzzInvariantViolation("a re-encoded Kitex protobuf envelope does not decode: \(error)")
            }
        }
    }

    static func same(_ a: WireEnvelope, _ b: WireEnvelope) -> Bool {
        a.method == b.method && a.type == b.type && a.sequenceID == b.sequenceID && a.payload == b.payload
            && a.stringInfo == b.stringInfo && a.intInfo == b.intInfo
    }

    static func describe(_ envelope: WireEnvelope) -> String {
        "\(envelope.method.debugDescription) \(envelope.type) #\(envelope.sequenceID) "
            + "strings \(envelope.stringInfo.map { "\($0.name)=\($0.value)" }) ints \(envelope.intInfo) "
            + "payload \(hex(envelope.payload))"
    }
}
