import DynamicCodec
import Foundation
import Testing

@testable import GenericCall

@Suite struct FramingTests {
    /// A strict-binary CALL message with an empty args struct.
    static func thriftCall(_ name: String = "getBook", sequenceID: Int32 = 7, encoding: ThriftProtocol = .binary) -> [UInt8] {
        ThriftMessageHeader(name: name, type: .call, sequenceID: sequenceID).encoded(encoding) + [0]
    }

    @Test func lengthPrefixedFramesWaitForTheWholeFrame() throws {
        let message = Self.thriftCall()
        let frame = LengthPrefixedFrame.encode(message)
        #expect(Array(frame.prefix(4)) == [0, 0, 0, UInt8(message.count)])
        for cut in 0..<frame.count {
            guard case .needMore = try LengthPrefixedFrame.decode(frame[..<cut]) else {
                Issue.record("prefix of \(cut) bytes should need more")
                return
            }
        }
        guard case .frame(let payload, let consumed) = try LengthPrefixedFrame.decode((frame + [9, 9])[...]) else {
            Issue.record("no frame")
            return
        }
        #expect(Array(payload) == message)
        #expect(consumed == frame.count)
        #expect(throws: FramingError.self) { try LengthPrefixedFrame.decode([0x7F, 0, 0, 0, 1][...], maxSize: 1024) }
    }

    @Test func detectsEachFramingFromItsFirstBytes() throws {
        let message = Self.thriftCall()
        #expect(Framing.detect(message) == .buffered)
        #expect(Framing.detect(Self.thriftCall(encoding: .compact)) == .buffered)
        #expect(Framing.detect(LengthPrefixedFrame.encode(message)) == .framed)
        let header = TTHeader(sequenceID: 1, protocolID: .thriftBinary, payload: message)
        #expect(Framing.detect(try header.encoded()) == .ttheader)
        let kitex = KitexProtobufEnvelope(method: "Get", type: .call, sequenceID: 1, payload: [8, 1])
        #expect(Framing.detect(LengthPrefixedFrame.encode(kitex.encoded())) == .kitexProtobuf)
        #expect(Framing.detect([1, 2, 3]) == nil)
        #expect(Framing.detect([0, 0, 0, 1, 0xAB, 0xCD, 0, 0]) == nil)
    }

    @Test func ttheaderMatchesTheSpecLayoutByteForByte() throws {
        let header = TTHeader(
            flags: 0x0001, sequenceID: 42, protocolID: .thriftCompact,
            stringInfo: [.init("biz-status", "0")], intInfo: [.init(TTHeader.IntKey.rpcTimeout, "250")],
            payload: [0xAA, 0xBB])
        let bytes = try header.encoded()
        // Header: protocol 0x02, 0 transforms, 0x01 {1: "biz-status" -> "0"}, 0x10 {1: 12 -> "250"}, padding.
        var expectedHeader: [UInt8] = [0x02, 0x00, 0x01, 0x00, 0x01, 0x00, 0x0A]
        expectedHeader += Array("biz-status".utf8) + [0x00, 0x01] + Array("0".utf8)
        expectedHeader += [0x10, 0x00, 0x01, 0x00, 0x0C, 0x00, 0x03] + Array("250".utf8)
        while expectedHeader.count % 4 != 0 { expectedHeader.append(0) }
        var expected: [UInt8] = []
        expected.appendBigEndian(UInt32(10 + expectedHeader.count + 2))
        expected += [0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2A]
        expected.appendBigEndian(UInt16(expectedHeader.count / 4))
        expected += expectedHeader + [0xAA, 0xBB]
        #expect(bytes == expected)
        guard case .frame(let decoded, let consumed) = try TTHeader.decode(bytes[...]) else {
            Issue.record("no frame")
            return
        }
        #expect(decoded == header)
        #expect(consumed == bytes.count)
        #expect(decoded.string("biz-status") == "0")
        #expect(decoded.value(TTHeader.IntKey.rpcTimeout) == "250")
        for cut in 0..<bytes.count {
            guard case .needMore = try TTHeader.decode(bytes[..<cut]) else {
                Issue.record("prefix of \(cut) bytes should need more")
                return
            }
        }
    }

