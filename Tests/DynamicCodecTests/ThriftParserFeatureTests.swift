import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// What the compiler's JSON does not show: annotation order, enum types, typedef names, synthesized method structs,
/// and the extensions this parser accepts beyond the Apache compiler.
struct ThriftParserFeatureTests {
    static let features: ThriftSchema = try! ThriftParser.parse(
        files: ThriftParserCases.features.roots, source: ThriftFileSource(files: ThriftParserCases.features.files))

    static func parse(_ text: String, others: [String: String] = [:]) throws(CodecError) -> ThriftSchema {
        var files = others
        files["main.thrift"] = text
        return try ThriftParser.parse(files: ["main.thrift"], source: ThriftFileSource(files: files))
    }

    @Test func namesAreQualifiedByTheirFile() throws {
        let schema = Self.features
        #expect(schema.files.map(\.name) == ["inc/shared.thrift", "inc/common.thrift", "main.thrift"])
        #expect(schema.structType(named: "main.Node")?.fileName == "main.thrift")
        #expect(schema.structType(named: "shared.Shared")?.fileName == "inc/shared.thrift")
        #expect(schema.structType(named: "Node")?.name == "main.Node")
        #expect(schema.enumType(named: "common.Level") != nil)
        #expect(schema.service(named: "Features")?.name == "main.Features")
        #expect(schema.files[1].namespaces == ["*": "features.common", "go": "features_common"])
        #expect(schema.files[1].includes == ["shared.thrift"])
    }

    @Test func annotationsKeepTheirOrder() throws {
        let schema = Self.features
        let node = try schema.requireStruct(named: "main.Node")
        let annotated = try #require(node.field(named: "annotated")).annotations
        #expect(annotated.pairs.map(\.key) == ["a", "b", "a"])
        #expect(annotated.pairs.map(\.value) == ["1", "2", "3"])
        #expect(annotated["a"] == "3")
        #expect(annotated.values("a") == ["1", "3"])
        #expect(annotated["missing"] == nil)
        #expect(node.field(named: "flagged")?.annotations["deprecated"] == "1")
        #expect(node.field(named: "deque")?.annotations.isEmpty == true)
        #expect(schema.structType(named: "common.Point")?.annotations["cpp.type"] == "Point")
        let level = try #require(schema.enumType(named: "common.Level"))
        #expect(level.annotations["enum.note"] == "levels")
        #expect(level.valueAnnotations.count == level.values.count)
        #expect(level.valueAnnotations[5]["value.note"] == "hex")
        let service = try #require(schema.service(named: "main.Features"))
        #expect(service.annotations["service.note"] == "features")
        #expect(service.methods[0].annotations.pairs.map(\.key) == ["api.get", "api.serializer"])
        #expect(service.methods[0].annotations["api.get"] == "/nodes/:name")
    }

    @Test func unquotedAnnotationValuesKeepTheirText() throws {
        let schema = try Self.parse("struct A { 1: i32 a (flag = true, size = 5, ratio = 0.5; plain) }")
        let pairs = try schema.requireStruct(named: "A").fields[0].annotations.pairs
        #expect(pairs.map(\.key) == ["flag", "size", "ratio", "plain"])
        #expect(pairs.map(\.value) == ["true", "5", "0.5", "1"])
    }

    @Test func fieldsWithoutIdsGetNegativeIds() throws {
        let implicit = try Self.features.requireStruct(named: "main.Implicit")
        #expect(implicit.fields.map(\.id) == [-1, 2, -2, -3, -4])
        #expect(implicit.field(id: -3)?.name == "zero")
        let method = try #require(Self.features.service(named: "main.Features")?.methods.last)
        #expect(Self.features.structs[method.argumentsIndex].fields.map(\.id) == [-1, -2])
    }

    @Test func typedefChainsResolveToTheirFinalType() throws {
        let schema = Self.features
        #expect(schema.typedefs["common.Id"] == .i64)
        #expect(schema.typedefs["common.AccountId"] == .i64)
        #expect(schema.typedefs["common.AccountIds"] == .list(.i64))
        #expect(schema.typedefs["common.Groups"] == .map(key: .string, value: .list(.i64)))
        let shared = try schema.requireStruct(named: "shared.Shared")
        #expect(schema.typedefs["common.SharedAlias"] == .struct(shared.index))
        let node = try schema.requireStruct(named: "main.Node")
        let ids = try #require(node.field(named: "ids"))
        #expect(ids.type == .list(.i64))
        #expect(ids.declaredTypeName == "common.AccountIds")
        #expect(node.field(named: "index")?.declaredTypeName == "map<common.Id, set<common.Level>>")
    }

