import Foundation
import PorticoTestSupport
import Testing

/// The codec commands on paths through nested Thrift containers (`Descriptors/test/nested.thrift`), with input
/// written and output read back by Apache Thrift's Python runtime.
@Suite struct ThriftNestedCommandTests {
    let cli = CodecCommandTests()
    static let schema = CodecCommandTests.descriptors + "/test/nested.thrift"

    /// Runs Python with the generated code of nested.thrift; `body` sees `ttypes`, `encode(obj)` and `decode(hex)`.
    func python(_ gen: String, _ encoding: String, _ body: String) throws -> String {
        let script = """
            import sys; sys.path.insert(0, "\(gen)")
            from nested import ttypes
            from thrift.protocol import TBinaryProtocol, TCompactProtocol
            from thrift.transport import TTransport
            P = TBinaryProtocol.TBinaryProtocol if "\(encoding)" == "binary" else TCompactProtocol.TCompactProtocol
            def encode(obj):
                b = TTransport.TMemoryBuffer(); obj.write(P(b)); return b.getvalue().hex()
            def decode(text):
                obj = ttypes.Deep(); obj.count = None
                obj.read(P(TTransport.TMemoryBuffer(bytes.fromhex(text)))); return obj

            """ + body
        let result = try cli.run("python3", ["-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func portico(_ arguments: [String], _ input: [UInt8], _ encoding: String) throws -> ProcessResult {
        try cli.run(
            CodecCommandTests.binary,
            arguments + [
                "--schema", Self.schema, "--type", "Deep",
                "--protocol", encoding,
            ], input: input)
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test(arguments: ["binary", "compact"])
    func getSetUnsetAndMaskGoThroughNestedContainers(encoding: String) throws {
        let gen = FileManager.default.temporaryDirectory.appendingPathComponent("portico-cli-nested-\(UUID())").path
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: gen) }
        #expect(try cli.run("thrift", ["--gen", "py", "-out", gen, Self.schema]).status == 0)
        let input = ThriftHex.bytes(
            try python(
                gen, encoding,
                """
                d = ttypes.Deep(count=None, matrix=[[1, 2], [3]], nested={5: ["five"]},
                    groups=[{"a,b": [ttypes.Leaf(id=1, name="x")], "c\\n": [ttypes.Leaf(id=2)]}])
                print(encode(d))
                """))

        var result = try portico(["get", "--path", "matrix[1][0]"], input, encoding)
        #expect(result.text == "3\n", "\(result.stderr)")
        result = try portico(["get", "--path", #"groups[0]["a,b"][0].name"#], input, encoding)
        #expect(result.text == "\"x\"\n", "\(result.stderr)")
        result = try portico(["get", "--path", #"groups[0]["c\n"][0].id"#], input, encoding)
        #expect(result.text == "2\n", "\(result.stderr)")
        result = try portico(["get", "--path", "nested[5]"], input, encoding)
        #expect(result.text == "[\"five\"]\n", "\(result.stderr)")
        result = try portico(["get", "--path", "matrix[0][0][0]"], input, encoding)
        #expect(result.status == 1)
        #expect(result.stderr.contains("PATH_MISMATCH"), "\(result.stderr)")

        result = try portico(["set", "--path", "matrix[0][2]", "--value", "9"], input, encoding)
        #expect(result.status == 0, "\(result.stderr)")
        result = try portico(
            ["set", "--path", #"groups[0]["new"][0].tags"#, "--value", "[7, 8]"], result.stdout, encoding)
        #expect(result.status == 0, "\(result.stderr)")
        result = try portico(["unset", "--path", "nested[5][0]"], result.stdout, encoding)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try python(
                gen, encoding,
                """
                d = decode("\(hex(result.stdout))")
                print(d.matrix, d.nested, d.groups[0]["new"][0].tags, sorted(d.groups[0]))
                """) == "[[1, 2, 9], [3]] {5: []} [7, 8] ['a,b', 'c\\n', 'new']")

        result = try portico(["trim", "--mask", #"groups[0]["a,b"].name, matrix[1]"#], input, encoding)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try python(
                gen, encoding,
                """
                d = decode("\(hex(result.stdout))")
                print(d.matrix, d.nested, d.groups)
                """) == "[[3]] None [{'a,b': [Leaf(id=None, name='x', tags=None, flag=None)]}]")
    }
}
