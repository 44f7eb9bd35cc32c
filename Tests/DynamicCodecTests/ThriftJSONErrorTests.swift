import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Malformed input in both directions gives the right code, byte offset and path, never a crash.
@Suite struct ThriftJSONErrorTests {
    typealias Fixture = ThriftJSONFixture

    struct Case: CustomStringConvertible, Sendable {
        var json: String
        var code: CodecError.Code
        var offset: Int
        var path: String?
        var options = ThriftJSONOptions()
        var description: String { json }
    }

    static let cases: [Case] = [
        // Not JSON.
        Case(json: "", code: .invalidJSON, offset: 0),
        Case(json: "{", code: .invalidJSON, offset: 1),
        Case(json: #"{"n32":"#, code: .invalidJSON, offset: 7, path: "n32"),
        Case(json: #"{"n32":1"#, code: .invalidJSON, offset: 8),
        Case(json: #"{"n32":1,}"#, code: .invalidJSON, offset: 9),
        Case(json: #"{"n32" 1}"#, code: .invalidJSON, offset: 7),
        Case(json: #"{"n32":+1}"#, code: .invalidJSON, offset: 7, path: "n32"),
        Case(json: #"{"n32":01}"#, code: .invalidJSON, offset: 8),
        Case(json: #"{"n32":tru}"#, code: .invalidJSON, offset: 7, path: "n32"),
        Case(json: #"{"n32":nul}"#, code: .invalidJSON, offset: 7, path: "n32"),
        Case(json: #"{"s":"a"#, code: .invalidJSON, offset: 7, path: "s"),
        Case(json: #"{"s":"\x"}"#, code: .invalidJSON, offset: 6, path: "s"),
        Case(json: #"{"s":"\ud800"}"#, code: .invalidJSON, offset: 6, path: "s"),
        Case(json: "{\"s\":\"a\u{1}\"}", code: .invalidJSON, offset: 7, path: "s"),
        Case(json: #"{} x"#, code: .invalidJSON, offset: 3),
        Case(json: #"{"ints":[1 2]}"#, code: .invalidJSON, offset: 11, path: "ints"),
        // Valid JSON of the wrong kind.
        Case(json: "[]", code: .typeMismatch, offset: 0),
        Case(json: #"{"n32":"1"}"#, code: .typeMismatch, offset: 7, path: "n32"),
        Case(json: #"{"n32":true}"#, code: .typeMismatch, offset: 7, path: "n32"),
        Case(json: #"{"d":"1.5"}"#, code: .typeMismatch, offset: 5, path: "d"),
        Case(json: #"{"b":1}"#, code: .typeMismatch, offset: 5, path: "b"),
        Case(json: #"{"b":"true"}"#, code: .typeMismatch, offset: 5, path: "b"),
        Case(json: #"{"s":5}"#, code: .typeMismatch, offset: 5, path: "s"),
        Case(json: #"{"bin":[1]}"#, code: .typeMismatch, offset: 7, path: "bin"),
        Case(json: #"{"mood":true}"#, code: .typeMismatch, offset: 8, path: "mood"),
        Case(json: #"{"points":{}}"#, code: .typeMismatch, offset: 10, path: "points"),
        Case(json: #"{"child":[]}"#, code: .typeMismatch, offset: 9, path: "child"),
        Case(json: #"{"by_i64":[]}"#, code: .typeMismatch, offset: 10, path: "by_i64"),
        Case(json: #"{"by_i64":{"1":5}}"#, code: .typeMismatch, offset: 15, path: "by_i64[1]"),
        Case(json: #"{"points":[{"x":1},null]}"#, code: .typeMismatch, offset: 19, path: "points[1]"),
        // The right kind, a wrong value.
        Case(json: #"{"n32":1.5}"#, code: .invalidValue, offset: 7, path: "n32"),
        Case(json: #"{"n32":2147483648}"#, code: .invalidValue, offset: 7, path: "n32"),
        Case(json: #"{"n32":-2147483649}"#, code: .invalidValue, offset: 7, path: "n32"),
        Case(json: #"{"n8":-129}"#, code: .invalidValue, offset: 6, path: "n8"),
        Case(json: #"{"n16":40000}"#, code: .invalidValue, offset: 7, path: "n16"),
        Case(json: #"{"n64":9223372036854775808}"#, code: .invalidValue, offset: 7, path: "n64"),
        Case(json: #"{"n64":-9223372036854775809}"#, code: .invalidValue, offset: 7, path: "n64"),
        Case(json: #"{"n64":1e19}"#, code: .invalidValue, offset: 7, path: "n64"),
        Case(json: #"{"mood":2147483648}"#, code: .invalidValue, offset: 8, path: "mood"),
        Case(json: #"{"d":1e400}"#, code: .invalidValue, offset: 5, path: "d"),
        Case(
            json: #"{"d":"abc"}"#, code: .invalidValue, offset: 5, path: "d",
            options: ThriftJSONOptions(stringToNumber: true)),
        Case(
            json: #"{"n32":" 1"}"#, code: .invalidValue, offset: 7, path: "n32",
            options: ThriftJSONOptions(stringToNumber: true)),
        Case(json: #"{"big":"0x10"}"#, code: .invalidValue, offset: 7, path: "big"),
        Case(json: #"{"big":"99999999999999999999"}"#, code: .invalidValue, offset: 7, path: "big"),
        Case(json: #"{"bin":"***"}"#, code: .invalidValue, offset: 7, path: "bin"),
        Case(json: #"{"bin":"QQ="}"#, code: .invalidValue, offset: 7, path: "bin"),
        Case(json: #"{"id":"nope"}"#, code: .invalidValue, offset: 6, path: "id"),
        Case(json: #"{"mood":"GLAD"}"#, code: .invalidValue, offset: 8, path: "mood"),
        Case(json: #"{"by_i64":{"x":"a"}}"#, code: .invalidValue, offset: 11, path: "by_i64[x]"),
        Case(json: #"{"by_i64":{"05":"a"}}"#, code: .invalidValue, offset: 11, path: "by_i64[05]"),
        Case(json: #"{"by_i64":{"1.5":"a"}}"#, code: .invalidValue, offset: 11, path: "by_i64[1.5]"),
        Case(json: #"{"by_bool":{"yes":1}}"#, code: .invalidValue, offset: 12, path: "by_bool[yes]"),
        Case(json: #"{"by_bool":{"true":128}}"#, code: .invalidValue, offset: 19, path: "by_bool[true]"),
        Case(json: #"{"by_mood":{"GLAD":1}}"#, code: .invalidValue, offset: 12, path: "by_mood[GLAD]"),
        Case(json: #"{"by_double":{"x":true}}"#, code: .invalidValue, offset: 14, path: "by_double[x]"),
        Case(json: #"{"by_uuid":{"x":true}}"#, code: .invalidValue, offset: 12, path: #"by_uuid["x"]"#),
        Case(json: #"{"by_binary":{"%":"v"}}"#, code: .invalidValue, offset: 14, path: #"by_binary["%"]"#),
        Case(json: #"{"shape":{}}"#, code: .invalidValue, offset: 9, path: "shape"),
        // Duplicates.
        Case(json: #"{"n32":1,"n32":2}"#, code: .invalidValue, offset: 9, path: "n32"),
        Case(json: #"{"n32":1,"n32":null}"#, code: .invalidValue, offset: 9, path: "n32"),
        Case(json: #"{"by_i64":{"5":"a","5":"b"}}"#, code: .invalidValue, offset: 19, path: "by_i64[5]"),
        Case(json: #"{"by_i64":{"5":"a","-0":"b","0":"c"}}"#, code: .invalidValue, offset: 28, path: "by_i64[0]"),
        Case(
            json: #"{"child":{"s":"a","child":{"s":"b","s":"c"}}}"#, code: .invalidValue, offset: 35,
            path: "child.child.s"),
        // Unknown keys.
        Case(json: #"{"nope":{"deep":[1,2]},"n32":1}"#, code: .unknownField, offset: 1, path: "nope"),
        Case(json: #"{"child":{"nope":1}}"#, code: .unknownField, offset: 10, path: "child.nope"),
        Case(json: #"{"points":[{"x":1,"z":2}]}"#, code: .unknownField, offset: 18, path: "points[0].z"),
        Case(json: #"{"a b":1}"#, code: .unknownField, offset: 1, path: #"["a b"]"#),
        // Required fields.
        Case(json: #"{"points":[{"x":1},{"y":2}]}"#, code: .missingRequiredField, offset: 19, path: "points[1].x"),
        Case(
            json: #"{"by_point":[{"key":{},"value":"a"}]}"#, code: .missingRequiredField, offset: 20,
            path: "by_point[0].key.x"),
    ]

    @Test(arguments: cases)
    func malformedJSON(_ test: Case) {
        for encoding in ThriftProtocol.allCases {
            let error = #expect(throws: CodecError.self, "\(test.json)") {
                try Fixture.decode(test.json, encoding: encoding, options: test.options)
            }
            #expect(error?.code == test.code, "\(test.json): \(String(describing: error))")
            #expect(error?.offset == test.offset, "\(test.json): \(String(describing: error))")
            #expect(error?.path == test.path, "\(test.json): \(String(describing: error))")
        }
    }

    @Test func invalidUTF8InJSON() {
        var bytes = Array(#"{"s":"ab"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}"#.utf8)
        let error = #expect(throws: CodecError.self) {
            try ThriftJSON.decode(bytes, as: Fixture.everything, schema: Fixture.schema)
        }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.offset == 8)
        #expect(error?.path == "s")
    }

    @Test func ignoredUnknownKeysAreStillParsed() throws {
        let ignoring = ThriftJSONOptions(ignoreUnknownFields: true)
        #expect(
            try Fixture.decode(#"{"nope":{"deep":[1,{"x":null}]},"n32":1,"child":{"z":"q"}}"#, options: ignoring)
                == Fixture.decode(#"{"n32":1,"child":{}}"#))
        let error = #expect(throws: CodecError.self) { try Fixture.decode(#"{"nope":[1,}"#, options: ignoring) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.offset == 11)
    }

    @Test func deepNestingIsLimited() throws {
        let depth = 10_000
        let nested = String(repeating: #"{"child":"#, count: depth) + "{}" + String(repeating: "}", count: depth)
        let error = #expect(throws: CodecError.self) { try Fixture.decode(nested) }
        #expect(error?.code == .depthLimitExceeded)
        #expect(error?.offset == 9 * 100 + 1)
        #expect(error?.path?.hasPrefix("child.child.child") == true)
        let ignoring = ThriftJSONOptions(ignoreUnknownFields: true)
        let unknown = #"{"nope":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let skipped = #expect(throws: CodecError.self) { try Fixture.decode(unknown, options: ignoring) }
        #expect(skipped?.code == .depthLimitExceeded)
        // Within the limit works; a smaller limit is honoured.
        let fine = String(repeating: #"{"child":"#, count: 50) + "{}" + String(repeating: "}", count: 50)
        let bytes = try Fixture.decode(fine)
        #expect(try Fixture.encode(bytes) == fine)
        let shallow = ThriftJSONOptions(limits: CodecLimits(maxDepth: 10))
        #expect(throws: CodecError.self) { try Fixture.decode(fine, options: shallow) }
        #expect(throws: CodecError.self) { try Fixture.encode(bytes, options: shallow) }
        // Thrift nested beyond the limit.
        var writer = ThriftBinaryWriter()
        for _ in 0..<depth { writer.writeFieldHeader(.struct, id: 21) }
        for _ in 0...depth { writer.writeStop() }
        let thrift = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes) }
        #expect(thrift?.code == .depthLimitExceeded)
    }

    @Test func malformedThrift() throws {
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.string, id: 4)  // n32 is an i32
        writer.writeBinary(UnsafeRawBufferPointer(start: nil, count: 0))
        writer.writeStop()
        var error = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes) }
        #expect(error?.code == .invalidWireType)
        #expect(error?.offset == 0)
        #expect(error?.path == "n32")

        writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.list, id: 17)  // points: list<Point>
        writer.writeListHeader(.i32, count: 1)
        writer.writeI32(1)
        writer.writeStop()
        error = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes) }
        #expect(error?.code == .invalidWireType)
        #expect(error?.offset == 3)
        #expect(error?.path == "points")

        writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.list, id: 17)
        writer.writeListHeader(.struct, count: 2)
        writer.writeFieldHeader(.i32, id: 1)
        writer.writeI32(1)
        writer.writeStop()
        writer.writeFieldHeader(.string, id: 2)
        [0xFF, 0xFE].withUnsafeBytes { writer.writeBinary($0) }
        writer.writeStop()
        writer.writeStop()
        error = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes) }
        #expect(error?.code == .invalidWireType)
        #expect(error?.path == "points[1].y")
        #expect(error?.offset == 16)

        writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.map, id: 19)
        writer.writeMapHeader(key: .i64, value: .string, count: 1)
        writer.writeI64(7)
        [0x61, 0xFF].withUnsafeBytes { writer.writeBinary($0) }
        writer.writeStop()
        error = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.path == "by_i64[7]")
        #expect(error?.offset == 17)

        error = #expect(throws: CodecError.self) { try Fixture.encode([0, 0]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == 1)

        error = #expect(throws: CodecError.self) { try Fixture.encode([14, 0, 20, 8, 0x7F, 0xFF, 0xFF, 0xFF, 0]) }
        #expect(error?.code == .lengthOutOfBounds)
        #expect(error?.path == "ints")
    }

    /// Documents that must convert, used as seeds for truncation and mutation.
    static let seeds = [
        #"{"b":true,"n8":-128,"n16":32767,"n32":-2147483648,"n64":9223372036854775807,"d":1.5,"s":"x\n😀"}"#,
        #"{"bin":"AAEC","mood":2,"id":"00112233-4455-6677-8899-aabbccddeeff","big":"-5","Alias":3,"tag_name":"t"}"#,
        #"{"by_point":[{"key":{"x":1,"y":2},"value":"a"}],"by_list":[{"key":[1,2],"value":3}],"shape":{"label":"l"}}"#,
        #"{"points":[{"x":1}],"by_mood":{"1":5},"by_i64":{"-9":"m"},"ints":[3,1],"child":{"child":{"b":true}}}"#,
        #"{"small_ints":["1"],"by_uuid":{"00112233-4455-6677-8899-aabbccddeeff":true},"by_double":{"1.5":true}}"#,
        #"{"by_bool":{"true":1},"by_binary":{"AAE=":"x"},"ratios":{"a":["1.5","NaN"]},"odd key":"o"}"#,
    ]

    @Test func everyTruncationFails() throws {
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            for length in 0..<bytes.count {
                let error = #expect(throws: CodecError.self, "\(length)") {
                    try ThriftJSON.decode(Array(bytes[..<length]), as: Fixture.everything, schema: Fixture.schema)
                }
                #expect((error?.offset ?? -1) <= length, "\(seed.prefix(length))")
            }
            for encoding in ThriftProtocol.allCases {
                let thrift = try Fixture.decode(seed, encoding: encoding)
                for length in 0..<thrift.count {
                    let error = #expect(throws: CodecError.self) {
                        try Fixture.encode(Array(thrift[..<length]), encoding: encoding)
                    }
                    #expect((error?.offset ?? -1) <= length)
                }
            }
        }
    }

    /// Random byte edits of valid JSON and valid Thrift: each either converts or fails with an error; what converts
    /// from Thrift is JSON we read back to the same JSON.
    @Test func mutationsNeverCrash() throws {
        var generator = SplitMix(seed: 0x7468_7269_6674)
        var converted = 0
        for round in 0..<4_000 {
            let seed = Array(Self.seeds[round % Self.seeds.count].utf8)
            var json = seed
            for _ in 0...(round % 3) {
                let position = Int(generator.next() % UInt64(json.count))
                switch generator.next() % 3 {
                case 0: json[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: json.remove(at: position)
                default: json.insert(Array(#"{}[]",:0"#.utf8)[Int(generator.next() % 8)], at: position)
                }
            }
            if let thrift = try? ThriftJSON.decode(json, as: Fixture.everything, schema: Fixture.schema) {
                _ = try ThriftJSON.encode(thrift, as: Fixture.everything, schema: Fixture.schema)
            }
            for encoding in ThriftProtocol.allCases {
                var thrift = try Fixture.decode(Self.seeds[round % Self.seeds.count], encoding: encoding)
                for _ in 0...(round % 4) {
                    let position = Int(generator.next() % UInt64(thrift.count))
                    thrift[position] = UInt8(truncatingIfNeeded: generator.next())
                }
                guard
                    let text = try? ThriftJSON.encode(
                        thrift, as: Fixture.everything, schema: Fixture.schema,
                        encoding: encoding)
                else { continue }
                converted += 1
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(text))) != nil,
                    "\(String(decoding: text, as: UTF8.self))")
                let back: [UInt8]
                do {
                    back = try ThriftJSON.decode(
                        text, as: Fixture.everything, schema: Fixture.schema, encoding: encoding)
                } catch {
                    // Thrift -> JSON does not check required fields; reading them back does.
                    #expect(error.code == .missingRequiredField, "\(error) in \(String(decoding: text, as: UTF8.self))")
                    continue
                }
                #expect(
                    try ThriftJSON.encode(back, as: Fixture.everything, schema: Fixture.schema, encoding: encoding)
                        == text)
            }
        }
        #expect(converted > 500)
    }
}
