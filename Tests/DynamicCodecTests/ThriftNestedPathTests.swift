import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Paths through nested Thrift containers, built and edited by Portico alone: errors, created paths, the
/// compact protocol's count-dependent headers, DOM paths and masks with subscripts. Apache Thrift checks the
/// same operations on random values in ``ThriftNestedPathPeerTests``.
@Suite struct ThriftNestedPathTests {
    static let schema: ThriftSchema = try! ThriftSchema(
        thriftFiles: ["test/nested.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))

    func empty(_ encoding: ThriftProtocol) throws -> ThriftValue {
        try ThriftValue(
            bytes: [0], encoding: encoding, descriptor: Self.schema.requireStruct(named: "nested.Deep"),
            schema: Self.schema)
    }

    func ints(_ values: [Int32]) -> ThriftFieldValue { .list(values.map { .scalar(.i32($0)) }) }

    @Test(arguments: ThriftProtocol.allCases)
    func createsAndReadsEveryKindOfNesting(encoding: ThriftProtocol) throws {
        var deep = try empty(encoding)
        try deep.set("matrix[0][0]", to: .scalar(.i32(1)))
        try deep.set("matrix[0][1]", to: .scalar(.i32(2)))
        try deep.set("matrix[1]", to: ints([3, 4, 5]))
        try deep.set("nested[5][0]", to: .scalar(.string("five")))
        try deep.set("nested[-1][0]", to: .scalar(.string("minus")))
        try deep.set("groups[0][\"a\"][0].id", to: .scalar(.i32(7)))
        try deep.set("groups[0][\"a\"][0].tags[0]", to: .scalar(.i64(1 << 40)))
        try deep.set("groups[0][\"a\"][1].name", to: .scalar(.string("second")))
        try deep.set("chains[\"k\"][0][\"x\"].flag", to: .scalar(.bool(true)))
        try deep.set("table[\"t\"][3].name", to: .scalar(.string("three")))
        try deep.set("labels[\"l\"][0]", to: .scalar(.string("only")))
        try deep.set("buckets[0][0]", to: .scalar(.i32(9)))
        try deep.set("cube[0][0][0]", to: .scalar(.bool(false)))
        try deep.set("cube[0][0][1]", to: .scalar(.bool(true)))
        try deep.set("series[2][0]", to: .scalar(.double(1.5)))
        try deep.set("blobs[0][0]", to: .scalar(.binary([0, 255])))
        try deep.validate()

        #expect(try deep.get("matrix[0][1]")?.scalar == .i32(2))
        #expect(try deep.get("matrix[1][2]")?.scalar == .i32(5))
        #expect(try deep.get("nested[5][0]")?.scalar == .string("five"))
        #expect(try deep.get("nested[\"-1\"][0]")?.scalar == .string("minus"))
        #expect(try deep.get("groups[0][\"a\"][0].tags[0]")?.scalar == .i64(1 << 40))
        #expect(try deep.get("groups[0][\"a\"][1].name")?.scalar == .string("second"))
        #expect(try deep.get("chains[\"k\"][0][\"x\"].flag")?.scalar == .bool(true))
        #expect(try deep.get("table[\"t\"][3].name")?.scalar == .string("three"))
        #expect(try deep.get("labels[\"l\"][0]")?.scalar == .string("only"))
        #expect(try deep.get("buckets[0][0]")?.scalar == .i32(9))
        #expect(try deep.get("cube[0][0][1]")?.scalar == .bool(true))
        #expect(try deep.get("series[2][0]")?.scalar == .double(1.5))
        #expect(try deep.get("blobs[0][0]")?.scalar == .binary([0, 255]))
        // Absent at any level is nil, not an error.
        for absent in [
            "matrix[2][0]", "matrix[0][2]", "nested[6][0]", "groups[0][\"b\"][0].id", "groups[1]",
            "chains[\"k\"][0][\"y\"].flag", "table[\"t\"][4]", "cube[0][1][0]",
        ] {
            #expect(try deep.get(absent) == nil, "\(absent)")
        }
        // get(many:) and the DOM agree with single gets.
        let paths = try ["matrix[1][0]", "groups[0][\"a\"][0].id", "cube[0][0][0]", "matrix[9][9]"].map {
            try FieldPath(parsing: $0)
        }
        let many = try deep.get(many: paths)
        var dom = ThriftDOM(schema: Self.schema, encoding: encoding)
        try dom.load(deep.bytes, as: deep.descriptor)
        for (path, got) in zip(paths, many) {
            let single = try ThriftCanonical.text(try deep.get(path))
            #expect(try ThriftCanonical.text(got) == single, "\(path)")
            #expect(try ThriftCanonical.text(try dom.node(at: path).map { try dom.value(of: $0) }) == single, "\(path)")
        }

        // Unset at depth fixes the innermost count only.
        #expect(try deep.unset("matrix[1][0]"))
        #expect(try deep.get("matrix[1]").map(ThriftCanonical.text) == "[i4,i5]")
        #expect(try deep.unset("groups[0][\"a\"][0]"))
        #expect(try deep.get("groups[0][\"a\"][0].name")?.scalar == .string("second"))
        #expect(try deep.unset("table[\"t\"][3]"))
        #expect(try deep.get("table[\"t\"]").map(ThriftCanonical.text) == "<>")
        #expect(try !deep.unset("table[\"t\"][3]"))
        #expect(try !deep.unset("nested[99][0]"))
        try deep.validate()
    }

    @Test(arguments: ThriftProtocol.allCases)
    func pathsThatDoNotFitTheTypesAreErrors(encoding: ThriftProtocol) throws {
        var deep = try empty(encoding)
        try deep.set("matrix", to: .list([ints([1, 2])]))
        try deep.set("leaf.id", to: .scalar(.i32(1)))
        try deep.set("nested[1][0]", to: .scalar(.string("one")))
        try deep.set("groups[0][\"a\"][0].id", to: .scalar(.i32(1)))
        let cases: [(String, CodecError.Code, String)] = [
            ("matrix[0].id", .pathMismatch, "needs an [index]"),
            ("matrix[\"x\"]", .pathMismatch, "needs an [index]"),
            ("matrix[0][0][0]", .pathMismatch, "'matrix[0][0]' (i32) has no parts"),
            ("nested.x", .pathMismatch, "needs a [key]"),
            ("leaf[0]", .pathMismatch, "'leaf' is a struct"),
            ("groups[0][\"a\"][0].nope", .unknownField, "no field named 'nope'"),
        ]
        for (path, code, message) in cases {
            do {
                _ = try deep.get(path)
                Issue.record("get \(path) should fail")
            } catch {
                #expect(error.code == code, "\(path): \(error)")
                #expect(error.message.contains(message), "\(path): \(error.message)")
            }
        }
        // Only [0] can be created in a new list; an index past the end of an existing one is out of range.
        for (path, code) in [
            ("matrix[5][0]", CodecError.Code.indexOutOfRange), ("matrix[0][3]", .indexOutOfRange),
            ("nested[2][1]", .indexOutOfRange), ("matrix[1][1]", .indexOutOfRange),
            ("chains[\"k\"][0].id", .pathMismatch),
        ] {
            do {
                try deep.set(path, to: .scalar(.i32(1)))
                Issue.record("set \(path) should fail")
            } catch {
                #expect(error.code == code, "\(path): \(error)")
            }
        }
        // Values of the wrong type for an element are refused.
        #expect(throws: CodecError.self) { try deep.set("matrix[0][0]", to: .scalar(.string("x"))) }
        #expect(throws: CodecError.self) { try deep.set("matrix[0]", to: .scalar(.i32(1))) }
    }

    /// A compact list header is one byte below 15 elements and two or more from 15; a map header is one byte when
    /// empty. Edits inside an outer container re-encode only the inner header, and Apache reads the result (the
    /// peer test); here the header bytes themselves are checked.
    @Test func compactHeadersFollowTheCount() throws {
        var deep = try empty(.compact)
        try deep.set("matrix", to: .list([ints(Array(0..<14)), ints([])]))
        let before = deep.bytes
        // matrix: field header, outer list header (2 rows of lists: 0x29), row 0 header 0xE5 (14 i32s).
        #expect(Array(before.prefix(3)) == [0x19, 0x29, 0xE5])
        try deep.set("matrix[0][14]", to: .scalar(.i32(14)))
        #expect(Array(deep.bytes.prefix(4)) == [0x19, 0x29, 0xF5, 15])
        #expect(deep.bytes.count == before.count + 2)
        try deep.set("matrix[1][0]", to: .scalar(.i32(-1)))
        #expect(try deep.get("matrix[1]").map(ThriftCanonical.text) == "[i-1]")
        #expect(try deep.unset("matrix[0][3]"))
        #expect(Array(deep.bytes.prefix(3)) == [0x19, 0x29, 0xE5])
        #expect(
            try deep.get("matrix[0]").map(ThriftCanonical.text)
                == "[" + ([0, 1, 2] + Array(4...14)).map { "i\($0)" }.joined(separator: ",") + "]")
        // A varint count crossing 127 / 128 grows by one byte.
        try deep.set("matrix[1]", to: ints(Array(0..<127)))
        let at127 = deep.bytes.count
        try deep.set("matrix[1][127]", to: .scalar(.i32(0)))
        #expect(deep.bytes.count == at127 + 2)
        // An empty compact map is a single 0 byte; its first entry brings the key and value types.
        try deep.set("table[\"t\"]", to: .map([]))
        let emptyMap = deep.bytes.count
        try deep.set("table[\"t\"][1].id", to: .scalar(.i32(1)))
        #expect(try deep.get("table[\"t\"][1].id")?.scalar == .i32(1))
        #expect(try deep.unset("table[\"t\"][1]"))
        #expect(deep.bytes.count == emptyMap)
        try deep.validate()
    }

    /// Mask paths with and without subscripts, at several depths, merged.
    @Test(arguments: ThriftProtocol.allCases)
    func masksReachIntoNestedContainers(encoding: ThriftProtocol) throws {
        var deep = try empty(encoding)
        try deep.set("matrix", to: .list([ints([1, 2]), ints([3]), ints([4, 5, 6])]))
        for (group, key, id) in [(0, "a", 1), (0, "b", 2), (1, "a", 3)] {
            try deep.set("groups[\(group)][\"\(key)\"][0].id", to: .scalar(.i32(Int32(id))))
            try deep.set("groups[\(group)][\"\(key)\"][0].name", to: .scalar(.string("n\(id)")))
        }
        try deep.set("count", to: .scalar(.i32(3)))
        func masked(_ paths: [String]) throws -> String? {
            try ThriftCanonical.text(.struct(try deep.masked(try paths.map { try FieldPath(parsing: $0) })))
        }
        #expect(try masked(["matrix[2][1]", "matrix[0]"]) == "(1=[[i1,i2],[i5]])")
        #expect(
            try masked(["groups.name"])
                == "(3=[<s61:[(2=s6e31)],s62:[(2=s6e32)]>,<s61:[(2=s6e33)]>])")
        #expect(
            try masked(["groups[0][\"b\"][0].id", "groups.name"])
                == "(3=[<s61:[(2=s6e31)],s62:[(1=i2,2=s6e32)]>,<s61:[(2=s6e33)]>])")
        #expect(try masked(["groups[1]", "count"]) == "(3=[<s61:[(1=i3,2=s6e33)]>],10=i3)")
        #expect(try masked(["groups[5]"]) == "(3=[])")
        #expect(throws: CodecError.self) { try deep.masked([try FieldPath(parsing: "matrix[0][0][0]")]) }
        #expect(throws: CodecError.self) { try deep.masked([try FieldPath(parsing: "count[0]")]) }
    }
}
