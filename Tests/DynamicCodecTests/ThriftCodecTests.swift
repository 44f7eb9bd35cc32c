import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

@Suite struct ThriftCodecTests {
    static let idl = """
        struct Key { 1: i32 a, 2: string b }
        struct Item {
          1: required string name
          2: optional i64 count
          3: bool flag
          4: map<Key, string> byKey
          5: map<binary, i32> byBytes
          6: set<i16> small
          7: list<bool> flags
        }
        struct Narrow { 1: required string name, 3: bool flag }
        union Choice { 1: string text, 2: i32 number }
        """

    static let schema = try! ThriftSchema(thriftFiles: ["t.thrift"], source: ThriftFileSource(files: ["t.thrift": idl]))

    func empty(_ encoding: ThriftProtocol, _ name: String = "t.Item") throws -> ThriftValue {
        var writer: [UInt8] = [0]  // an empty struct is just STOP in both protocols
        writer = [0]
        return try ThriftValue(bytes: writer, encoding: encoding, descriptor: Self.schema.requireStruct(named: name),
                               schema: Self.schema)
    }

    @Test(arguments: ThriftProtocol.allCases)
    func buildsEveryKindOfValueAndReadsItBack(encoding: ThriftProtocol) throws {
        var item = try empty(encoding)
        try item.set("name", to: .scalar(.string("widget")))
        try item.set("flag", to: .scalar(.bool(true)))
        try item.set("count", to: .scalar(.i64(-5)))
        try item.set("flags[0]", to: .scalar(.bool(false)))
        try item.set("flags[1]", to: .scalar(.bool(true)))
        try item.set("small", to: .set([.scalar(.i16(3)), .scalar(.i16(-4))]))
        try item.set("byBytes[\"\\x00\\xff\"]", to: .scalar(.i32(7)))
        // A struct key is addressed by its encoded bytes.
        var key = try empty(encoding, "t.Key")
        try key.set("a", to: .scalar(.i32(1)))
        try key.set("b", to: .scalar(.string("k")))
        try item.set("byKey", to: .map([ThriftMapEntry(key: .struct(key), value: .scalar(.string("v")))]))
        let keyText = String(decoding: key.bytes, as: UTF8.self)
        try item.validate()
        #expect(try item.get("flag")?.scalar == .bool(true))
        #expect(try item.get("flags[1]")?.scalar == .bool(true))
        #expect(try item.get("count")?.scalar == .i64(-5))
        #expect(try item.get("byBytes[\"\\x00\\xff\"]")?.scalar == .i32(7))
        #expect(try item.get(FieldPath([.name("byKey"), .string(keyText)]))?.scalar == .string("v"))
        // The other protocol sees the same values after conversion.
        let other: ThriftProtocol = encoding == .binary ? .compact : .binary
        let converted = try ThriftValue(
            bytes: ThriftTranscoder.convert(item.bytes, from: encoding, to: other), encoding: other,
            descriptor: item.descriptor, schema: Self.schema)
        #expect(try converted.get("name")?.scalar == .string("widget"))
        #expect(try converted.get("small[1]")?.scalar == .i16(-4))
        // Unset the first field: in compact the next header's id delta must be rewritten.
        try item.unset("name")
        #expect(try item.get("flag")?.scalar == .bool(true))
        #expect(try item.get("count")?.scalar == .i64(-5))
        try item.validate()
    }

    @Test(arguments: ThriftProtocol.allCases)
    func trimKeepsNarrowFieldsAndChecksRequired(encoding: ThriftProtocol) throws {
        var item = try empty(encoding)
        try item.set("flag", to: .scalar(.bool(true)))
        try item.set("count", to: .scalar(.i64(9)))
        let narrow = try Self.schema.requireStruct(named: "t.Narrow")
        do {
            _ = try item.trimmed(to: narrow)
            Issue.record("expected MISSING_REQUIRED_FIELD")
        } catch {
            #expect(error.code == .missingRequiredField)
            #expect(error.path == "name")
        }
        try item.set("name", to: .scalar(.string("n")))
        let trimmed = try item.trimmed(to: narrow)
        #expect(try trimmed.get("flag")?.scalar == .bool(true))
        #expect(try trimmed.get("name")?.scalar == .string("n"))
        let masked = try item.masked([try FieldPath(parsing: "count")])
        #expect(try masked.get("count")?.scalar == .i64(9))
        #expect(try masked.get("name") == nil)
    }

