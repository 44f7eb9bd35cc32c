import Foundation
import Testing

@testable import DynamicCodec

/// Malformed or ill-typed JSON fails with a ``CodecError`` that has the right code, the byte offset of the offending
/// token and the field path, and never crashes or hangs.
///
/// In the case texts, `§` marks the byte where the error must point; it is removed before decoding.
@Suite struct ProtoJSONErrorTests {
    static var schema: ProtoSchema { ProtoJSONOracleTests.schema }
    static let rich = try! schema.requireMessage(named: "rich.Rich")
    static let everything = try! schema.requireMessage(named: "wkt.Everything")

    /// One JSON text that must not decode.
    struct Bad: Sendable, CustomTestStringConvertible {
        var json: [UInt8]
        /// Where the error must point (`§` in the text), or nil to only require an offset inside the input.
        var offset: Int?
        var codes: [CodecError.Code]
        /// The field path the error must carry, when it is about a field.
        var path: String?
        var type = "rich.Rich"
        var options = ProtoJSONOptions()

        init(
            _ text: String, _ codes: [CodecError.Code], path: String? = nil, type: String = "rich.Rich",
            options: ProtoJSONOptions = ProtoJSONOptions()
        ) {
            let marker = text.range(of: "§")
            offset = marker.map { text[..<$0.lowerBound].utf8.count }
            json = Array(text.replacingOccurrences(of: "§", with: "").utf8)
            self.codes = codes
            self.path = path
            self.type = type
            self.options = options
        }

        /// Raw bytes: `prefix`, then `bytes` (where the error must point), then `suffix`.
        init(
            prefix: String, bytes: [UInt8], suffix: String, _ codes: [CodecError.Code], path: String? = nil,
            type: String = "rich.Rich"
        ) {
            json = Array(prefix.utf8) + bytes + Array(suffix.utf8)
            offset = prefix.utf8.count
            self.codes = codes
            self.path = path
            self.type = type
        }

        var testDescription: String {
            let text = String(decoding: json.prefix(120), as: UTF8.self)
            return json.count > 120 ? text + "…" : text
        }
    }

