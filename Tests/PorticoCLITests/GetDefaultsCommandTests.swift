import Foundation
import PorticoTestSupport
import Testing

/// `portico get --defaults`: absent fields print their schema default (proto3 zero values, proto2 `[default]`,
/// Thrift IDL defaults) instead of `null`; inputs written by protoc and by Apache Thrift's Python runtime.
@Suite struct GetDefaultsCommandTests {
    let cli = CodecCommandTests()

    static let proto3 = """
        syntax = "proto3";
        package d3;
        enum Color { RED = 0; GREEN = 1; }
        message Inner { int32 n = 1; }
        message M {
          int32 i = 1; int64 l = 2; uint64 u = 3; bool b = 4; string s = 5; bytes y = 6; double d = 7; float f = 8;
          Color c = 9; Inner inner = 10; repeated int32 r = 11; map<string, Inner> m = 12; optional int32 o = 13;
          oneof choice { string text = 14; int32 number = 15; }
          sint64 z = 16; map<int32, string> names = 17;
        }
        """

    static let proto2 = """
        syntax = "proto2";
        package d2;
        enum Level { LOW = 3; HIGH = 7; }
        message M {
          optional int32 i = 1 [default = 42];
          optional string s = 2 [default = "hi\\n"];
          optional bytes y = 3 [default = "\\001x"];
          optional double d = 4 [default = -1.5];
          optional float f = 5 [default = inf];
          optional bool b = 6 [default = true];
          optional Level lv = 7 [default = HIGH];
          optional Level first = 8;
          optional int64 big = 9 [default = -9000000000];
          optional uint32 plain = 10;
          optional M child = 11;
          repeated int32 r = 12;
        }
        """

    static let thrift = """
        enum Color { RED = 1, BLUE = 2 }
        struct Inner { 1: i32 n = 3, 2: i32 bare }
        struct T {
          1: i32 x = 5
          2: string name = "anon"
          3: bool on = true
          4: double ratio = 0.5
          5: list<i32> xs = [1, 2]
          6: map<string, i32> m = {"a": 1}
          7: i64 big = 123456789012
          8: optional i32 none
          9: Inner inner
          10: Color color = Color.BLUE
          11: binary raw = "ab"
          12: map<string, Inner> byName
          13: list<Inner> items
        }
        """

    func write(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-defaults-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        return directory
    }

    /// `portico get` of each path, with and without `--defaults`.
    func get(_ schema: String, _ type: String, _ input: [UInt8], _ paths: [String], extra: [String] = [])
        throws -> [String: (plain: String, defaults: String)]
    {
        var results: [String: (plain: String, defaults: String)] = [:]
        for path in paths {
            let arguments = ["get", "--schema", schema, "--type", type, "--path", path] + extra
            let plain = try cli.run(CodecCommandTests.binary, arguments, input: input)
            let defaults = try cli.run(CodecCommandTests.binary, arguments + ["--defaults"], input: input)
            #expect(plain.status == 0 && defaults.status == 0, "\(path): \(plain.stderr) \(defaults.stderr)")
            results[path] = (
                plain.text.trimmingCharacters(in: .newlines),
                defaults.text.trimmingCharacters(in: .newlines)
            )
        }
        return results
    }

