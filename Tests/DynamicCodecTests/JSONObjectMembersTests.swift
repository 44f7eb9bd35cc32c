import DynamicCodec
import Testing

/// The bounded top-level object reader other modules use for small untrusted JSON (PASETO claims and footers).
@Suite struct JSONObjectMembersTests {
    func parse(_ text: String, depth: Int = 4, members: Int = 8) throws(CodecError) -> JSONObjectMembers {
        try JSONObjectMembers(parsing: Array(text.utf8), maxDepth: depth, maxMembers: members)
    }

    @Test func membersKeepTheirRawValuesInOrder() throws {
        let text = #" { "a" : 1 , "b\u0041":"x\n", "c":[true,{"d":null}], "a":2 } "#
        let bytes = Array(text.utf8)
        let object = try JSONObjectMembers(parsing: bytes, maxDepth: 3, maxMembers: 8)
        #expect(object.members.map(\.key) == ["a", "bA", "c", "a"])
        #expect(object.count(named: "a") == 2)
        let raw = object.members.map { String(decoding: bytes[$0.value], as: UTF8.self) }
        #expect(raw == ["1", #""x\n""#, #"[true,{"d":null}]"#, "2"])
        #expect(JSONObjectMembers.string(in: bytes, at: object.members[1].value) == "x\n")
        #expect(JSONObjectMembers.string(in: bytes, at: object.members[0].value) == nil)
        #expect(JSONObjectMembers.string(in: bytes, at: 0..<10_000) == nil)
        #expect(try parse("{}").members.isEmpty)
    }

    @Test func limitsAndMalformedTextAreErrors() {
        #expect(throws: CodecError.self) { try parse(#"{"a":[[[[1]]]]}"#, depth: 4) }
        #expect((try? parse(#"{"a":[[[1]]]}"#, depth: 4)) != nil)
        #expect(throws: CodecError.self) { try parse(#"{"a":1,"b":2,"c":3}"#, members: 2) }
        for bad in ["", "[]", "\"s\"", "{", #"{"a"}"#, #"{"a":1,}"#, #"{"a":1} {}"#, #"{a:1}"#, #"{"a":01}"#] {
            #expect(throws: CodecError.self, "\(bad)") { try parse(bad) }
        }
        let deep = "{\"a\":" + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}"
        let error = #expect(throws: CodecError.self) { try parse(deep, depth: 16) }
        #expect(error?.code == .depthLimitExceeded)
    }
}