    @Test func typesReferToStructsAndEnumsByIndex() throws {
        let schema = Self.features
        let node = try schema.requireStruct(named: "main.Node")
        let tree = try schema.requireStruct(named: "main.Tree")
        let level = try #require(schema.enumType(named: "common.Level"))
        #expect(node.field(named: "children")?.type == .list(.struct(node.index)))
        #expect(node.field(named: "tree")?.type == .struct(tree.index))
        #expect(tree.field(named: "root")?.type == .struct(node.index))
        #expect(node.field(named: "level")?.type == .enum(level.index))
        #expect(node.field(named: "level")?.defaultValue == .integer(6))
        #expect(node.field(named: "index")?.type == .map(key: .i64, value: .set(.enum(level.index))))
        #expect(node.field(named: "tiny")?.type == .byte)
        #expect(node.field(named: "tiny2")?.type == .byte)
        #expect(node.field(named: "name")?.requiredness == .required)
        #expect(node.field(named: "children")?.requiredness == .optional)
        #expect(node.field(named: "tree")?.requiredness == .default)
        #expect(schema.structType(named: "main.Choice")?.fields.allSatisfy { $0.requiredness == .optional } == true)
        #expect(schema.structType(named: "main.Choice")?.kind == .union)
        #expect(schema.structType(named: "main.NotFound")?.kind == .exception)
        #expect(level.values.map(\.value) == [0, 5, 6, -10, -9, 32, 33])
    }