    @Test func proto3AbsentScalarsPrintTheirZeroValues() throws {
        let directory = try write(["d3.proto": Self.proto3])
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try cli.run(
            "protoc", ["--encode=d3.M", "-I", directory.path, "d3.proto"],
            input: Array(#"i: 5 m { key: "k" value { } } names { key: 1 value: "one" }"#.utf8))
        #expect(input.status == 0, "\(input.stderr)")
        let expected: [String: (plain: String, defaults: String)] = [
            "i": ("5", "5"), "l": ("null", #""0""#), "u": ("null", #""0""#), "b": ("null", "false"),
            "s": ("null", #""""#), "y": ("null", #""""#), "d": ("null", "0.0"), "f": ("null", "0.0"),
            "c": ("null", #""RED""#), "z": ("null", #""0""#), "o": ("null", "0"), "number": ("null", "0"),
            "text": ("null", #""""#), "inner": ("null", "null"), "inner.n": ("null", "0"), "r": ("null", "[]"),
            #"m["k"].n"#: ("null", "0"), #"m["zz"].n"#: ("null", "null"), #"m["zz"]"#: ("null", "null"),
            "names[1]": (#""one""#, #""one""#), "names[2]": ("null", "null"),
        ]
        let schema = directory.appendingPathComponent("d3.proto").path
        let got = try get(schema, "d3.M", input.stdout, Array(expected.keys))
        for (path, value) in expected {
            #expect(got[path]?.plain == value.plain, "\(path) without --defaults: \(got[path]?.plain ?? "")")
            #expect(got[path]?.defaults == value.defaults, "\(path) with --defaults: \(got[path]?.defaults ?? "")")
        }
    }

    @Test func proto2AbsentFieldsPrintTheirDeclaredDefaults() throws {
        let directory = try write(["d2.proto": Self.proto2])
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try cli.run(
            "protoc", ["--encode=d2.M", "-I", directory.path, "d2.proto"],
            input: Array("plain: 9 child { i: 1 }".utf8))
        #expect(input.status == 0, "\(input.stderr)")
        let expected: [String: String] = [
            "i": "42", "s": #""hi\n""#, "y": #""AXg=""#, "d": "-1.5", "f": #""Infinity""#, "b": "true",
            "lv": #""HIGH""#, "first": #""LOW""#, "big": #""-9000000000""#, "plain": "9", "child.i": "1",
            "child.s": #""hi\n""#, "child.child": "null", "child.child.lv": #""HIGH""#, "r": "[]",
        ]
        let schema = directory.appendingPathComponent("d2.proto").path
        let got = try get(schema, "d2.M", input.stdout, Array(expected.keys))
        for (path, value) in expected {
            #expect(got[path]?.defaults == value, "\(path): \(got[path]?.defaults ?? "")")
        }
        #expect(got["i"]?.plain == "null")
        #expect(got["plain"]?.plain == "9")
    }

    @Test(arguments: ["binary", "compact"])
    func thriftAbsentFieldsPrintTheirIDLDefaults(encoding: String) throws {
        let directory = try write(["t.thrift": Self.thrift])
        defer { try? FileManager.default.removeItem(at: directory) }
        let gen = directory.appendingPathComponent("gen").path
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        let compiled = try cli.run(
            "thrift", ["--gen", "py", "-out", gen, directory.appendingPathComponent("t.thrift").path])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        // Python's constructors fill in the defaults: clear them so the bytes really lack those fields.
        let script = """
            import sys; sys.path.insert(0, "\(gen)")
            from t.ttypes import T, Inner
            from thrift.protocol import TBinaryProtocol, TCompactProtocol
            from thrift.transport import TTransport
            t = T()
            for name in ("name", "on", "ratio", "xs", "m", "big", "color", "raw"):
                setattr(t, name, None)
            t.x = 9
            inner = Inner(); inner.n = None
            t.byName = {"k": inner}
            t.items = [Inner(n=4), inner]
            p = TBinaryProtocol.TBinaryProtocol if sys.argv[1] == "binary" else TCompactProtocol.TCompactProtocol
            b = TTransport.TMemoryBuffer(); t.write(p(b)); print(b.getvalue().hex())
            """
        let python = try cli.run("python3", ["-c", script, encoding])
        #expect(python.status == 0, "\(python.stderr)")
        let input = ThriftHex.bytes(python.text.trimmingCharacters(in: .whitespacesAndNewlines))
        let expected: [String: (plain: String, defaults: String)] = [
            "x": ("9", "9"), "name": ("null", #""anon""#), "on": ("null", "true"), "ratio": ("null", "0.5"),
            "xs": ("null", "[1,2]"), "m": ("null", #"{"a":1}"#), "big": ("null", "123456789012"),
            "none": ("null", "null"), "inner": ("null", "null"), "inner.n": ("null", "3"),
            "inner.bare": ("null", "null"),
            "color": ("null", "2"), "raw": ("null", #""YWI=""#), #"byName["k"].n"#: ("null", "3"),
            #"byName["k"].bare"#: ("null", "null"), #"byName["z"].n"#: ("null", "null"), "items[0].n": ("4", "4"),
            "items[1].n": ("null", "3"), "items[2].n": ("null", "null"),
        ]
        let schema = directory.appendingPathComponent("t.thrift").path
        let got = try get(schema, "T", input, Array(expected.keys), extra: ["--protocol", encoding])
        for (path, value) in expected {
            #expect(got[path]?.plain == value.plain, "\(path) without --defaults: \(got[path]?.plain ?? "")")
            #expect(got[path]?.defaults == value.defaults, "\(path) with --defaults: \(got[path]?.defaults ?? "")")
        }
    }
}
