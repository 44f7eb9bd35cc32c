import Foundation
import Testing

@testable import DynamicCodec

/// A schema exercising every convention of the Thrift <-> JSON conversion.
enum ThriftJSONFixture {
    static let idl = """
        namespace go unit

        enum Mood { UNKNOWN_MOOD = 0, HAPPY = 1, SAD = 2 }

        struct Point {
          1: required i32 x
          2: i32 y = 7
        }

        union Shape {
          1: Point point
          2: string label
          3: bool empty
        }

        struct Defaults {
          1: required string name
          2: required i64 id = 42
          3: i32 count = 5
          4: string note
          5: optional bool flag = true
          6: optional list<i32> values
          7: Mood mood = Mood.SAD
          8: Point origin = {"x": 1}
          9: required Point corner
          10: map<string, i16> weights = {"a": 1}
          11: double ratio = 1.5
          12: binary blob = "hi"
          13: optional set<string> tags
          14: bool on
        }

        struct Everything {
          1: bool b
          2: byte n8
          3: i16 n16
          4: i32 n32
          5: i64 n64
          6: double d
          7: string s
          8: binary bin
          9: Mood mood
          10: uuid id
          11: i64 big (api.js_conv = "true")
          12: i64 aliased (api.key = "Alias")
          13: string tagged (go.tag = 'json:"tag_name,omitempty" thrift:"tagged,13"')
          14: map<Point, string> by_point
          15: map<list<i32>, i32> by_list
          16: Shape shape
          17: list<Point> points
          18: map<Mood, i32> by_mood
          19: map<i64, string> by_i64
          20: set<i32> ints
          21: Everything child
          22: list<i32> small_ints (api.js_conv = "true")
          23: map<uuid, bool> by_uuid
          24: map<double, bool> by_double
          25: map<bool, i8> by_bool
          26: map<binary, string> by_binary
          27: map<string, list<double>> ratios (api.js_conv = "true")
          28: string odd (api.key = "odd key")
        }
        """

    static let schema: ThriftSchema = try! ThriftSchema(
        thriftFiles: ["unit.thrift"], source: ThriftFileSource(files: ["unit.thrift": idl]))
    static let everything = try! schema.requireStruct(named: "Everything")
    static let defaults = try! schema.requireStruct(named: "Defaults")
    static let shape = try! schema.requireStruct(named: "Shape")
    static let point = try! schema.requireStruct(named: "Point")

    /// JSON -> Thrift in `encoding`.
    static func decode(
        _ json: String, _ type: ThriftStructDescriptor = everything, encoding: ThriftProtocol = .binary,
        options: ThriftJSONOptions = ThriftJSONOptions()
    ) throws(CodecError) -> [UInt8] {
        try ThriftJSON.decode(Array(json.utf8), as: type, schema: schema, encoding: encoding, options: options)
    }

    /// Thrift -> JSON text.
    static func encode(
        _ bytes: [UInt8], _ type: ThriftStructDescriptor = everything, encoding: ThriftProtocol = .binary,
        options: ThriftJSONOptions = ThriftJSONOptions()
    ) throws(CodecError) -> String {
        String(
            decoding: try ThriftJSON.encode(bytes, as: type, schema: schema, encoding: encoding, options: options),
            as: UTF8.self)
    }

    /// JSON -> Thrift -> JSON in one protocol, checking the other protocol gives the same JSON and the same bytes as
    /// transcoding.
    static func roundTrip(
        _ json: String, _ type: ThriftStructDescriptor = everything, options: ThriftJSONOptions = ThriftJSONOptions()
    ) throws -> String {
        let binary = try decode(json, type, encoding: .binary, options: options)
        let compact = try decode(json, type, encoding: .compact, options: options)
        #expect(
            try ThriftTranscoder.convert(binary, from: .binary, to: .compact, type: type, schema: schema) == compact)
        #expect(
            try ThriftTranscoder.convert(compact, from: .compact, to: .binary, type: type, schema: schema) == binary)
        let text = try encode(binary, type, encoding: .binary, options: options)
        #expect(try encode(compact, type, encoding: .compact, options: options) == text)
        return text
    }
}