    @Test func malformedTTHeadersAreErrors() throws {
        var wrongMagic = try TTHeader(sequenceID: 1, protocolID: .thriftBinary, payload: [1]).encoded()
        wrongMagic[4] = 0x20
        #expect(throws: FramingError.self) { try TTHeader.decode(wrongMagic[...]) }
        var headerTooLong = try TTHeader(sequenceID: 1, protocolID: .thriftBinary, payload: []).encoded()
        headerTooLong[13] = 0xFF
        #expect(throws: FramingError.self) { try TTHeader.decode(headerTooLong[...]) }
        var badInfo = try TTHeader(sequenceID: 1, protocolID: .thriftBinary, stringInfo: [.init("k", "v")], payload: []).encoded()
        badInfo[16] = 0x7E
        #expect(throws: FramingError.self) { try TTHeader.decode(badInfo[...]) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = try TTHeader(sequenceID: 3, protocolID: .thriftBinary, stringInfo: [.init("a", "b")],
                                 intInfo: [.init(2, "x")], payload: [1, 2, 3]).encoded()
            bytes[Int.random(in: 4..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            _ = try? TTHeader.decode(bytes[...])
        }
    }

    @Test func bufferedMessagesAreFoundByParsing() throws {
        for encoding in ThriftProtocol.allCases {
            let first = Self.thriftCall("a", sequenceID: 1, encoding: encoding)
            let second = Self.thriftCall("bb", sequenceID: 2, encoding: encoding)
            let stream = first + second
            for cut in 0..<first.count {
                guard case .needMore = try BufferedThriftFrame.decode(stream[..<cut], encoding: encoding) else {
                    Issue.record("\(encoding): prefix of \(cut) bytes should need more")
                    return
                }
            }
            guard case .frame(let message, let consumed) = try BufferedThriftFrame.decode(stream[...], encoding: encoding)
            else {
                Issue.record("no message")
                return
            }
            #expect(Array(message) == first)
            guard case .frame(let next, _) = try BufferedThriftFrame.decode(stream[consumed...], encoding: encoding) else {
                Issue.record("no second message")
                return
            }
            #expect(Array(next) == second)
        }
        #expect(throws: FramingError.self) {
            try BufferedThriftFrame.decode([0x80, 0x01, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0][...], encoding: .binary)
        }
    }

    @Test func kitexProtobufAndGRPCFramesRoundTrip() throws {
        let envelope = KitexProtobufEnvelope(method: "GetBook", type: .reply, sequenceID: -5, payload: [0x08, 0x96, 0x01])
        let decoded = try KitexProtobufEnvelope(decoding: envelope.encoded()[...])
        #expect(decoded == envelope)
        #expect(throws: FramingError.self) { try KitexProtobufEnvelope(decoding: [0x90, 0x01, 0, 1, 0xFF, 0, 0, 0, 0, 0, 0, 0][...]) }
        let grpc = GRPCMessageFrame.encode([1, 2, 3])
        #expect(grpc == [0, 0, 0, 0, 3, 1, 2, 3])
        guard case .frame(let message, let consumed) = try GRPCMessageFrame.decode(grpc[...]) else {
            Issue.record("no gRPC message")
            return
        }
        #expect(!message.compressed && Array(message.message) == [1, 2, 3] && consumed == 8)
        guard case .needMore = try GRPCMessageFrame.decode(grpc.dropLast()) else {
            Issue.record("should need more")
            return
        }
        #expect(throws: FramingError.self) { try GRPCMessageFrame.decode([2, 0, 0, 0, 0][...]) }
    }
}