    /// Decodes `bad` and checks the error it must give.
    static func expectFailure(_ bad: Bad, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let type = try! schema.requireMessage(named: bad.type)
        let error: CodecError
        do throws(CodecError) {
            let bytes = try ProtoJSON.decode(bad.json, as: type, schema: schema, options: bad.options)
            Issue.record("decoded to \(bytes.count) bytes instead of failing", sourceLocation: sourceLocation)
            return
        } catch let caught {
            error = caught
        }
        #expect(
            bad.codes.contains(error.code), "code \(error.code), expected one of \(bad.codes): \(error)",
            sourceLocation: sourceLocation)
        if let offset = error.offset {
            if let expected = bad.offset {
                #expect(
                    offset == expected, "offset \(offset), expected \(expected): \(error)",
                    sourceLocation: sourceLocation)
            } else {
                #expect(
                    (0...bad.json.count).contains(offset), "offset \(offset) outside the input: \(error)",
                    sourceLocation: sourceLocation)
            }
        } else {
            Issue.record("no byte offset: \(error)", sourceLocation: sourceLocation)
        }
        if let path = bad.path {
            #expect(
                error.path == path, "path \(error.path ?? "nil"), expected \(path): \(error)",
                sourceLocation: sourceLocation)
        }
    }

    static func decode(_ text: String, type: String = "rich.Rich", options: ProtoJSONOptions = ProtoJSONOptions())
        throws -> [UInt8]
    {
        try ProtoJSON.decode(
            Array(text.utf8), as: schema.requireMessage(named: type), schema: schema,
            options: options)
    }

    static let typeErrors: [CodecError.Code] = [.typeMismatch, .invalidValue]

    // MARK: Truncation

    /// Documents with every kind of token: escapes, non-ASCII, numbers with fractions and exponents, literals,
    /// nested objects and arrays, maps, well-known types and Any.
    static let completeDocuments: [(type: String, json: String)] = [
        (
            "rich.Rich",
            """
            {"fDouble": -1.5e-3, "fFloat": "NaN", "fInt32": -42, "fInt64": "9007199254740993", "fUint64": 18,
             "fBool": true, "fString": "d\\u00e9j\\u00e0 \\ud83d\\ude00 \\"q\\" \\\\ \\n ü 中文 😀",
             "fBytes": "AAEC/w==", "fEnum": "COLOR_RED",
             "fNested": {"a": 1, "b": "x", "kind": -7, "values": ["1", 2], "deeper": {"names": []}},
             "rDouble": [1, 2.5, "Infinity"], "rBool": [false, true], "rNested": [{}, {"a": 2}],
             "child": {"fInt32": 1},
             "mInt32Int32": {"-1": 1, "2": 3}, "mBoolBool": {"true": false}, "mStringNested": {"k": {"b": "v"}},
             "oString": "one", "pInt32": 0, "customName": "c", "fTagMax": "-1"}
            """
        ),
        (
            "wkt.Everything",
            """
            {"timestamp": "1972-01-01T10:00:20.021Z", "duration": "-1.000340012s", "int64Value": "-5",
             "boolValue": true,
             "structValue": {"a": [1, null, {"b": false}], "c": "d"}, "value": [true, 1e-7], "listValue": [],
             "nullValue": null, "fieldMask": "fooBar,baz.qux", "empty": {},
             "any": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1.5s"},
             "rAny": [{"@type": "type.googleapis.com/rich.Rich", "fInt32": 5, "fNested": {"a": 1}}],
             "mTimestamp": {"k": "2000-02-29T23:59:59Z"}, "oNull": null}
            """
        ),
    ]

    @Test(arguments: 0..<2) func everyTruncatedPrefixFails(document: Int) throws {
        let (typeName, text) = Self.completeDocuments[document]
        let type = try Self.schema.requireMessage(named: typeName)
        let json = Array(text.utf8)
        _ = try ProtoJSON.decode(json, as: type, schema: Self.schema)  // the whole document is valid
        var problems: [String] = []
        for length in 0..<json.count {
            let prefix = Array(json[..<length])
            do throws(CodecError) {
                _ = try ProtoJSON.decode(prefix, as: type, schema: Self.schema)
                problems.append("prefix of \(length) bytes decoded")
            } catch {
                let expectedCodes: [CodecError.Code] = [.invalidJSON, .invalidUTF8]
                if !expectedCodes.contains(error.code) {
                    problems.append("prefix of \(length) bytes: code \(error.code): \(error)")
                } else if let offset = error.offset, offset <= length {
                    continue
                } else {
                    problems.append("prefix of \(length) bytes: offset \(error.offset.map(String.init) ?? "nil")")
                }
            }
        }
        for problem in problems.prefix(10) { Issue.record(Comment(rawValue: problem)) }
        #expect(problems.isEmpty, "\(problems.count) of \(json.count) prefixes misbehave")
    }

    /// The end of the input is where a truncated document fails.
    @Test func truncationPointsAtTheEnd() {
        Self.expectFailure(Bad("{\"fInt32\": 1§", [.invalidJSON]))
        Self.expectFailure(Bad("{\"fInt32\": §", [.invalidJSON]))
        Self.expectFailure(Bad("{\"rInt32\": [1, 2§", [.invalidJSON]))
        Self.expectFailure(Bad("§", [.invalidJSON]))
        Self.expectFailure(Bad("  §", [.invalidJSON]))
    }

    // MARK: JSON syntax

    static let syntaxErrors: [Bad] = [
        Bad("{\"fInt32\": 0§1}", [.invalidJSON]),
        Bad("{\"fInt32\": §+1}", [.invalidJSON]),
        Bad("{\"fDouble\": §1.}", [.invalidJSON]),
        Bad("{\"fDouble\": §.5}", [.invalidJSON]),
        Bad("{\"fInt32\": §-}", [.invalidJSON]),
        Bad("{\"fDouble\": §1e}", [.invalidJSON]),
        Bad("{\"fDouble\": §NaN}", [.invalidJSON]),
        Bad("{\"fDouble\": §Infinity}", [.invalidJSON]),
        Bad("{\"fDouble\": §-Infinity}", [.invalidJSON]),
        Bad("{§'fInt32': 1}", [.invalidJSON]),
        Bad("{\"fInt32\" §1}", [.invalidJSON]),
        Bad("{\"fInt32\": 1,§}", [.invalidJSON]),
        Bad("{§,}", [.invalidJSON]),
        Bad("{\"rInt32\": [1,§]}", [.invalidJSON]),
        Bad("{\"rInt32\": [§,1]}", [.invalidJSON]),
        Bad("{\"rInt32\": [1 §2]}", [.invalidJSON]),
        Bad("{\"fBool\": §tru}", [.invalidJSON]),
        Bad("{\"fBool\": §True}", [.invalidJSON]),
        Bad("{\"fString\": \"abc}§", [.invalidJSON]),
        Bad("§/* comment */ {}", [.invalidJSON]),
        Bad("{\"fInt32\": 1} §// comment", [.invalidJSON]),
        Bad("{\"fNested\": {\"a\": 1}§", [.invalidJSON]),
        Bad("{\"fInt32\": 1}§}", [.invalidJSON]),
        Bad("{} §{}", [.invalidJSON]),
        Bad("{}§x", [.invalidJSON]),
        Bad("{\"structValue\": {\"a\": §nul}}", [.invalidJSON], type: "wkt.Everything"),
        Bad("{\"value\": §NaN}", [.invalidJSON], type: "wkt.Everything"),
        Bad("{\"value\": [1, §]}", [.invalidJSON], type: "wkt.Everything"),
        Bad("{\"zzz\": [1, §]}", [.invalidJSON], options: ProtoJSONOptions(ignoreUnknownFields: true)),
        Bad("{\"zzz\": {\"a\" §1}}", [.invalidJSON], options: ProtoJSONOptions(ignoreUnknownFields: true)),
    ]

    @Test(arguments: ProtoJSONErrorTests.syntaxErrors) func syntaxErrorsAreInvalidJSON(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    // MARK: Wrong types

    /// Valid JSON of the wrong kind for each field kind: a type error at the value, never INVALID_JSON.
    static let wrongTypes: [Bad] = {
        var out: [Bad] = []
        func add(_ field: String, _ values: [String], type: String = "rich.Rich") {
            for value in values {
                out.append(Bad("{\"\(field)\": §\(value)}", typeErrors, path: field, type: type))
            }
        }
        let notNumbers = ["true", "{}", "[]", "\"abc\"", "\"\""]
        for field in [
            "fInt32", "fSint32", "fSfixed32", "fUint32", "fFixed32", "fInt64", "fSint64", "fSfixed64",
            "fUint64", "fFixed64",
        ] {
            add(field, notNumbers + ["1.5", "\"1.5\"", "\" 1\"", "\"1 \"", "\"0x10\""])
        }
        add("fFloat", notNumbers + ["\"nan\"", "\"inf\"", "\"-inf\"", "\" 1\"", "\"0x1p3\""])
        add("fDouble", notNumbers + ["\"nan\"", "\"infinity\"", "\"1 \"", "\"0x1p3\""])
        add("fBool", ["1", "0", "\"yes\"", "{}", "[]", "\"True\""])
        add("fString", ["1", "true", "{}", "[]"])
        add("fBytes", ["1", "true", "{}", "[]", "\"!!!!\"", "\"a\"", "\"ab=c\""])
        add("fEnum", ["true", "{}", "[]", "1.5", "\"NOPE\"", "\"color_red\""])
        add("fNested", ["1", "\"x\"", "[]", "true"])
        add("rInt32", ["1", "{}", "\"x\"", "true"])
        add("rNested", ["{}", "1"])
        add("mInt32Int32", ["[]", "1", "\"x\""])
        add("oNested", ["1", "[]"])
        add("child", ["\"x\""])
        add("timestamp", ["0", "{}", "[]", "true"], type: "wkt.Everything")
        add("duration", ["1", "{\"seconds\": 1}"], type: "wkt.Everything")
        add("int32Value", ["\"abc\"", "{}", "{\"value\": 1}", "[]", "true"], type: "wkt.Everything")
        add("boolValue", ["1", "{}"], type: "wkt.Everything")
        add("stringValue", ["1", "{}"], type: "wkt.Everything")
        add("bytesValue", ["1", "\"!!!!\""], type: "wkt.Everything")
        add("structValue", ["[]", "1", "\"x\"", "true"], type: "wkt.Everything")
        add("listValue", ["{}", "1", "\"x\""], type: "wkt.Everything")
        add("fieldMask", ["1", "[\"a\"]", "{}"], type: "wkt.Everything")
        add("empty", ["1", "[]", "\"\""], type: "wkt.Everything")
        add("any", ["1", "[]", "\"x\""], type: "wkt.Everything")
        add("nullValue", ["\"x\"", "{}", "[]"], type: "wkt.Everything")
        return out
    }()

    @Test(arguments: ProtoJSONErrorTests.wrongTypes) func wrongTypesAreTypeErrors(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// A bad element or entry carries its index or key in the path.
    static let badElements: [Bad] = [
        Bad("{\"rInt32\": [1, §\"x\"]}", typeErrors, path: "rInt32[1]"),
        Bad("{\"rString\": [\"a\", §1]}", typeErrors, path: "rString[1]"),
        Bad("{\"rNested\": [{}, §1]}", typeErrors, path: "rNested[1]"),
        Bad("{\"rNested\": [{}, §null]}", typeErrors, path: "rNested[1]"),
        Bad("{\"rEnum\": [\"COLOR_RED\", §\"NOPE\"]}", typeErrors, path: "rEnum[1]"),
        Bad("{\"mInt32Int32\": {\"1\": §\"x\"}}", typeErrors, path: "mInt32Int32[\"1\"]"),
        Bad("{\"mInt32Int32\": {§\"x\": 1}}", typeErrors, path: "mInt32Int32[\"x\"]"),
        Bad("{\"mInt32Int32\": {§\"1.5\": 1}}", typeErrors, path: "mInt32Int32[\"1.5\"]"),
        Bad("{\"mBoolBool\": {§\"yes\": true}}", typeErrors, path: "mBoolBool[\"yes\"]"),
        Bad("{\"mStringNested\": {\"k\": {\"a\": §\"x\"}}}", typeErrors, path: "mStringNested[\"k\"].a"),
        Bad("{\"rNested\": [{}, {\"a\": §true}]}", typeErrors, path: "rNested[1].a"),
        Bad("{\"fNested\": {\"deeper\": {\"names\": [§1]}}}", typeErrors, path: "fNested.deeper.names[0]"),
        Bad("{\"rTimestamp\": [§1]}", typeErrors, path: "rTimestamp[0]", type: "wkt.Everything"),
        Bad("{\"rNullValue\": [§\"x\"]}", typeErrors, path: "rNullValue[0]", type: "wkt.Everything"),
    ]

    @Test(arguments: ProtoJSONErrorTests.badElements) func badElementsCarryTheirIndexOrKey(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    // MARK: Ranges

    static let outOfRange: [Bad] = [
        Bad("{\"fInt32\": §2147483648}", [.invalidValue], path: "fInt32"),
        Bad("{\"fInt32\": §-2147483649}", [.invalidValue], path: "fInt32"),
        Bad("{\"fInt32\": §\"2147483648\"}", [.invalidValue], path: "fInt32"),
        Bad("{\"fSint32\": §3e9}", [.invalidValue], path: "fSint32"),
        Bad("{\"fSfixed32\": §-2147483649}", [.invalidValue], path: "fSfixed32"),
        Bad("{\"fUint32\": §4294967296}", [.invalidValue], path: "fUint32"),
        Bad("{\"fUint32\": §-1}", [.invalidValue], path: "fUint32"),
        Bad("{\"fFixed32\": §-1}", [.invalidValue], path: "fFixed32"),
        Bad("{\"fUint64\": §-1}", [.invalidValue], path: "fUint64"),
        Bad("{\"fUint64\": §\"-1\"}", [.invalidValue], path: "fUint64"),
        Bad("{\"fUint64\": §18446744073709551616}", [.invalidValue], path: "fUint64"),
        Bad("{\"fFixed64\": §\"18446744073709551616\"}", [.invalidValue], path: "fFixed64"),
        Bad("{\"fInt64\": §1e20}", [.invalidValue], path: "fInt64"),
        Bad("{\"fInt64\": §9223372036854775808}", [.invalidValue], path: "fInt64"),
        Bad("{\"fInt64\": §\"-9223372036854775809\"}", [.invalidValue], path: "fInt64"),
        Bad("{\"fSint64\": §9.3e18}", [.invalidValue], path: "fSint64"),
        Bad("{\"fInt32\": §1.5}", [.invalidValue], path: "fInt32"),
        Bad("{\"fInt64\": §\"1.000001\"}", [.invalidValue], path: "fInt64"),
        Bad("{\"fEnum\": §2147483648}", [.invalidValue], path: "fEnum"),
        Bad("{\"fFloat\": §3.5e38}", [.invalidValue], path: "fFloat"),
        Bad("{\"fFloat\": §-1e39}", [.invalidValue], path: "fFloat"),
        Bad("{\"fDouble\": §1e400}", [.invalidValue], path: "fDouble"),
        Bad("{\"fDouble\": §\"-1e400\"}", [.invalidValue], path: "fDouble"),
        Bad("{\"mInt32Int32\": {§\"2147483648\": 1}}", [.invalidValue], path: "mInt32Int32[\"2147483648\"]"),
        Bad("{\"mUint32Bytes\": {§\"-1\": \"\"}}", [.invalidValue], path: "mUint32Bytes[\"-1\"]"),
        Bad("{\"int32Value\": §2147483648}", [.invalidValue], path: "int32Value", type: "wkt.Everything"),
        Bad("{\"uint64Value\": §-1}", [.invalidValue], path: "uint64Value", type: "wkt.Everything"),
        Bad("{\"floatValue\": §1e39}", [.invalidValue], path: "floatValue", type: "wkt.Everything"),
    ]

    @Test(arguments: ProtoJSONErrorTests.outOfRange) func outOfRangeNumbersAreInvalidValues(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// The edges themselves decode, in every spelling proto3 JSON allows.
    @Test func rangeEdgesDecode() throws {
        let pairs: [(String, String)] = [
            (
                "{\"fInt32\": -2147483648, \"fUint32\": 4294967295}",
                "{\"fInt32\": \"-2147483648\", \"fUint32\": 4.294967295e9}"
            ),
            ("{\"fInt64\": \"-9223372036854775808\"}", "{\"fInt64\": -9223372036854775808}"),
            ("{\"fUint64\": \"18446744073709551615\"}", "{\"fUint64\": 18446744073709551615}"),
            ("{\"fUint64\": \"18000000000000000000\"}", "{\"fUint64\": 1.8e19}"),
            ("{\"fInt64\": \"9200000000000000000\"}", "{\"fInt64\": \"9.2e18\"}"),
            ("{\"fInt32\": 100}", "{\"fInt32\": 1e2}"),
            ("{\"fInt32\": -0}", "{\"fInt32\": 0}"),
            // The largest float and the JSON texts that round to it (shortest form, as Python and we write it).
            ("{\"fFloat\": 3.4028234663852886e38}", "{\"fFloat\": 3.4028235e38}"),
            ("{\"fFloat\": -3.4028234663852886e38}", "{\"fFloat\": \"-3.4028235e+38\"}"),
            ("{\"fDouble\": 1.7976931348623157e308}", "{\"fDouble\": \"1.7976931348623157e308\"}"),
            ("{\"fFloat\": 1.401298464324817e-45}", "{\"fFloat\": 1e-45}"),
            ("{\"fDouble\": 5e-324}", "{\"fDouble\": 4.9406564584124654e-324}"),
        ]
        for (left, right) in pairs {
            do {
                #expect(try Self.decode(left) == Self.decode(right), "\(left) vs \(right)")
            } catch {
                Issue.record("\(left) vs \(right): \(error)")
            }
        }
    }

    // MARK: Duplicates and oneofs

    static let duplicates: [Bad] = [
        Bad("{\"fInt32\": 1, §\"fInt32\": 2}", [.invalidValue], path: "fInt32"),
        Bad("{\"fInt32\": 1, §\"f_int32\": 2}", [.invalidValue], path: "fInt32"),
        Bad("{\"fNested\": {}, §\"fNested\": {}}", [.invalidValue], path: "fNested"),
        Bad("{\"rInt32\": [], §\"rInt32\": [1]}", [.invalidValue], path: "rInt32"),
        Bad("{\"fNested\": {\"a\": 1, §\"a\": 1}}", [.invalidValue], path: "fNested.a"),
        Bad("{\"mInt32Int32\": {\"1\": 1, §\"1\": 2}}", [.invalidValue], path: "mInt32Int32[\"1\"]"),
        Bad("{\"mStringString\": {\"k\": \"a\", §\"k\": \"b\"}}", [.invalidValue], path: "mStringString[\"k\"]"),
        Bad(
            "{\"structValue\": {\"a\": 1, §\"a\": 2}}", [.invalidValue], path: "structValue.a",
            type: "wkt.Everything"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"1s\", "
                + "§\"value\": \"2s\"}}",
            [.invalidValue], type: "wkt.Everything"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/rich.Rich\", §\"@type\": \"type.googleapis.com/rich.Rich\"}}",
            [.invalidValue], type: "wkt.Everything"),
        Bad("{\"oInt32\": 1, §\"oString\": \"x\"}", [.invalidValue], path: "oString"),
        Bad("{\"oNested\": {}, §\"oEmpty\": {}}", [.invalidValue], path: "oEmpty"),
        Bad(
            "{\"oTimestamp\": \"1970-01-01T00:00:00Z\", §\"oValue\": 1}", [.invalidValue], path: "oValue",
            type: "wkt.Everything"),
        Bad("{\"oString\": \"\", §\"o_int32\": 0}", [.invalidValue], path: "oInt32"),
    ]

    @Test(arguments: ProtoJSONErrorTests.duplicates) func duplicateKeysAndOneofMembersFail(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// null leaves a oneof member unset, so another member may follow it.
    @Test func nullOneofMemberDoesNotCount() throws {
        #expect(try Self.decode("{\"oInt32\": null, \"oString\": \"x\"}") == Self.decode("{\"oString\": \"x\"}"))
    }

    // MARK: Strings

    static let badStrings: [Bad] = [
        Bad("{\"fString\": \"a§\\x\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\\'\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\\u12\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\\u12G4\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\\U0041\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"ab§\\", [.invalidJSON]),
        Bad("{\"§\\q\": 1}", [.invalidJSON]),
        Bad("{\"mStringString\": {\"§\\z\": \"\"}}", [.invalidJSON]),
        // Lone surrogates, escaped.
        Bad("{\"fString\": \"§\\uD800\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"fString\": \"§\\uDC00\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"fString\": \"x§\\uDBFF\\u0041\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"fString\": \"§\\uD800x\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"fString\": \"§\\uD800\\uD800\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"fString\": \"§\\uDE00\\uD83D\"}", [.invalidJSON, .invalidUTF8], path: "fString"),
        Bad("{\"rString\": [\"§\\uD800\"]}", [.invalidJSON, .invalidUTF8]),
        Bad("{\"§\\uD800\": 1}", [.invalidJSON, .invalidUTF8]),
        Bad("{\"structValue\": {\"§\\uDFFF\": 1}}", [.invalidJSON, .invalidUTF8], type: "wkt.Everything"),
        Bad("{\"stringValue\": \"§\\uD800\"}", [.invalidJSON, .invalidUTF8], type: "wkt.Everything"),
        // Raw control characters.
        Bad("{\"fString\": \"a§\u{00}b\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\u{01}\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"line§\nbreak\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"§\t\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fString\": \"é§\u{1F}\"}", [.invalidJSON], path: "fString"),
        Bad("{\"fBytes\": \"AA§\rAA\"}", [.invalidJSON], path: "fBytes"),
        Bad("{\"a§\nb\": 1}", [.invalidJSON]),
        Bad("{\"mStringString\": {\"k\": \"§\u{7}\"}}", [.invalidJSON]),
        Bad("{\"structValue\": {\"k\": [\"§\u{0}\"]}}", [.invalidJSON], type: "wkt.Everything"),
    ]

    @Test(arguments: ProtoJSONErrorTests.badStrings) func badEscapesSurrogatesAndControlCharactersFail(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    static let badUTF8: [Bad] = {
        let sequences: [[UInt8]] = [
            [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xC3, 0x28], [0xE2, 0x82, 0x28], [0xE2, 0x82], [0xC3], [0xF0, 0x9F, 0x98],
        ]
        var out: [Bad] = []
        for bytes in sequences {
            out.append(Bad(prefix: "{\"fString\": \"ok", bytes: bytes, suffix: "\"}", [.invalidUTF8], path: "fString"))
            out.append(Bad(prefix: "{\"", bytes: bytes, suffix: "\": 1}", [.invalidUTF8]))
            out.append(Bad(prefix: "{\"mStringString\": {\"", bytes: bytes, suffix: "\": \"\"}}", [.invalidUTF8]))
            out.append(
                Bad(
                    prefix: "{\"structValue\": {\"a\": \"", bytes: bytes, suffix: "\"}}", [.invalidUTF8],
                    type: "wkt.Everything"))
            out.append(
                Bad(
                    prefix: "{\"timestamp\": \"1970", bytes: bytes, suffix: "\"}", [.invalidUTF8],
                    type: "wkt.Everything"))
            out.append(
                Bad(
                    prefix: "{\"any\": {\"@type\": \"type.googleapis.com/", bytes: bytes, suffix: "\"}}",
                    [.invalidUTF8], type: "wkt.Everything"))
        }
        // Outside strings it is not JSON at all.
        out.append(Bad(prefix: "{\"fInt32\": 1", bytes: [0xFF], suffix: "}", [.invalidJSON]))
        out.append(Bad(prefix: "", bytes: [0xEF, 0xBB, 0xBF], suffix: "{}", [.invalidJSON]))
        return out
    }()

    @Test(arguments: ProtoJSONErrorTests.badUTF8) func invalidUTF8PointsAtTheBadByte(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    // MARK: Depth

    static func nested(_ open: String, _ middle: String, _ close: String, _ count: Int) -> String {
        String(repeating: open, count: count) + middle + String(repeating: close, count: count)
    }

    static let deep: [Bad] = [
        Bad("{" + nested("\"child\": {", "", "}", 10_000) + "}", [.depthLimitExceeded]),
        Bad("{" + nested("\"children\": [{", "", "}]", 10_000) + "}", [.depthLimitExceeded]),
        Bad("{" + nested("\"fNested\": {\"back\": {", "", "}}", 5_000) + "}", [.depthLimitExceeded]),
        Bad("{" + nested("\"mStringRich\": {\"k\": {", "", "}}", 5_000) + "}", [.depthLimitExceeded]),
        Bad(
            "{\"structValue\": " + nested("{\"a\": ", "1", "}", 10_000) + "}", [.depthLimitExceeded],
            type: "wkt.Everything"),
        Bad("{\"value\": " + nested("[", "", "]", 10_000) + "}", [.depthLimitExceeded], type: "wkt.Everything"),
        Bad("{\"listValue\": " + nested("[", "1", "]", 10_000) + "}", [.depthLimitExceeded], type: "wkt.Everything"),
        Bad(
            "{\"value\": " + String(repeating: "[", count: 10_000), [.depthLimitExceeded, .invalidJSON],
            type: "wkt.Everything"),
        Bad(
            "{\"any\": "
                + nested(
                    "{\"@type\": \"type.googleapis.com/google.protobuf.Any\", \"value\": ", "{}", "}",
                    10_000) + "}", [.depthLimitExceeded], type: "wkt.Everything"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Value\", \"value\": "
                + nested("[", "", "]", 10_000) + "}}", [.depthLimitExceeded], type: "wkt.Everything"),
        Bad(
            "{\"rAny\": ["
                + nested(
                    "{\"@type\": \"type.googleapis.com/wkt.Everything\", \"rAny\": [", "", "]}",
                    10_000) + "]}", [.depthLimitExceeded], type: "wkt.Everything"),
        // Skipped values are bounded too.
        Bad(
            "{\"zzz\": " + nested("[", "", "]", 10_000) + "}", [.depthLimitExceeded],
            options: ProtoJSONOptions(ignoreUnknownFields: true)),
        Bad(
            "{\"zzz\": " + nested("{\"a\": ", "1", "}", 10_000) + "}", [.depthLimitExceeded],
            options: ProtoJSONOptions(ignoreUnknownFields: true)),
        Bad(
            "{\"any\": {\"x\": " + nested("[", "", "]", 10_000) + ", \"@type\": \"type.googleapis.com/rich.Rich\"}}",
            [.depthLimitExceeded], type: "wkt.Everything"),
    ]

    @Test(arguments: ProtoJSONErrorTests.deep) func tenThousandLevelsHitTheDepthLimit(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// The limit is the configured one: depth within it decodes.
    @Test func depthWithinTheLimitDecodes() throws {
        let shallow = "{" + Self.nested("\"child\": {", "", "}", 40) + "}"
        #expect(throws: Never.self) { try Self.decode(shallow) }
        let limits = CodecLimits(maxDepth: 8)
        #expect(throws: Never.self) {
            try Self.decode(
                "{" + Self.nested("\"child\": {", "", "}", 5) + "}",
                options: ProtoJSONOptions(limits: limits))
        }
        Self.expectFailure(
            Bad(
                "{" + Self.nested("\"child\": {", "", "}", 20) + "}", [.depthLimitExceeded],
                options: ProtoJSONOptions(limits: limits)))
    }

    /// Binary nested past the limit fails when written as JSON (and does not exhaust the stack).
    @Test func deepBinaryFailsToEncode() throws {
        var bytes: [UInt8] = []
        for _ in 0..<5_000 {
            // child (field 81, length-delimited) wrapping what is there so far.
            var length: [UInt8] = []
            var remaining = UInt64(bytes.count)
            repeat {
                length.append(UInt8(remaining & 0x7F) | (remaining >= 0x80 ? 0x80 : 0))
                remaining >>= 7
            } while remaining > 0
            bytes = [0x8A, 0x05] + length + bytes
        }
        do throws(CodecError) {
            let value = try ProtoValue(bytes: bytes, descriptor: Self.rich, schema: Self.schema)
            _ = try value.json()
            Issue.record("5,000 nested messages were written as JSON")
        } catch {
            #expect(error.code == .depthLimitExceeded, "\(error)")
        }
    }

    // MARK: Binary that has no JSON form

    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var remaining = value
        repeat {
            out.append(UInt8(remaining & 0x7F) | (remaining >= 0x80 ? 0x80 : 0))
            remaining >>= 7
        } while remaining > 0
        return out
    }

    static func delimited(_ tag: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        tag + varint(UInt64(payload.count)) + payload
    }

    /// Values the JSON mapping cannot express fail with a code, an offset and the field, as Python's
    /// MessageToJson refuses them.
    @Test func unrepresentableBinaryFailsToEncode() throws {
        let timestamp: [UInt8] = [0x0A], duration: [UInt8] = [0x12], value: [UInt8] = [0x6A]
        let fieldMask: [UInt8] = [0x82, 0x01], any: [UInt8] = [0x92, 0x01]
        let cases: [(String, [UInt8], [CodecError.Code])] = [
            ("wkt.Everything", Self.delimited(timestamp, [0x08] + Self.varint(253_402_300_800)), [.invalidValue]),
            (
                "wkt.Everything", Self.delimited(timestamp, [0x08] + Self.varint(UInt64(bitPattern: -62_135_596_801))),
                [.invalidValue]
            ),
            (
                "wkt.Everything", Self.delimited(timestamp, [0x10] + Self.varint(UInt64(bitPattern: -1))),
                [.invalidValue]
            ),
            ("wkt.Everything", Self.delimited(timestamp, [0x10] + Self.varint(1_000_000_000)), [.invalidValue]),
            (
                "wkt.Everything", Self.delimited(duration, [0x08, 0x01, 0x10] + Self.varint(UInt64(bitPattern: -1))),
                [.invalidValue]
            ),
            ("wkt.Everything", Self.delimited(duration, [0x08] + Self.varint(315_576_000_001)), [.invalidValue]),
            ("wkt.Everything", Self.delimited(value, [0x11, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F]), [.invalidValue]),
            ("wkt.Everything", Self.delimited(value, [0x11, 0, 0, 0, 0, 0, 0, 0xF0, 0xFF]), [.invalidValue]),
            (
                "wkt.Everything", Self.delimited(fieldMask, Self.delimited([0x0A], Array("fooBar".utf8))),
                [.invalidValue]
            ),
            (
                "wkt.Everything", Self.delimited(fieldMask, Self.delimited([0x0A], Array("foo__bar".utf8))),
                [.invalidValue]
            ),
            (
                "wkt.Everything", Self.delimited(fieldMask, Self.delimited([0x0A], Array("foo_1".utf8))),
                [.invalidValue]
            ),
            (
                "wkt.Everything",
                Self.delimited(any, Self.delimited([0x0A], Array("type.googleapis.com/nope.Nope".utf8))),
                [.unknownType]
            ),
            (
                "wkt.Everything",
                Self.delimited(
                    any,
                    Self.delimited([0x0A], Array("type.googleapis.com/rich.Rich".utf8))
                        + Self.delimited([0x12], [0x72, 0x05, 0x61])), [.truncated, .lengthOutOfBounds]
            ),
            ("rich.Rich", Self.delimited([0x72], [0x61, 0xFF]), [.invalidUTF8]),
            ("rich.Rich", Self.delimited([0xC2, 0x04], Self.delimited([0x0A], [0xC0, 0x80])), [.invalidUTF8]),
        ]
        for (typeName, bytes, codes) in cases {
            let type = try Self.schema.requireMessage(named: typeName)
            do throws(CodecError) {
                let json = try ProtoValue(bytes: bytes, descriptor: type, schema: Self.schema).json()
                Issue.record("\(OracleScalar.hex(bytes)) was written as \(String(decoding: json, as: UTF8.self))")
            } catch {
                #expect(codes.contains(error.code), "\(OracleScalar.hex(bytes)): \(error)")
                #expect(
                    error.offset.map { (0..<bytes.count).contains($0) } == true, "\(OracleScalar.hex(bytes)): \(error)")
                #expect(error.path?.isEmpty == false, "\(OracleScalar.hex(bytes)): no path in \(error)")
            }
        }
    }

    // MARK: Unknown keys and values

    static let unknown: [Bad] = [
        Bad("{§\"nope\": 1}", [.unknownField], path: "nope"),
        Bad("{\"fInt32\": 1, §\"fint32\": 2}", [.unknownField], path: "fint32"),
        Bad("{\"fNested\": {§\"zzz\": {}}}", [.unknownField], path: "fNested.zzz"),
        Bad("{\"rNested\": [{}, {§\"zzz\": 1}]}", [.unknownField], path: "rNested[1].zzz"),
        Bad("{\"mStringNested\": {\"k\": {§\"zzz\": 1}}}", [.unknownField], path: "mStringNested[\"k\"].zzz"),
        Bad("{\"child\": {\"child\": {§\"f_int\": 1}}}", [.unknownField], path: "child.child.f_int"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/rich.Rich\", §\"zzz\": 1}}", [.unknownField],
            path: "any.zzz", type: "wkt.Everything"),
        Bad("{\"empty\": {§\"zzz\": 1}}", [.unknownField], path: "empty.zzz", type: "wkt.Everything"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"1s\", §\"zzz\": 1}}",
            [.unknownField, .invalidValue], type: "wkt.Everything"),
        Bad("{\"fEnum\": §\"COLOR_PURPLE\"}", [.invalidValue], path: "fEnum"),
        Bad(
            "{\"any\": {\"@type\": §\"type.googleapis.com/nope.Nope\"}}", [.unknownType], path: "any.@type",
            type: "wkt.Everything"),
        Bad(
            "{\"rAny\": [{\"@type\": §\"nope.Nope\", \"a\": 1}]}", [.unknownType], path: "rAny[0].@type",
            type: "wkt.Everything"),
        Bad("{\"any\": §{\"value\": \"1s\"}}", [.invalidValue], path: "any", type: "wkt.Everything"),
        Bad("{\"any\": {\"@type\": §1}}", typeErrors, path: "any", type: "wkt.Everything"),
        Bad(
            "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": §\"x\"}}",
            [.invalidValue], path: "any.value", type: "wkt.Everything"),
        Bad(
            "{\"any\": §{\"@type\": \"type.googleapis.com/google.protobuf.Duration\"}}", [.invalidValue],
            path: "any", type: "wkt.Everything"),
    ]

    @Test(arguments: ProtoJSONErrorTests.unknown) func unknownKeysEnumsAndTypesFail(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// With ignoreUnknownFields, unknown keys (with any value) and unknown enum names are skipped: the result is
    /// what the same JSON without them gives.
    @Test func ignoreUnknownFieldsSkipsThem() throws {
        let ignore = ProtoJSONOptions(ignoreUnknownFields: true)
        let pairs: [(String, String, String)] = [
            (
                "rich.Rich", "{\"nope\": {\"a\": [1, {\"b\": null}]}, \"fInt32\": 1, \"zz\": \"\\u00e9\"}",
                "{\"fInt32\": 1}"
            ),
            ("rich.Rich", "{\"fNested\": {\"zzz\": true, \"a\": 2}}", "{\"fNested\": {\"a\": 2}}"),
            ("rich.Rich", "{\"fEnum\": \"COLOR_PURPLE\", \"fInt32\": 3}", "{\"fInt32\": 3}"),
            (
                "rich.Rich", "{\"rEnum\": [\"COLOR_RED\", \"COLOR_PURPLE\", \"COLOR_BLUE\"]}",
                "{\"rEnum\": [\"COLOR_RED\", \"COLOR_BLUE\"]}"
            ),
            ("rich.Rich", "{\"uEnum\": [\"COLOR_PURPLE\", \"COLOR_BLUE\"]}", "{\"uEnum\": [\"COLOR_BLUE\"]}"),
            // A map entry whose enum value is unknown is dropped whole, as Python does.
            (
                "rich.Rich", "{\"mStringEnum\": {\"a\": \"COLOR_PURPLE\", \"b\": \"COLOR_RED\"}}",
                "{\"mStringEnum\": {\"b\": \"COLOR_RED\"}}"
            ),
            ("rich.Rich", "{\"oEnum\": \"COLOR_PURPLE\", \"pInt32\": 1}", "{\"pInt32\": 1}"),
            (
                "wkt.Everything",
                "{\"any\": {\"@type\": \"type.googleapis.com/rich.Rich\", \"zzz\": 1, \"fInt32\": 2}}",
                "{\"any\": {\"@type\": \"type.googleapis.com/rich.Rich\", \"fInt32\": 2}}"
            ),
            (
                "wkt.Everything",
                "{\"any\": {\"zzz\": 1, \"@type\": \"type.googleapis.com/google.protobuf.Duration\", "
                    + "\"value\": \"1s\"}}",
                "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"1s\"}}"
            ),
        ]
        for (type, withUnknown, without) in pairs {
            #expect(throws: (any Error).self, "\(withUnknown) decoded without ignoreUnknownFields") {
                try Self.decode(withUnknown, type: type)
            }
            let skipped = try Self.decode(withUnknown, type: type, options: ignore)
            #expect(skipped == (try Self.decode(without, type: type)), "\(withUnknown)")
        }
    }

    // MARK: Well-known types

    static let badWellKnown: [Bad] = {
        var out: [Bad] = []
        func add(_ field: String, _ values: [String]) {
            for value in values {
                out.append(Bad("{\"\(field)\": §\(value)}", [.invalidValue], path: field, type: "wkt.Everything"))
            }
        }
        add(
            "timestamp",
            [
                "\"2020-13-01T00:00:00Z\"", "\"2020-00-01T00:00:00Z\"", "\"2020-02-30T00:00:00Z\"",
                "\"2021-02-29T00:00:00Z\"",
                "\"1900-02-29T00:00:00Z\"", "\"2020-04-31T00:00:00Z\"", "\"0000-12-31T23:59:59Z\"",
                "\"10000-01-01T00:00:00Z\"", "\"2020-01-01T00:00:00\"", "\"2020-01-01 00:00:00Z\"",
                "\"2020-01-01T24:00:00Z\"",
                "\"2020-01-01T00:60:00Z\"", "\"2020-01-01T00:00:60Z\"", "\"2020-01-01T00:00:00.Z\"",
                "\"2020-01-01T00:00:00.1234567890Z\"", "\"2020-01-01T00:00:00+25:00\"", "\"2020-01-01T00:00:00+01\"",
                "\"2020-01-01T00:00:00+01:60\"", "\"2020-1-01T00:00:00Z\"", "\"20200101T000000Z\"", "\"\"", "\"Z\"",
                "\"9999-12-31T23:59:59-01:00\"", "\"0001-01-01T00:00:00+00:01\"", "\"2020-01-01T00:00:00ZZ\"",
                "\" 2020-01-01T00:00:00Z\"", "\"+2020-01-01T00:00:00Z\"", "\"2020-01-01T00:00:00.-1Z\"",
                "\"2020-01-01T0a:00:00Z\"",
            ])
        add(
            "duration",
            [
                "\"1\"", "\"1.5\"", "\"s\"", "\"-s\"", "\"1.s\"", "\".5s\"", "\"1.0000000001s\"", "\"315576000001s\"",
                "\"-315576000001s\"", "\"1e3s\"", "\"1 s\"", "\" 1s\"", "\"--1s\"", "\"1.5S\"", "\"0x10s\"", "\"\"",
                "\"1.-5s\"", "\"1000000000000s\"", "\"1ss\"",
            ])
        add("fieldMask", ["\"a_b\"", "\"fooBar,foo_bar\"", "\"_a\""])
        return out
    }()

    @Test(arguments: ProtoJSONErrorTests.badWellKnown) func badTimestampsDurationsAndFieldMasksFail(_ bad: Bad) {
        Self.expectFailure(bad)
    }

    /// Legal spellings of the special forms decode to the canonical ones.
    @Test func wellKnownSpellingsDecode() throws {
        let pairs: [(String, String)] = [
            ("{\"timestamp\": \"1970-01-01T01:00:00+01:00\"}", "{\"timestamp\": \"1970-01-01T00:00:00Z\"}"),
            ("{\"timestamp\": \"1970-01-01T00:00:00.100Z\"}", "{\"timestamp\": \"1970-01-01T00:00:00.1Z\"}"),
            ("{\"timestamp\": \"0001-01-01T00:00:00Z\"}", "{\"timestamp\": \"0001-01-01T01:00:00+01:00\"}"),
            (
                "{\"timestamp\": \"9999-12-31T23:59:59.999999999Z\"}",
                "{\"timestamp\": \"9999-12-31T22:59:59.999999999-01:00\"}"
            ),
            ("{\"duration\": \"-0.5s\"}", "{\"duration\": \"-0.500000000s\"}"),
            ("{\"duration\": \"1s\"}", "{\"duration\": \"1.000s\"}"),
            ("{\"duration\": \"315576000000.999999999s\"}", "{\"duration\": \"315576000000.999999999s\"}"),
            ("{\"fieldMask\": \"fooBar.baz,qux\"}", "{\"fieldMask\": \"fooBar.baz,qux\"}"),
            ("{\"int32Value\": 0}", "{\"int32Value\": \"0\"}"),
            ("{\"any\": {}}", "{\"any\": {}}"),
        ]
        for (left, right) in pairs {
            do {
                #expect(
                    try Self.decode(left, type: "wkt.Everything") == Self.decode(right, type: "wkt.Everything"),
                    "\(left) vs \(right)")
            } catch {
                Issue.record("\(left) vs \(right): \(error)")
            }
        }
    }

    // MARK: Offsets of other errors

    @Test func topLevelMustBeAnObject() {
        Self.expectFailure(Bad("§[]", Self.typeErrors))
        Self.expectFailure(Bad(" §1", Self.typeErrors))
        Self.expectFailure(Bad("§\"x\"", Self.typeErrors))
        Self.expectFailure(Bad("§\"x\"", Self.typeErrors, type: "wkt.Everything"))
    }

    @Test func errorsInsideLargeDocumentsPointAtTheirToken() {
        let filler = (0..<200).map { "\"k\($0)\": \"\(String(repeating: "é", count: $0 % 7))\"" }
            .joined(separator: ", ")
        Self.expectFailure(Bad("{\"mStringString\": {\(filler)}, \"rInt64\": [\"1\", §true]}", Self.typeErrors))
        Self.expectFailure(Bad("{\"mStringString\": {\(filler)}, §\"zzz\": 1}", [.unknownField], path: "zzz"))
        Self.expectFailure(
            Bad("{\"mStringString\": {\(filler)}, \"fString\": \"\\u00e9§\\uD800\"}", [.invalidJSON, .invalidUTF8]))
    }
}
