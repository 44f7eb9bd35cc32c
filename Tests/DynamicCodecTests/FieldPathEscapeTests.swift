import Foundation
import Testing

@testable import DynamicCodec

/// Quoted map keys in paths take every JSON string escape; bad escapes name their position.
@Suite struct FieldPathEscapeTests {
    static func key(_ text: String) throws -> String {
        let steps = try FieldPath(parsing: text).steps
        guard steps.count == 2, case .string(let key) = steps[1] else {
            throw CodecError(.invalidPath, "no string key in \(text)")
        }
        return key
    }

    @Test(arguments: [
        (#"m["\""]"#, "\""), (#"m["\\"]"#, "\\"), (#"m["\/"]"#, "/"), (#"m["\b"]"#, "\u{08}"),
        (#"m["\f"]"#, "\u{0C}"), (#"m["\n"]"#, "\n"), (#"m["\r"]"#, "\r"), (#"m["\t"]"#, "\t"),
        (#"m["a\b\n\t"]"#, "a\u{08}\n\t"), (#"m["\u0041"]"#, "A"), (#"m["\u00e9"]"#, "é"), (#"m["\u00E9"]"#, "é"),
        (#"m["\u2028"]"#, "\u{2028}"), (#"m["\u0000"]"#, "\u{0}"), (#"m["\u001f"]"#, "\u{1F}"),
        (#"m["\ud83d\ude00"]"#, "😀"), (#"m["\uD83D\uDE00!"]"#, "😀!"), (#"m["\udbff\udfff"]"#, "\u{10FFFF}"),
        (#"m["x\ud800\udc00y"]"#, "x\u{10000}y"), (#"m["\uffff"]"#, "\u{FFFF}"),
        // Raw UTF-8 and the older escapes still work.
        ("m[\"é😀\"]", "é😀"), (#"m["\0"]"#, "\u{0}"), (#"m["\x41"]"#, "A"),
    ])
    func everyJSONEscapeDecodes(text: String, expected: String) throws {
        #expect(try Self.key(text) == expected)
    }

    /// Every key a JSON encoder writes (Foundation's, with its own choice of escapes) parses back to the key.
    @Test func keysWrittenByAJSONEncoderParseBack() throws {
        let keys = [
            "", "plain", "a\u{08}\u{0C}\n\r\t\"\\/", "\u{01}\u{1F}\u{7F}", "\u{2028}\u{2029}", "é中😀",
            "\u{FFFD}", "\u{10FFFF}",
        ]
        for key in keys {
            let json = String(
                decoding: try JSONSerialization.data(withJSONObject: [key], options: [.fragmentsAllowed]),
                as: UTF8.self)
            let quoted = String(json.dropFirst().dropLast())
            #expect(try Self.key("m[\(quoted)]") == key, "\(quoted)")
        }
    }

    /// The text form escapes control characters and line separators, and parses back to the same path.
    @Test func descriptionRoundTrips() throws {
        let keys = ["a\u{08}\n\t", "\u{2028}", "😀", "\u{0}\u{1}\u{1F}\u{7F}", "q\"b\\s/", "\u{0C}\r"]
        for key in keys {
            let path = FieldPath([.name("m"), .string(key), .name("x")])
            let text = path.description
            #expect(
                !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x2028 || $0.value == 0x7F }, "\(text)")
            #expect(try FieldPath(parsing: text) == path, "\(text)")
        }
        #expect(FieldPath([.name("m"), .string("a\u{08}\u{2028}")]).description == #"m["a\b\u2028"]"#)
    }

    /// Bad escapes: `INVALID_PATH` with the character offset of the escape's backslash (or of the problem).
    @Test(arguments: [
        (#"m["\ud83d"]"#, 3, "lone surrogate"),
        (#"m["ab\ud83dx"]"#, 5, "lone surrogate"),
        (#"m["\ud83d\u0041"]"#, 3, "not a low surrogate"),
        (#"m["\ude00"]"#, 3, "lone surrogate"),
        (#"m["\ude00\ud83d"]"#, 3, "lone surrogate"),
        (#"m["\u12"]"#, 3, "4 hex digits"),
        (#"m["\u12g4"]"#, 3, "4 hex digits"),
        (#"m["\uZZZZ"]"#, 3, "4 hex digits"),
        (#"m["\u"]"#, 3, "4 hex digits"),
        (#"m["\ud83d\u12"]"#, 9, "4 hex digits"),
        (#"m["\x4"]"#, 3, "2 hex digits"),
        (#"m["\q"]"#, 3, "unknown escape"),
        (#"m["\'"]"#, 3, "unknown escape"),
        // Offsets count characters, not bytes: é and 😀 are one character each.
        ("m[\"é😀\\ud800\"]", 5, "lone surrogate"),
        ("m[\"é\"].n[\"\\x\"]", 10, "2 hex digits"),
        (#"m["abc"#, 6, "unterminated string"),
        (#"m["\"#, 4, "unterminated string"),
    ])
    func badEscapesAreRejectedWithTheirPosition(text: String, offset: Int, message: String) {
        do {
            _ = try FieldPath(parsing: text)
            Issue.record("'\(text)' should not parse")
        } catch {
            #expect(error.code == .invalidPath)
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
            #expect(error.message.contains("at character \(offset) of path"), "\(error.message)")
        }
    }

    /// Characters outside field names are reported as characters, at their character offset.
    @Test func unexpectedCharactersAreShownWhole() {
        do {
            _ = try FieldPath(parsing: "abc.dé")
            Issue.record("should not parse")
        } catch {
            #expect(error.offset == 5)
            #expect(error.message.contains("'é'"), "\(error.message)")
        }
    }

    /// Escaped keys address real map entries: built by set, found by get, removed by unset, in both codecs.
    @Test func escapedKeysAddressMapEntries() throws {
        let schema = try ThriftSchema(
            thriftFiles: ["k.thrift"],
            source: ThriftFileSource(files: ["k.thrift": "struct K { 1: map<string, i32> m }"]))
        for encoding in ThriftProtocol.allCases {
            var value = try ThriftValue(
                bytes: [0], encoding: encoding, descriptor: schema.requireStruct(named: "K"),
                schema: schema)
            try value.set(#"m["a\b\n\t"]"#, to: .scalar(.i32(1)))
            try value.set(#"m["\ud83d\ude00"]"#, to: .scalar(.i32(2)))
            try value.set(#"m["\u2028"]"#, to: .scalar(.i32(3)))
            #expect(try value.get("m[\"a\u{08}\\n\t\"]")?.scalar == .i32(1))
            #expect(try value.get("m[\"😀\"]")?.scalar == .i32(2))
            #expect(try value.get(FieldPath([.name("m"), .string("\u{2028}")]))?.scalar == .i32(3))
            guard case .map(let entries)? = try value.get("m") else {
                Issue.record("no map")
                continue
            }
            #expect(
                entries.compactMap { $0.key.scalar } == [.string("a\u{08}\n\t"), .string("😀"), .string("\u{2028}")])
            #expect(try value.unset(#"m["\uD83D\uDE00"]"#))
            #expect(try value.get("m[\"😀\"]") == nil)
        }
    }
}