    @Test func unknownFieldsSurviveEdits() throws {
        // Bytes of a Narrow-shaped struct with extra fields 9 (i32) and 10 (string) the descriptor lacks.
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.i32, id: 9)
        writer.writeI32(77)
        writer.writeFieldHeader(.string, id: 1)
        writer.writeBinary(UnsafeRawBufferPointer(start: nil, count: 0))
        writer.writeFieldHeader(.string, id: 10)
        "extra".utf8CString.withUnsafeBytes { writer.writeBinary(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
        writer.writeStop()
        var value = try ThriftValue(bytes: writer.bytes, encoding: .binary,
                                    descriptor: Self.schema.requireStruct(named: "t.Narrow"), schema: Self.schema)
        try value.set("name", to: .scalar(.string("changed")))
        try value.set("flag", to: .scalar(.bool(false)))
        var dom = ThriftDOM(schema: Self.schema, encoding: .binary)
        try dom.load(value.bytes, as: value.descriptor)
        let ids = dom.children(of: 0).map { dom.nodes[$0].id }
        #expect(ids == [9, 1, 10, 3])
        #expect(Array(value.bytes[3..<7]) == [0, 0, 0, 77])
    }

    @Test func messagesConvertLikeApacheWritesThem() throws {
        let script = """
            import sys
            from thrift.protocol import TBinaryProtocol, TCompactProtocol
            from thrift.transport import TTransport
            from thrift.Thrift import TMessageType, TType
            def emit(proto_class, **kw):
                buf = TTransport.TMemoryBuffer()
                p = proto_class(buf, **kw)
                p.writeMessageBegin("getBook", TMessageType.CALL, 42)
                p.writeStructBegin("args"); p.writeFieldBegin("id", TType.I64, 1); p.writeI64(-7); p.writeFieldEnd()
                p.writeFieldBegin("flag", TType.BOOL, 2); p.writeBool(True); p.writeFieldEnd()
                p.writeFieldStop(); p.writeStructEnd(); p.writeMessageEnd()
                print(buf.getvalue().hex())
            emit(TBinaryProtocol.TBinaryProtocol)
            emit(TBinaryProtocol.TBinaryProtocol, strictWrite=False)
            emit(TCompactProtocol.TCompactProtocol)
            """
        let lines = String(decoding: try runPeer("python3", ["-c", script]), as: UTF8.self).split(separator: "\n")
        let strict = Self.bytes(hex: String(lines[0]))
        let loose = Self.bytes(hex: String(lines[1]))
        let compact = Self.bytes(hex: String(lines[2]))
        #expect(try ThriftTranscoder.convert(strict, from: .binary, to: .compact, isMessage: true) == compact)
        #expect(try ThriftTranscoder.convert(loose, from: .binary, to: .compact, isMessage: true) == compact)
        #expect(try ThriftTranscoder.convert(compact, from: .compact, to: .binary, isMessage: true) == strict)
        for (bytes, encoding) in [(strict, ThriftProtocol.binary), (loose, .binary), (compact, .compact)] {
            let header = try bytes.withCodecBytes { (buffer) throws(CodecError) -> ThriftMessageHeader in
                switch encoding {
                case .binary:
                    var reader = ThriftBinaryReader(base: buffer.baseAddress!, range: 0..<buffer.count)
                    return try reader.readMessageHeader()
                case .compact:
                    var reader = ThriftCompactReader(base: buffer.baseAddress!, range: 0..<buffer.count)
                    return try reader.readMessageHeader()
                }
            }
            #expect(header.name == "getBook")
            #expect(header.type == .call)
            #expect(header.sequenceID == 42)
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test(arguments: ThriftProtocol.allCases)
    func hostileInputGivesErrorsNotCrashes(encoding: ThriftProtocol) throws {
        let type = try Self.schema.requireStruct(named: "t.Item")
        // A list claiming 2^31-1 elements must fail on the count check, not allocate or loop.
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.list, id: 7)
        writer.writeListHeader(.bool, count: Int(Int32.max))
        let huge = try ThriftValue(bytes: writer.bytes + [1, 0], encoding: .binary, descriptor: type, schema: Self.schema)
        do {
            try huge.validate()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .lengthOutOfBounds)
            #expect(error.offset == 3)
        }
        var item = try empty(encoding)
        try item.set("name", to: .scalar(.string("x")))
        try item.set("byBytes[\"k\"]", to: .scalar(.i32(1)))
        try item.set("flags", to: .list([.scalar(.bool(true))]))
        let seed = item.bytes
        var generator = SystemRandomNumberGenerator()
        var dom = ThriftDOM(schema: Self.schema, encoding: encoding)
        var failures = 0
        for round in 0..<3000 {
            var bytes = round % 2 == 0
                ? (0..<Int.random(in: 0..<48, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                : Array(seed.prefix(Int.random(in: 0...seed.count, using: &generator)))
            if round % 3 == 0, !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let value = try ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: Self.schema)
            do { try value.validate() } catch { failures += 1 }
            _ = try? value.get("byBytes[\"k\"]")
            _ = try? value.get(many: [try FieldPath(parsing: "name"), try FieldPath(parsing: "flags[0]")])
            var copy = value
            _ = try? copy.set("count", to: .scalar(.i64(1)))
            _ = try? copy.unset("name")
            _ = try? value.trimmed(to: Self.schema.requireStruct(named: "t.Narrow"))
            _ = try? dom.load(bytes, as: type)
            _ = try? ThriftTranscoder.convert(bytes, from: encoding, to: .binary)
            _ = try? ThriftTranscoder.convert(bytes, from: encoding, to: .compact, isMessage: true)
        }
        #expect(failures > 0)
        // Deep nesting hits the depth limit.
        var deep: [UInt8] = []
        for _ in 0..<300 { deep += encoding == .binary ? [12, 0, 1] : [0x1C] }
        let nested = try ThriftValue(bytes: deep, encoding: encoding, descriptor: type, schema: Self.schema)
        #expect(throws: CodecError.self) { try nested.validate() }
    }
}
