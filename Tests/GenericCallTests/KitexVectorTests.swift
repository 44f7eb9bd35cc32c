import DynamicCodec
import Testing

@testable import GenericCall

/// TTHeader and Kitex protobuf against bytes produced by Kitex's own encoder (cloudwego/gopkg protocol/ttheader;
/// the table in shared/vectors/kitex/ttheader.md).
struct KitexVectorTests {
    /// Kitex's client test message: method "mock", REPLY, seq 1, Thrift strict binary header.
    static let payload = hex("80 01 00 02 00 00 00 04 6d 6f 63 6b 00 00 00 01")

    static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    static let v1 = hex("00 00 00 1e 10 00 00 00 00 00 00 01 00 01 00 00 00 00") + payload
    static let v2 = hex("00 00 00 2a 10 00 00 00 00 00 00 01 00 04 00 00 10 00 01 00 0c 00 04 31 30 30 30 00 00 00")
        + payload
    static let v3 = hex(
        "00 00 00 32 10 00 00 00 00 00 00 01 00 06 00 00 01 00 01 00 0a 62 69 7a 2d 73 74 61 74 75 73 00 03 34 30 34 00 00"
    ) + payload
    static let v4 = hex("00 00 00 22 10 00 00 00 00 00 00 01 00 02 00 00 11 00 03 74 6f 6b") + payload
    static let v5 = hex("00 00 00 1e 10 00 00 01 ff ff ff fe 00 01 00 00 00 00") + payload
    static let v6 = hex(
        "00 00 00 26 10 00 00 00 00 00 00 01 00 01 00 00 00 00 00 00 00 14 90 01 00 02 00 00 00 04 6d 6f 63 6b 00 00 00 01 0a 02 68 69"
    )
    static let v7 = hex(
        "00 00 00 22 10 00 00 00 00 00 00 01 00 01 04 00 00 00 90 01 00 02 00 00 00 04 6d 6f 63 6b 00 00 00 01 0a 02 68 69"
    )