    @Test func constantsResolveToLiterals() throws {
        let constants = Self.features.constants
        #expect(constants["main.RATE"] == .double(150))
        #expect(constants["main.FROM_INT"] == .double(3))
        #expect(constants["main.SINGLE"] == .string("single \"quoted\""))
        #expect(constants["main.ESCAPED"] == .string("tab\tquote\"back\\slash"))
        #expect(constants["main.YES"] == .bool(true))
        #expect(constants["main.NO"] == .bool(false))
        #expect(constants["main.NUMBERS"] == .list([.integer(1), .integer(2), .integer(3), .integer(4)]))
        #expect(constants["main.REF"] == .integer(100))
        #expect(constants["common.NEG_HEX"] == .integer(-16))
        #expect(constants["common.DEFAULT_LEVEL"] == .integer(5))
        #expect(constants["common.MIN_I64"] == .integer(.min))
        #expect(
            constants["main.ORIGIN"]
                == .map([
                    ThriftConstEntry(key: .string("x"), value: .integer(0)),
                    ThriftConstEntry(key: .string("y"), value: .integer(100)),
                ]))
        #expect(
            constants["main.LEVELS"]
                == .map([
                    ThriftConstEntry(key: .string("low"), value: .integer(0)),
                    ThriftConstEntry(key: .string("high"), value: .integer(6)),
                ]))
        #expect(
            constants["main.NESTED"]
                == .map([
                    ThriftConstEntry(key: .integer(1), value: .list([.string("x")])),
                    ThriftConstEntry(key: .integer(2), value: .list([])),
                ]))
        let node = try Self.features.requireStruct(named: "main.Node")
        #expect(node.field(named: "flag")?.defaultValue == .bool(true))
        #expect(node.field(named: "ratio")?.defaultValue == .double(2))
        #expect(node.field(named: "big")?.defaultValue == .integer(.max))
    }

    @Test func methodsHaveArgumentAndResultStructs() throws {
        let schema = Self.features
        let features = try #require(schema.service(named: "main.Features"))
        let get = features.methods[0]
        #expect(get.name == "get")
        #expect(get.exceptionIds == [1, 2])
        #expect(get.returnType == .struct(try schema.requireStruct(named: "main.Node").index))
        let arguments = schema.structs[get.argumentsIndex]
        #expect(arguments.name == "main.Features.get_args")
        #expect(arguments.fields.map(\.name) == ["name", "depth"])
        #expect(arguments.fields[1].requiredness == .default)
        #expect(arguments.fields[1].defaultValue == .integer(3))
        let result = schema.structs[get.resultIndex]
        #expect(result.name == "main.Features.get_result")
        #expect(result.fields.map(\.id) == [0, 1, 2])
        #expect(result.fields.map(\.name) == ["success", "nf", "failure"])
        #expect(result.fields[0].requiredness == .default)
        #expect(result.fields[2].type == .struct(try schema.requireStruct(named: "common.Failure").index))
        let fire = features.methods[1]
        #expect(fire.isOneway && fire.returnType == nil)
        #expect(schema.structs[fire.resultIndex].fields.isEmpty)
        #expect(schema.structs[features.methods[2].resultIndex].fields.isEmpty)
        #expect(features.methods[3].exceptionIds == [5])
        let base = try #require(schema.service(named: "common.Base"))
        #expect(features.extendsIndex == base.index)
        let more = try #require(schema.service(named: "main.More"))
        #expect(
            schema.allMethods(of: more).map(\.name) == [
                "forest", "failureAsValue", "get", "fire", "nothing", "search", "noIds", "ping", "version",
            ])
    }

    /// Accepted here although the Apache compiler (0.17) rejects them.
    @Test func extensionsBeyondTheApacheCompiler() throws {
        let schema = try Self.parse(
            """
            struct Late { 1: uuid id = "00112233-4455-6677-8899-aabbccddeeff"; 2: list<Point> points = POINTS }
            const list<Point> POINTS = [ORIGIN, {"x": 1}]
            const Point ORIGIN = {"x": 0}
            struct Point { 1: i32 x } ;
            include "other.thrift"
            namespace go "example.com/quoted"
            struct Same { 1: other.Same inner }
            service S { async void fire() }
            const double HALF = .5
            """, others: ["other.thrift": "struct Same { 1: i32 x }"])
        let late = try schema.requireStruct(named: "main.Late")
        #expect(late.fields[0].type == .uuid)
        #expect(late.fields[0].defaultValue == .string("00112233-4455-6677-8899-aabbccddeeff"))
        let point: (Int64) -> ThriftConstValue = { .map([ThriftConstEntry(key: .string("x"), value: .integer($0))]) }
        #expect(late.fields[1].defaultValue == .list([point(0), point(1)]))
        #expect(schema.files.last?.namespaces["go"] == "example.com/quoted")
        #expect(
            schema.structType(named: "main.Same")?.fields[0].type
                == .struct(try schema.requireStruct(named: "other.Same").index))
        #expect(schema.service(named: "S")?.methods[0].isOneway == true)
        #expect(schema.constants["main.HALF"] == .double(0.5))
    }

    @Test func includesAreFoundInMemoryThenDirectoriesThenNextToTheIncluder() throws {
        let directory = ProtoParserTemporaryDirectory()
        defer { directory.remove() }
        try directory.write([
            "idl/main.thrift":
                "include \"sub/leaf.thrift\"\ninclude \"shared.thrift\"\nstruct M { 1: leaf.L l; 2: shared.S s }",
            "idl/sub/leaf.thrift": "include \"../shared.thrift\"\nstruct L { 1: shared.S s }",
            "idl/shared.thrift": "struct S { 1: i32 fromDisk }",
            "other/shared.thrift": "struct S { 1: i32 fromDirectory }",
        ])
        // Relative to the includer only: leaf's "../shared.thrift" and main's "shared.thrift" are the same file.
        let relative = try ThriftParser.parse(files: [directory.path + "/idl/main.thrift"], source: ThriftFileSource())
        #expect(relative.files.count == 3)
        #expect(relative.structType(named: "shared.S")?.fields[0].name == "fromDisk")
        // A directory comes before the includer's own directory, and in-memory files come first of all.
        let solo = directory.path + "/idl/solo.thrift"
        try directory.write(["idl/solo.thrift": "include \"shared.thrift\""])
        let viaDirectory = try ThriftParser.parse(
            files: [solo], source: ThriftFileSource(directories: [directory.path + "/other"]))
        #expect(viaDirectory.structType(named: "shared.S")?.fields[0].name == "fromDirectory")
        let inMemory = try ThriftParser.parse(
            files: [solo],
            source: ThriftFileSource(
                directories: [directory.path + "/other"], files: ["shared.thrift": "struct S { 1: i32 fromMemory }"]))
        #expect(inMemory.structType(named: "shared.S")?.fields[0].name == "fromMemory")
        #expect(inMemory.files.map(\.name) == ["shared.thrift", solo])
        let byName = try ThriftSchema(
            thriftFiles: ["main.thrift"], source: ThriftFileSource(directories: [directory.path + "/idl"]))
        #expect(byName.files.map(\.name) == ["shared.thrift", "sub/leaf.thrift", "main.thrift"])
    }

    @Test func severalRootsShareTheirIncludes() throws {
        let schema = try ThriftSchema(
            thriftFiles: ["bookstore.thrift", "baseline.thrift", "bookstore_common.thrift"],
            source: ThriftFileSource(directories: [Repo.descriptors]))
        #expect(schema.files.map(\.name) == ["bookstore_common.thrift", "bookstore.thrift", "baseline.thrift"])
        let admin = try #require(schema.service(named: "BookstoreAdmin"))
        #expect(schema.allMethods(of: admin).map(\.name).suffix(2) == ["RecordView", "Ping"])
        let book = try schema.requireStruct(named: "Book")
        #expect(book.field(named: "genre")?.defaultValue == .integer(1))
        #expect(book.field(named: "in_print")?.defaultValue == .bool(true))
        #expect(
            schema.structType(named: "bookstore.Bookstore.GetBook_result")?.fields.map(\.name) == ["success", "nf"])
    }
}
