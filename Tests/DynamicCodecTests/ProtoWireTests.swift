import Testing

@testable import DynamicCodec

@Suite struct ProtoWireTests {
    func readVarint(_ bytes: [UInt8]) throws(CodecError) -> (value: UInt64, consumed: Int) {
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: 0..<bytes.count)
            let value = try cursor.readVarint()
            return (value, cursor.position)
        }
    }

    @Test(arguments: [
        ([0x00], 0, 1), ([0x7F], 127, 1), ([0x80, 0x01], 128, 2), ([0xAC, 0x02], 300, 2),
        // -1 as int32/int64: ten bytes, the last carrying the top bit.
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], UInt64.max, 10),
        // Overlong but legal encodings of small values are accepted.
        ([0x81, 0x80, 0x80, 0x00], 1, 4),
    ] as [([UInt8], UInt64, Int)])
    func varintsDecode(bytes: [UInt8], value: UInt64, consumed: Int) throws {
        let result = try readVarint(bytes)
        #expect(result.value == value)
        #expect(result.consumed == consumed)
    }

    @Test func truncatedAndMalformedVarintsAreErrors() {
        #expect(throws: CodecError(.truncated, "input ends in the middle of a value", offset: 0)) {
            try readVarint([0x80])
        }
        #expect(throws: CodecError(.truncated, "input ends in the middle of a value", offset: 0)) {
            try readVarint([])
        }
        // An 11th byte, or a 10th byte with more than the top bit, overflows 64 bits.
        #expect(throws: CodecError.malformedVarint(at: 0)) { try readVarint([UInt8](repeating: 0xFF, count: 11)) }
        #expect(throws: CodecError.malformedVarint(at: 0)) {
            try readVarint([UInt8](repeating: 0xFF, count: 9) + [0x02])
        }
    }

    @Test func writerRoundTripsVarintsAndSizes() throws {
        for value: UInt64 in [0, 1, 127, 128, 16383, 16384, 1 << 35, UInt64(bitPattern: -1), UInt64.max >> 1] {
            var bytes: [UInt8] = []
            bytes.appendVarint(value)
            #expect(bytes.count == ProtoVarint.size(value))
            #expect(try readVarint(bytes).value == value)
        }
    }

    @Test func zigZagMatchesTheSpec() {
        #expect(ProtoVarint.zigZag(Int32(0)) == 0)
        #expect(ProtoVarint.zigZag(Int32(-1)) == 1)
        #expect(ProtoVarint.zigZag(Int32(1)) == 2)
        #expect(ProtoVarint.zigZag(Int32.min) == UInt32.max)
        #expect(ProtoVarint.unZigZag(ProtoVarint.zigZag(Int64.min)) == Int64.min)
        #expect(ProtoVarint.unZigZag(ProtoVarint.zigZag(Int64.max)) == Int64.max)
    }

    @Test func lengthDelimitedValuesCannotRunPastTheirEnclosingBytes() {
        // Field 1, wire type 2, length 2^40.
        let bytes: [UInt8] = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01]
        #expect(throws: CodecError.self) {
            try bytes.withCodecBytes { (buffer) throws(CodecError) in
                var cursor = ProtoCursor(buffer, range: 0..<bytes.count)
                _ = try cursor.readTag()
                _ = try cursor.readLengthDelimited()
            }
        }
    }

    @Test func groupsAreSkippedToTheirMatchingEndTag() throws {
        // Group 2 { field 1 varint 5, nested group 3 { } } then field 4 varint 1.
        let bytes: [UInt8] = [0x13, 0x08, 0x05, 0x1B, 0x1C, 0x14, 0x20, 0x01]
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: 0..<bytes.count)
            let tag = try cursor.readTag()
            try cursor.skip(tag.wireType, number: tag.number)
            #expect(cursor.position == 6)
        }
        let mismatched: [UInt8] = [0x13, 0x08, 0x05, 0x1C]
        #expect(throws: CodecError.self) {
            try mismatched.withCodecBytes { (buffer) throws(CodecError) in
                var cursor = ProtoCursor(buffer, range: 0..<mismatched.count)
                let tag = try cursor.readTag()
                try cursor.skip(tag.wireType, number: tag.number)
            }
        }
    }
}
