import Foundation
import PorticoTestSupport
import Testing

/// The codec commands, run as a user runs them: bytes on stdin, bytes or JSON on stdout, errors on stderr.
@Suite struct CodecCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let descriptors = root.appendingPathComponent("Descriptors").path
    static let schema = descriptors + "/baseline.pb"

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("portico").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/portico").path
    }

    func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> ProcessResult {
        try runProcess(executable, arguments, input: input)
    }

    func protoc(_ mode: String, _ type: String, _ input: [UInt8]) throws -> [UInt8] {
        let result = try run("protoc", ["--\(mode)=\(type)", "-I", Self.descriptors, "baseline.proto"], input: input)
        #expect(result.status == 0, "protoc: \(result.stderr)")
        return result.stdout
    }

    func portico(_ arguments: [String], _ input: [UInt8]) throws -> ProcessResult {
        try run(Self.binary, arguments + ["--schema", Self.schema], input: input)
    }

    @Test func getSetUnsetTrimAgreeWithProtoc() throws {
        let simple = try protoc(
            "encode", "baseline.Simple",
            Array(#"byte_field: 127 i64_field: -5 string_field: "héllo\n" binary_field: "\001\002""#.utf8))

        var result = try portico(["get", "--type", "baseline.Simple", "--path", "string_field"], simple)
        #expect(result.status == 0)
        #expect(result.text == "\"héllo\\n\"\n")
        result = try portico(["get", "--type", "baseline.Simple", "--path", "2"], simple)
        #expect(result.text == "\"-5\"\n")
        result = try portico(["get", "--type", "baseline.Simple", "--path", "binary_field"], simple)
        #expect(result.text == "\"AQI=\"\n")
        result = try portico(["get", "--type", "baseline.Simple", "--path", "i32_field"], simple)
        #expect(result.text == "null\n")

        result = try portico(["set", "--type", "baseline.Simple", "--path", "i32_field", "--value", "42"], simple)
        #expect(result.status == 0)
        var text = String(decoding: try protoc("decode", "baseline.Simple", result.stdout), as: UTF8.self)
        #expect(text.contains("i32_field: 42"))
        #expect(text.contains("byte_field: 127"))

        result = try portico(["unset", "--type", "baseline.Simple", "--path", "string_field"], simple)
        text = String(decoding: try protoc("decode", "baseline.Simple", result.stdout), as: UTF8.self)
        #expect(!text.contains("string_field"))

        result = try portico(["trim", "--type", "baseline.Simple", "--to", "baseline.PartialSimple"], simple)
        text = String(decoding: try protoc("decode", "baseline.PartialSimple", result.stdout), as: UTF8.self)
        #expect(text == "byte_field: 127\nbinary_field: \"\\001\\002\"\n")

        result = try portico(["trim", "--type", "baseline.Simple", "--mask", "i64_field"], simple)
        text = String(decoding: try protoc("decode", "baseline.Simple", result.stdout), as: UTF8.self)
        #expect(text == "i64_field: -5\n")
    }

    @Test func setTakesJSONForMessagesListsAndMaps() throws {
        let nesting = try protoc("encode", "baseline.Nesting", Array(#"i32: 1"#.utf8))
        var result = try portico(
            ["set", "--type", "baseline.Nesting", "--path", #"map_string_simple["7"]"#, "--value",
             #"{"i64_field": "9223372036854775807", "binary_field": "AAE"}"#], nesting)
        #expect(result.status == 0, "\(result.stderr)")
        result = try portico(
            ["set", "--type", "baseline.Nesting", "--path", "list_i32", "--value", "[-2147483648, 3]"], result.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: try protoc("decode", "baseline.Nesting", result.stdout), as: UTF8.self)
        #expect(text.contains("i64_field: 9223372036854775807"))
        #expect(text.contains("binary_field: \"\\000\\001\""))
        #expect(text.contains("list_i32: -2147483648\nlist_i32: 3"))
        result = try portico(["get", "--type", "baseline.Nesting", "--path", #"map_string_simple["7"]"#], result.stdout)
        #expect(result.text == #"{"i64Field":"9223372036854775807","binaryField":"AAE="}"# + "\n")
    }

    @Test func badInputFailsWithACodeAndNonZeroExit() throws {
        var result = try portico(["get", "--type", "baseline.Simple", "--path", "string_field"], [0x2A, 0x64])
        #expect(result.status == 1)
        #expect(result.stderr.contains("LENGTH_OUT_OF_BOUNDS"))
        result = try portico(["get", "--type", "baseline.Simple", "--path", "nope"], [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("UNKNOWN_FIELD"))
        result = try portico(["get", "--type", "baseline.Nope", "--path", "x"], [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("UNKNOWN_TYPE"))
        result = try portico(["set", "--type", "baseline.Simple", "--path", "i32_field", "--value", "true"], [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("TYPE_MISMATCH"))
        result = try portico(["set", "--type", "baseline.Simple", "--path", "i32_field", "--value", "\"x\""], [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("INVALID_VALUE") && result.stderr.contains("byte offset 0"))
    }
}

/// The same commands on Thrift schemas, against bytes written by Apache Thrift's Python runtime.
@Suite struct ThriftCommandTests {
    let cli = CodecCommandTests()
    static let schema = CodecCommandTests.descriptors + "/baseline.thrift"

    /// Apache's encodings of one baseline.Simple, in both protocols.
    func apacheSimple() throws -> (binary: [UInt8], compact: [UInt8]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try cli.run("thrift", ["--gen", "py", "-out", directory.path, Self.schema])
        let script = """
            import sys; sys.path.insert(0, "\(directory.path)")
            from baseline.ttypes import Simple
            from thrift.protocol import TBinaryProtocol, TCompactProtocol
            from thrift.transport import TTransport
            s = Simple(byte_field=127, i64_field=-5, string_field="héllo", binary_field=b"\\x01\\x02")
            for p in (TBinaryProtocol.TBinaryProtocol, TCompactProtocol.TCompactProtocol):
                b = TTransport.TMemoryBuffer(); s.write(p(b)); print(b.getvalue().hex())
            """
        let output = try cli.run("python3", ["-c", script])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.text.split(separator: "\n").map { ThriftHex.bytes(String($0)) }
        return (lines[0], lines[1])
    }

    func portico(_ arguments: [String], _ input: [UInt8]) throws -> ProcessResult {
        try cli.run(CodecCommandTests.binary, arguments + ["--schema", Self.schema], input: input)
    }

    @Test func getSetConvertAndTrimThriftPayloads() throws {
        let simple = try apacheSimple()
        var result = try portico(["get", "--type", "Simple", "--path", "string_field"], simple.binary)
        #expect(result.text == "\"héllo\"\n")
        result = try portico(["get", "--type", "baseline.Simple", "--protocol", "compact", "--path", "2"], simple.compact)
        #expect(result.text == "-5\n")
        result = try portico(["convert", "--type", "Simple", "--from", "binary", "--to", "compact"], simple.binary)
        #expect(result.stdout == simple.compact)
        result = try portico(["convert", "--type", "Simple", "--from", "compact", "--to", "binary"], simple.compact)
        #expect(result.stdout == simple.binary)
        result = try portico(["set", "--type", "Simple", "--path", "i32_field", "--value", "42"], simple.binary)
        #expect(result.status == 0, "\(result.stderr)")
        result = try portico(["get", "--type", "Simple", "--path", "i32_field"], result.stdout)
        #expect(result.text == "42\n")
        result = try portico(["trim", "--type", "Simple", "--to", "PartialSimple"], simple.binary)
        result = try portico(["get", "--type", "PartialSimple", "--path", "binary_field"], result.stdout)
        #expect(result.text == "\"AQI=\"\n")
        result = try portico(["get", "--type", "Simple", "--path", "string_field"], Array(simple.binary.prefix(9)))
        #expect(result.status == 1)
        #expect(result.stderr.contains("TRUNCATED") || result.stderr.contains("LENGTH_OUT_OF_BOUNDS"))
    }
}

enum ThriftHex {
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }
}