@Suite struct ThriftJSONTests {
    typealias Fixture = ThriftJSONFixture

    @Test(arguments: [
        #"{"b":true,"n8":-128,"n16":32767,"n32":-2147483648,"n64":9223372036854775807,"d":1.5}"#,
        #"{"b":false,"n8":127,"n16":-32768,"n32":2147483647,"n64":-9223372036854775808,"d":-0}"#,
        #"{"d":1e+21,"s":"ünï\"cødé\\ \n\t\u0000 😀","bin":"AAEC/w==","mood":2}"#,
        #"{"d":5e-324,"s":"","bin":"","mood":-7}"#,
        #"{"id":"00112233-4455-6677-8899-aabbccddeeff","big":"-5","Alias":3,"tag_name":"t"}"#,
        #"{"by_point":[{"key":{"x":1,"y":2},"value":"a"},{"key":{"x":-1},"value":""}],"by_list":[{"key":[1,2],"value":3}]}"#,
        #"{"shape":{"point":{"x":1,"y":7}},"points":[{"x":1,"y":7},{"x":2}],"by_mood":{"1":5,"-3":6}}"#,
        #"{"by_i64":{"-9223372036854775808":"min","0":""},"ints":[3,1,2],"child":{"child":{"b":true}}}"#,
        #"{"small_ints":["1","-2"],"by_uuid":{"00112233-4455-6677-8899-aabbccddeeff":true}}"#,
        #"{"by_double":{"1.5":true,"-0":false,"NaN":true,"Infinity":false,"1e+300":true},"by_bool":{"true":1,"false":-1}}"#,
        #"{"by_binary":{"AAE=":"x","":"empty"},"ratios":{"a":["1.5","-2","NaN"]},"odd key":"o"}"#,
        #"{"points":[],"by_point":[],"by_i64":{},"ints":[],"child":{}}"#,
    ])
    func canonicalJSONRoundTripsExactly(_ json: String) throws {
        #expect(try Fixture.roundTrip(json) == json)
    }