    @Test("V1-V5: our encoder writes Kitex's bytes exactly")
    func encodesLikeKitex() throws {
        #expect(try TTHeader(sequenceID: 1, protocolID: .thriftBinary, payload: Self.payload).encoded() == Self.v1)
        #expect(
            try TTHeader(
                sequenceID: 1, protocolID: .thriftBinary, intInfo: [.init(TTHeader.IntKey.rpcTimeout, "1000")],
                payload: Self.payload
            ).encoded() == Self.v2)
        #expect(
            try TTHeader(
                sequenceID: 1, protocolID: .thriftBinary, stringInfo: [.init("biz-status", "404")],
                payload: Self.payload
            ).encoded() == Self.v3)
        #expect(
            try TTHeader(sequenceID: 1, protocolID: .thriftBinary, aclToken: "tok", payload: Self.payload).encoded()
                == Self.v4)
        #expect(try TTHeader(flags: 1, sequenceID: -2, protocolID: .thriftBinary, payload: Self.payload).encoded() == Self.v5)
    }

    @Test("V1-V6 decode as Kitex's decoder reads them")
    func decodesLikeKitex() throws {
        let thrift = MessageCodec(framing: .ttheader)
        for frame in [Self.v1, Self.v2, Self.v3, Self.v4, Self.v5] {
            let envelope = try thrift.decode(frame)
            #expect(envelope.method == "mock" && envelope.type == .reply && envelope.sequenceID == 1)
            #expect(envelope.payload.isEmpty)
        }
        #expect(try thrift.decode(Self.v2).intInfo[TTHeader.IntKey.rpcTimeout] == "1000")
        #expect(try thrift.decode(Self.v3).stringInfo == [RPCHeader("biz-status", "404")])
        #expect(try thrift.decode(Self.v4).stringInfo == [RPCHeader("RPC_TRANSIT_gdpr-token", "tok")])
        guard case .frame(let v5, _) = try TTHeader.decode(Self.v5[...]) else {
            Issue.record("V5 did not decode")
            return
        }
        #expect(v5.flags == 1 && v5.sequenceID == -2)
        // V6: protobuf inside TTHeader as Kitex sends it, protocol id 0x00 and the envelope with its own length;
        // whichever protobuf flag the codec has, the payload's first bytes decide.
        for codec in [MessageCodec(framing: .ttheader, protobufPayload: true), thrift] {
            let envelope = try codec.decode(Self.v6)
            #expect(envelope.method == "mock" && envelope.type == .reply && envelope.sequenceID == 1)
            #expect(envelope.payload == [0x0a, 0x02, 0x68, 0x69])
        }
        // The older form (V7: id 0x04, bare envelope) is still read.
        #expect(try thrift.decode(Self.v7).payload == [0x0a, 0x02, 0x68, 0x69])
    }

    @Test("V7/V8: what we send instead of the forms Kitex refuses")
    func sendsWhatKitexAccepts() throws {
        // Protobuf: id 0x00 and the length-prefixed envelope, byte for byte V6 (not V7).
        let protobuf = MessageCodec(framing: .ttheader, protobufPayload: true)
        let reply = WireEnvelope(method: "mock", type: .reply, sequenceID: 1, payload: [0x0a, 0x02, 0x68, 0x69])
        #expect(try protobuf.encode(reply) == Self.v6)
        // Thrift binary: id 0x00. Compact keeps id 0x02 (Kitex refuses it: the gateway's config does too).
        #expect(try MessageCodec(framing: .ttheader).encode(reply)[14] == 0x00)
        #expect(try MessageCodec(framing: .ttheader, thriftProtocol: .compact).encode(reply)[14] == 0x02)
    }

    @Test("the decoder's negative cases and header sizes")
    func negativeAndSizes() throws {
        let notTTHeader = Self.hex("00 01 02 03 04 05 06 07 08 09 10 11 12 13")
        #expect(throws: FramingError.self) { try TTHeader.decode(notTTHeader[...]) }
        var zeroHeader = Self.v1
        zeroHeader[12] = 0
        zeroHeader[13] = 0
        #expect(throws: FramingError.self) { try TTHeader.decode(zeroHeader[...]) }
        // Header sizes of 16, 16384, 16385, 32768 and 65535 words: padding-only headers after the protocol bytes.
        for words in [16, 16384, 16385, 32768, 65535] {
            var header: [UInt8] = [0x00, 0x00]
            header += [UInt8](repeating: 0, count: words * 4 - 2)
            var frame: [UInt8] = []
            frame.appendBigEndian(UInt32(10 + header.count + Self.payload.count))
            frame += [0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]
            frame.appendBigEndian(UInt16(words))
            frame += header + Self.payload
            let envelope = try MessageCodec(framing: .ttheader).decode(frame)
            #expect(envelope.method == "mock", "\(words) words")
        }
    }

    @Test("blocks after padding are read; unknown transforms are skipped")
    func paddingAndTransforms() throws {
        // protocol 0, one transform (id 5), padding byte, then a string block {a: b}, padded to 4.
        var header: [UInt8] = [0x00, 0x01, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62]
        while header.count % 4 != 0 { header.append(0) }
        var frame: [UInt8] = []
        frame.appendBigEndian(UInt32(10 + header.count + Self.payload.count))
        frame += [0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]
        frame.appendBigEndian(UInt16(header.count / 4))
        frame += header + Self.payload
        let envelope = try MessageCodec(framing: .ttheader).decode(frame)
        #expect(envelope.stringInfo == [RPCHeader("a", "b")])
    }

    @Test("oversized header values are refused, never cut or trapped on")
    func oversizedHeaders() throws {
        let long = String(repeating: "x", count: 65_536)
        #expect(throws: FramingError.self) {
            try TTHeader(sequenceID: 1, protocolID: .thriftBinary, stringInfo: [.init("k", long)], payload: []).encoded()
        }
        let justFits = String(repeating: "x", count: 65_535)
        let fits = try TTHeader(sequenceID: 1, protocolID: .thriftBinary, stringInfo: [.init("k", justFits)], payload: [])
            .encoded()
        guard case .frame(let decoded, _) = try TTHeader.decode(fits[...]) else {
            Issue.record("no frame")
            return
        }
        #expect(decoded.string("k")?.utf8.count == 65_535)
        // Five 60 KB values: each fits, the header (over 262,140 bytes) does not.
        let many = (0..<5).map { TTHeader.StringPair("k\($0)", String(repeating: "y", count: 60_000)) }
        #expect(throws: FramingError.self) {
            try TTHeader(sequenceID: 1, protocolID: .thriftBinary, stringInfo: many, payload: []).encoded()
        }
        let entries = (0..<65_536).map { TTHeader.StringPair("", "\($0 % 10)") }
        #expect(throws: FramingError.self) {
            try TTHeader(sequenceID: 1, protocolID: .thriftBinary, stringInfo: entries, payload: []).encoded()
        }
        // Through the client: INVALID_ARGUMENT, nothing sent.
        let codec = MessageCodec(framing: .ttheader)
        let envelope = WireEnvelope(
            method: "m", type: .call, sequenceID: 1, payload: [], stringInfo: [RPCHeader("k", long)])
        #expect(throws: FramingError.self) { try codec.encode(envelope) }
    }
}
