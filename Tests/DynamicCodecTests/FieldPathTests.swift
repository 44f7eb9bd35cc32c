import Testing

@testable import DynamicCodec

@Suite struct FieldPathTests {
    @Test func parsesNamesNumbersAndSubscripts() throws {
        let path = try FieldPath(parsing: "map_string_simple[\"15\"].binary_field")
        #expect(path.steps == [.name("map_string_simple"), .string("15"), .name("binary_field")])
        #expect(try FieldPath(parsing: "2[0].6").steps == [.number(2), .integer(0), .number(6)])
        #expect(try FieldPath(parsing: "m[-3]").steps == [.name("m"), .integer(-3)])
        #expect(try FieldPath(parsing: "m[true]").steps == [.name("m"), .bool(true)])
        #expect(try FieldPath(parsing: #"m["a\"b\x41"]"#).steps == [.name("m"), .string("a\"bA")])
        #expect(try FieldPath(parsing: "a[1][2]").steps == [.name("a"), .integer(1), .integer(2)])
    }

    @Test func printsBackTheSameText() throws {
        for text in ["a.b.c", "m[\"k\"].x", "l[3]", "m[true]", "1.2[0]"] {
            #expect(try FieldPath(parsing: text).description == text)
        }
    }

    @Test(arguments: ["", ".a", "a.", "a..b", "[1]", "a[", "a[x]", "a[\"x", "a b", "1a", "a[\"\\q\"]", "a]"])
    func rejectsBadSyntaxWithAnOffset(text: String) {
        if text.isEmpty {
            #expect((try? FieldPath(parsing: text))?.steps.isEmpty == true)
            return
        }
        do {
            _ = try FieldPath(parsing: text)
            Issue.record("'\(text)' should not parse")
        } catch {
            #expect(error.code == .invalidPath)
            #expect(error.offset != nil)
        }
    }
}
