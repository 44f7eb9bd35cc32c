import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Get / set / unset on bytes encoded by protoc, and what we write decoded back by protoc.
@Suite struct ProtoValueGetSetTests {
    static let nestingText = """
        string: "top"
        list_simple { byte_field: 1 string_field: "a" }
        list_simple { byte_field: 2 binary_field: "\\001\\002" }
        double: 2.5
        i32: -7
        list_i32: [-2147483648, 5, 6]
        i64: 9223372036854775807
        map_string_string { key: "k1" value: "v1" }
        map_string_string { key: "k2" value: "v2" }
        simple_struct { i64_field: -1 string_field: "inner" }
        map_i32_i64 { key: -3 value: -9223372036854775808 }
        list_string: ["x", "y"]
        map_i64_string { key: 15 value: "fifteen" }
        byte: 127
        map_string_simple { key: "15" value { binary_field: "\\377" i32_field: 99 } }
        map_string_simple { key: "16" value { byte_field: 3 } }
        """

    func nesting() throws -> ProtoValue {
        let bytes = try Protoc.encode("baseline.Nesting", Self.nestingText, file: "baseline.proto")
        return try ProtoValue(
            bytes: bytes, descriptor: Schemas.baseline.requireMessage(named: "baseline.Nesting"),
            schema: Schemas.baseline)
    }

    func decode(_ value: ProtoValue) throws -> String {
        try Protoc.decode("baseline.Nesting", value.bytes, file: "baseline.proto")
    }

    @Test func getsScalarsListsAndMapEntries() throws {
        let value = try nesting()
        #expect(try value.get("string")?.scalar == .string("top"))
        #expect(try value.get("i32")?.scalar == .int32(-7))
        #expect(try value.get("i64")?.scalar == .int64(.max))
        #expect(try value.get("list_i32[0]")?.scalar == .int32(.min))
        #expect(try value.get("5[2]")?.scalar == .int32(6))
        #expect(try value.get("list_simple[1].binary_field")?.scalar == .bytes([1, 2]))
        #expect(try value.get("map_string_simple[\"15\"].binary_field")?.scalar == .bytes([255]))
        #expect(try value.get("map_string_simple[\"15\"].i32_field")?.scalar == .int32(99))
        #expect(try value.get("map_i32_i64[-3]")?.scalar == .int64(.min))
        #expect(try value.get("map_i64_string[15]")?.scalar == .string("fifteen"))
        #expect(try value.get("simple_struct.string_field")?.scalar == .string("inner"))
        #expect(try value.get("map_string_simple[\"nope\"]") == nil)
        #expect(try value.get("list_i32[3]") == nil)
        guard case .list(let list)? = try value.get("list_string") else { Issue.record("no list"); return }
        #expect(list.map(\.scalar) == [.string("x"), .string("y")])
        guard case .map(let map)? = try value.get("map_string_string") else { Issue.record("no map"); return }
        #expect(map.map(\.key) == [.string("k1"), .string("k2")])
    }

    @Test func setReplacesInsertsAndAppendsAsProtocExpects() throws {
        var value = try nesting()
        try value.set("i32", to: .scalar(.int32(42)))
        try value.set("list_i32[1]", to: .scalar(.int32(-1)))
        try value.set("list_i32[3]", to: .scalar(.int32(7)))
        try value.set("map_string_simple[\"15\"].string_field", to: .scalar(.string("new")))
        try value.set("map_string_simple[\"99\"].byte_field", to: .scalar(.int32(9)))
        try value.set("map_string_string[\"k1\"]", to: .scalar(.string("changed")))
        try value.set("list_simple[2].i32_field", to: .scalar(.int32(5)))
        try value.set("simple_struct.double_field", to: .scalar(.double(1.5)))
        let text = try decode(value)
        #expect(text.contains("i32: 42"))
        #expect(text.contains("list_i32: -2147483648\nlist_i32: -1\nlist_i32: 6\nlist_i32: 7"))
        #expect(text.contains("key: \"99\"\n  value {\n    byte_field: 9"))
        #expect(text.contains("value: \"changed\""))
        #expect(try value.get("map_string_simple[\"15\"].string_field")?.scalar == .string("new"))
        #expect(try value.get("map_string_simple[\"15\"].binary_field")?.scalar == .bytes([255]))
        #expect(try value.get("list_simple[2].i32_field")?.scalar == .int32(5))
        #expect(try value.get("simple_struct.double_field")?.scalar == .double(1.5))
        #expect(try value.get("simple_struct.i64_field")?.scalar == .int64(-1))
        try value.validate()
    }

    @Test func setOnCanonicalInputMatchesProtocByteForByte() throws {
        var value = try nesting()
        try value.set("simple_struct.byte_field", to: .scalar(.int32(1)))
        try value.set("binary", to: .scalar(.bytes([0, 1])))
        let expected = try Protoc.encode(
            "baseline.Nesting",
            Self.nestingText.replacingOccurrences(
                of: "simple_struct { i64_field", with: "simple_struct { byte_field: 1 i64_field")
                .replacingOccurrences(of: "byte: 127", with: "binary: \"\\000\\001\" byte: 127"),
            file: "baseline.proto")
        #expect(value.bytes == expected)
    }

    @Test func unsetRemovesFieldsElementsAndEntries() throws {
        var value = try nesting()
        #expect(try value.unset("string"))
        #expect(try value.unset("list_i32[0]"))
        #expect(try value.unset("map_string_simple[\"16\"]"))
        #expect(try value.unset("list_simple[0]"))
        #expect(try value.unset("simple_struct.string_field"))
        #expect(try !value.unset("map_string_simple[\"nope\"]"))
        let text = try decode(value)
        #expect(!text.contains("string: \"top\""))
        #expect(text.contains("list_i32: 5\nlist_i32: 6\n"))
        #expect(!text.contains("\"16\""))
        #expect(try value.get("list_simple[0].byte_field")?.scalar == .int32(2))
        #expect(try value.get("simple_struct.string_field") == nil)
        #expect(try value.get("simple_struct.i64_field")?.scalar == .int64(-1))
    }

    @Test func errorsNameThePathAndCode() throws {
        var value = try nesting()
        #expect(throws: CodecError.self) { try value.get("no_such_field") }
        do {
            try value.set("list_i32[9]", to: .scalar(.int32(1)))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .indexOutOfRange)
            #expect(error.path == "list_i32[9]")
        }
        do {
            try value.set("i32", to: .scalar(.string("x")))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .typeMismatch)
        }
        do {
            try value.set("i32", to: .scalar(.int64(1 << 40)))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidValue)
        }
    }
}