    @Test func i64IsANumberUnlessJsConvOrTheOption() throws {
        let bytes = try Fixture.decode(#"{"n64":9007199254740993,"big":9007199254740993,"small_ints":[1]}"#)
        #expect(try Fixture.encode(bytes) == #"{"n64":9007199254740993,"big":"9007199254740993","small_ints":["1"]}"#)
        let asStrings = ThriftJSONOptions(int64AsString: true)
        #expect(
            try Fixture.encode(bytes, options: asStrings)
                == #"{"n64":"9007199254740993","big":"9007199254740993","small_ints":["1"]}"#)
        // Reading: js_conv fields take strings or numbers; other integers only numbers unless an option says so.
        #expect(try Fixture.decode(#"{"big":"12"}"#) == Fixture.decode(#"{"big":12}"#))
        #expect(try Fixture.decode(#"{"small_ints":["1",2]}"#) == Fixture.decode(#"{"small_ints":[1,2]}"#))
        #expect(throws: CodecError.self) { try Fixture.decode(#"{"n64":"12"}"#) }
        #expect(try Fixture.decode(#"{"n64":"12"}"#, options: asStrings) == Fixture.decode(#"{"n64":12}"#))
        let coercing = ThriftJSONOptions(stringToNumber: true)
        #expect(
            try Fixture.decode(#"{"n32":"-12","n8":"5","d":"2.5","mood":"2"}"#, options: coercing)
                == Fixture.decode(#"{"n32":-12,"n8":5,"d":2.5,"mood":2}"#))
        // Exact integral forms are integers.
        #expect(try Fixture.decode(#"{"n32":1e3,"n16":5.0}"#) == Fixture.decode(#"{"n32":1000,"n16":5}"#))
    }

    @Test func keysUseAliasesAndAcceptFieldNames() throws {
        let bytes = try Fixture.decode(#"{"aliased":1,"tagged":"x","odd":"y"}"#)
        #expect(try Fixture.encode(bytes) == #"{"Alias":1,"tag_name":"x","odd key":"y"}"#)
        #expect(try Fixture.decode(#"{"Alias":1,"tag_name":"x","odd key":"y"}"#) == bytes)
        let error = #expect(throws: CodecError.self) { try Fixture.decode(#"{"Alias":1,"aliased":2}"#) }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == 11)
        #expect(error?.path == "Alias")
    }

    @Test func goTagNames() {
        #expect(ThriftJSONStructKeys.goJSONName(#"json:"a,omitempty""#) == "a")
        #expect(ThriftJSONStructKeys.goJSONName(#"thrift:"x,1" json:"b""#) == "b")
        #expect(ThriftJSONStructKeys.goJSONName(#"json:"-""#) == nil)
        #expect(ThriftJSONStructKeys.goJSONName(#"json:",omitempty""#) == nil)
        #expect(ThriftJSONStructKeys.goJSONName(#"xjson:"c""#) == nil)
        #expect(ThriftJSONStructKeys.goJSONName("") == nil)
    }

    @Test func enumsAsNumbersOrNames() throws {
        let bytes = try Fixture.decode(#"{"mood":"SAD","by_mood":{"HAPPY":1,"5":2}}"#)
        #expect(try Fixture.encode(bytes) == #"{"mood":2,"by_mood":{"1":1,"5":2}}"#)
        let names = ThriftJSONOptions(enumsAsNames: true)
        #expect(try Fixture.encode(bytes, options: names) == #"{"mood":"SAD","by_mood":{"HAPPY":1,"5":2}}"#)
        #expect(
            try Fixture.roundTrip(#"{"mood":"HAPPY","by_mood":{"SAD":1,"9":2}}"#, options: names)
                == #"{"mood":"HAPPY","by_mood":{"SAD":1,"9":2}}"#)
        let error = #expect(throws: CodecError.self) { try Fixture.decode(#"{"mood":"GLAD"}"#) }
        #expect(error?.code == .invalidValue)
        #expect(error?.path == "mood")
        #expect(error?.offset == 8)
    }

    @Test func mapsWithStructKeysArePairArrays() throws {
        // The value may come before the key; Thrift still gets the key first.
        let reordered = try Fixture.decode(#"{"by_point":[{"value":"a","key":{"x":1}}]}"#)
        #expect(reordered == (try Fixture.decode(#"{"by_point":[{"key":{"x":1},"value":"a"}]}"#)))
        #expect(try Fixture.encode(reordered) == #"{"by_point":[{"key":{"x":1},"value":"a"}]}"#)
        for (json, code, path) in [
            (#"{"by_point":[{"key":{"x":1}}]}"#, CodecError.Code.invalidValue, "by_point[0]"),
            (#"{"by_point":[{"key":{"x":1},"value":"a","extra":1}]}"#, .unknownField, "by_point[0].extra"),
            (#"{"by_point":[{"key":{"x":1},"key":{"x":2},"value":"a"}]}"#, .invalidValue, "by_point[0]"),
            (#"{"by_point":{"a":"b"}}"#, .typeMismatch, "by_point"),
            (#"{"by_point":[{"key":{"y":1},"value":"a"}]}"#, .missingRequiredField, "by_point[0].key.x"),
            (#"{"by_list":[{"key":[1,"x"],"value":1}]}"#, .typeMismatch, "by_list[0].key[1]"),
        ] {
            let error = #expect(throws: CodecError.self, "\(json)") { try Fixture.decode(json) }
            #expect(error?.code == code, "\(json)")
            #expect(error?.path == path, "\(json)")
        }
        let ignoring = ThriftJSONOptions(ignoreUnknownFields: true)
        #expect(
            try Fixture.decode(#"{"by_point":[{"key":{"x":1},"value":"a","extra":[1]}]}"#, options: ignoring)
                == reordered)
    }

    @Test func unionsHaveExactlyOneMember() throws {
        #expect(try Fixture.roundTrip(#"{"label":"x"}"#, Fixture.shape) == #"{"label":"x"}"#)
        #expect(try Fixture.roundTrip(#"{"empty":false}"#, Fixture.shape) == #"{"empty":false}"#)
        #expect(try Fixture.roundTrip(#"{"label":null,"empty":true}"#, Fixture.shape) == #"{"empty":true}"#)
        let none = #expect(throws: CodecError.self) { try Fixture.decode(#"{"shape":{ }}"#) }
        #expect(none?.code == .invalidValue)
        #expect(none?.path == "shape")
        #expect(none?.offset == 9)
        let two = #expect(throws: CodecError.self) { try Fixture.decode(#"{"shape":{"label":"a","empty":true}}"#) }
        #expect(two?.code == .invalidValue)
        #expect(two?.path == "shape.empty")
        #expect(two?.offset == 22)
        // Defaults are never added to a union, whatever the options.
        let all = ThriftJSONOptions(writeDefault: true, writeRequired: true, writeOptional: true)
        #expect(try Fixture.roundTrip(#"{"label":"x"}"#, Fixture.shape, options: all) == #"{"label":"x"}"#)
        // Thrift -> JSON: a union with several (or no) members on the wire fails.
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.string, id: 2)
        writer.writeBinary(UnsafeRawBufferPointer(start: nil, count: 0))
        writer.writeBoolField(id: 3, value: true)
        writer.writeStop()
        let error = #expect(throws: CodecError.self) { try Fixture.encode(writer.bytes, Fixture.shape) }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == 0)
        #expect(throws: CodecError.self) { try Fixture.encode([0], Fixture.shape) }
    }

    @Test func missingRequiredFieldsFailWithTheirPath() throws {
        for (json, path, offset) in [
            ("{}", "name", 0),
            (#"{"name":"n","corner":{"x":1}}"#, "id", 0),
            (#"{"name":"n","id":1}"#, "corner", 0),
            (#"{"name":"n","id":1,"corner":{ "y":2}}"#, "corner.x", 28),
            (#"{"name":null,"id":1,"corner":{"x":1}}"#, "name", 0),
        ] {
            let error = #expect(throws: CodecError.self, "\(json)") { try Fixture.decode(json, Fixture.defaults) }
            #expect(error?.code == .missingRequiredField, "\(json)")
            #expect(error?.path == path, "\(json)")
            #expect(error?.offset == offset, "\(json)")
        }
    }

    @Test func writeRequiredDefaultAndOptional() throws {
        let required = ThriftJSONOptions(writeRequired: true)
        #expect(
            try Fixture.roundTrip("{}", Fixture.defaults, options: required)
                == #"{"name":"","id":42,"corner":{"x":0,"y":7}}"#)
        let defaults = ThriftJSONOptions(writeDefault: true, writeRequired: true)
        #expect(
            try Fixture.roundTrip(#"{"count":1}"#, Fixture.defaults, options: defaults)
                == #"{"count":1,"name":"","id":42,"note":"","mood":2,"origin":{"x":1,"y":7},"corner":{"x":0,"y":7},"#
                + #""weights":{"a":1},"ratio":1.5,"blob":"aGk=","on":false}"#)
        let all = ThriftJSONOptions(writeDefault: true, writeRequired: true, writeOptional: true)
        let everything = try Fixture.decode(#"{"name":"n","id":1,"corner":{"x":2}}"#, Fixture.defaults, options: all)
        #expect(
            try Fixture.encode(everything, Fixture.defaults)
                == #"{"name":"n","id":1,"corner":{"x":2,"y":7},"count":5,"note":"","flag":true,"values":[],"mood":2,"#
                + #""origin":{"x":1,"y":7},"weights":{"a":1},"ratio":1.5,"blob":"aGk=","tags":[],"on":false}"#)
        // Thrift -> JSON: the same options fill what the struct lacks (in declaration order after what it has).
        let sparse = try Fixture.decode(#"{"corner":{"x":3},"name":"s","id":9}"#, Fixture.defaults)
        #expect(try Fixture.encode(sparse, Fixture.defaults) == #"{"corner":{"x":3},"name":"s","id":9}"#)
        #expect(
            try Fixture.encode(sparse, Fixture.defaults, options: ThriftJSONOptions(writeDefault: true))
                == #"{"corner":{"x":3,"y":7},"name":"s","id":9,"count":5,"note":"","mood":2,"origin":{"x":1,"y":7},"#
                + #""weights":{"a":1},"ratio":1.5,"blob":"aGk=","on":false}"#)
        #expect(
            try Fixture.encode([0], Fixture.defaults, encoding: .compact, options: required)
                == #"{"name":"","id":42,"corner":{"x":0,"y":7}}"#)
    }

    @Test func nullMeansAbsent() throws {
        #expect(try Fixture.roundTrip(#"{"s":null,"child":null,"points":null,"b":true}"#) == #"{"b":true}"#)
        let error = #expect(throws: CodecError.self) { try Fixture.decode(#"{"points":[null]}"#) }
        #expect(error?.code == .typeMismatch)
        #expect(error?.path == "points[0]")
    }

    @Test func binaryIsBase64OrRawText() throws {
        let standard = try Fixture.decode(#"{"bin":"+/8="}"#)
        #expect(try Fixture.decode(#"{"bin":"-_8"}"#) == standard)  // URL-safe, unpadded
        #expect(try Fixture.encode(standard) == #"{"bin":"+/8="}"#)
        let raw = ThriftJSONOptions(binaryAsString: true)
        let text = try Fixture.decode(#"{"bin":"héllo","by_binary":{"k":"v"}}"#, options: raw)
        #expect(try Fixture.encode(text) == #"{"bin":"aMOpbGxv","by_binary":{"aw==":"v"}}"#)
        #expect(try Fixture.encode(text, options: raw) == #"{"bin":"héllo","by_binary":{"k":"v"}}"#)
        let error = #expect(throws: CodecError.self) { try Fixture.encode(standard, options: raw) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.path == "bin")
        #expect(error?.offset == 3)
    }

    @Test func largeContainersGetWideCountsInBothProtocols() throws {
        for count in [0, 1, 14, 15, 16, 127, 128, 129, 300, 20_000] {
            let list = (0..<count).map { "\($0 % 7 - 3)" }.joined(separator: ",")
            let map = (0..<count).map { "\"\($0)\":\"v\($0)\"" }.joined(separator: ",")
            let pairs = (0..<count).map { #"{"key":{"x":\#($0)},"value":"p"}"# }.joined(separator: ",")
            let json = #"{"ints":[\#(list)],"by_i64":{\#(map)},"by_point":[\#(pairs)],"points":[{"x":1}]}"#
            #expect(try Fixture.roundTrip(json) == json, "\(count)")
        }
    }

    @Test func thriftFieldsRepeatedOnTheWireTakeTheLastValue() throws {
        var writer = ThriftCompactWriter()
        writer.writeFieldHeader(.i32, id: 4)
        writer.writeI32(1)
        writer.writeFieldHeader(.string, id: 7)
        Array("first".utf8).withUnsafeBytes { writer.writeBinary($0) }
        writer.writeFieldHeader(.i32, id: 4)
        writer.writeI32(2)
        writer.writeFieldHeader(.map, id: 19)
        writer.writeMapHeader(key: .i64, value: .string, count: 3)
        for (key, value) in [(5, "a"), (6, "b"), (5, "c")] {
            writer.writeI64(Int64(key))
            Array(value.utf8).withUnsafeBytes { writer.writeBinary($0) }
        }
        writer.writeBoolField(id: 1, value: true)
        writer.writeFieldHeader(.i64, id: 99)  // unknown: dropped
        writer.writeI64(1)
        writer.writeStop()
        #expect(
            try Fixture.encode(writer.bytes, encoding: .compact)
                == #"{"s":"first","n32":2,"by_i64":{"6":"b","5":"c"},"b":true}"#)
    }

    @Test func thriftValueJSON() throws {
        let bytes = try Fixture.decode(#"{"child":{"s":"inner"},"n16":3}"#, encoding: .compact)
        let value = try ThriftValue(
            bytes: bytes, encoding: .compact, descriptor: Fixture.everything,
            schema: Fixture.schema)
        #expect(String(decoding: try value.json(), as: UTF8.self) == #"{"child":{"s":"inner"},"n16":3}"#)
        #expect(try value.get("child.s")?.scalar == .string("inner"))
    }

    @Test func decodesWhitespaceAndEscapedKeys() throws {
        let json = " {\n \"n\\u0033\\u0032\" : 5 , \"s\" :\t\"a\\/b\" } \n"
        #expect(try Fixture.encode(try Fixture.decode(json)) == #"{"n32":5,"s":"a/b"}"#)
    }
}
