import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// The parser must never crash or hang, whatever the input: truncated files, random edits, token soup.
struct ProtoParserFuzzTests {
    /// Inputs that once broke the parser, kept as regression tests.
    static let corpus: [String] = [
        "",
        "syntax",
        "syntax = \"proto3\"",
        "message",
        "message A {",
        "message A { map<",
        "message A { map<string, int32> m = 1 [",
        "option (a).(b).c = {",
        "option x = { a: [ { b: < c: 1 > } ] ",
        "syntax = \"proto2\"; message A { optional group G = 1 { optional group H = 2 {",
        "enum E { A = -",
        "enum E { A = 0x",
        "service S { rpc A(stream",
        "extend . { }",
        "import \"\";",
        "import \"a.proto\"; import \"a.proto\";",
        "package a..b;",
        "message A { reserved 1 to max, \"x\"; }",
        "message A { extensions 1 to 2147483647; }",
        "message A { optional int32 a = 1 [default = -]; }",
        "'\\u",
        "\"\\U0011ffff\"",
        "/*",
        "// only a comment",
        "\u{0}",
        "message \u{00e9} {}",
        "syntax = \"proto3\"; message A { int32 a = 1 [json_name = \"\\xff\"]; }",
        "option java_package = \"\\xff\";",
        "option optimize_for = { a: 1 };",
        "syntax = \"proto2\"; message A { extensions 5; } extend A { optional A a = 5 [default = x]; }",
        String(repeating: "{", count: 10_000),
        "option (x) = " + String(repeating: "{", count: 10_000),
        "syntax = \"proto3\";" + String(repeating: "message A {", count: 99) + String(repeating: "}", count: 99),
    ]

    @Test(arguments: corpus)
    func corpusDoesNotCrash(_ text: String) {
        Self.parseIgnoringErrors(text)
    }

    /// Every prefix of real files, cut at every few bytes.
    @Test(arguments: ProtoParserCases.all)
    func truncatedFilesDoNotCrash(_ protoCase: ProtoParserCase) {
        for (name, text) in protoCase.files {
            let bytes = Array(text.utf8)
            for end in stride(from: 0, to: bytes.count, by: 7) {
                Self.parseIgnoringErrors(
                    String(decoding: bytes[..<end], as: UTF8.self), name: name, others: protoCase.files)
            }
        }
    }

    /// Random insertions, deletions and replacements of protobuf-looking characters.
    @Test func mutatedFilesDoNotCrash() {
        var random = SplitMix(seed: 0x5EED)
        let alphabet = Array("{}[]()<>;=,.\"'\\/*-+0123456789xabefnu_ \n\tmax to map stream group oneof rpc ".utf8)
        let sources = ProtoParserCases.all.flatMap { $0.files.sorted { $0.key < $1.key } }
        for iteration in 0..<600 {
            let (name, text) = sources[iteration % sources.count]
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                let position = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            var files = Dictionary(uniqueKeysWithValues: sources)
            files[name] = String(decoding: bytes, as: UTF8.self)
            Self.parseIgnoringErrors(files[name] ?? "", name: name, others: files)
        }
    }

    /// Random sequences of keywords, names, numbers, strings and symbols.
    @Test func tokenSoupDoesNotCrash() {
        var random = SplitMix(seed: 42)
        let words = [
            "syntax", "=", "\"proto3\"", "\"proto2\"", ";", "package", "a", "b.c", "message", "M", "{", "}", "enum",
            "E", "int32", "string", "map", "<", ">", ",", "1", "-2", "0x10", "1.5", "optional", "repeated", "required",
            "group", "G", "oneof", "o", "extend", "extensions", "to", "max", "reserved", "\"r\"", "option", "(", ")",
            ".", "[", "]", "default", "json_name", "service", "rpc", "returns", "stream", "import", "public", "weak",
            "\"google/protobuf/descriptor.proto\"", "(google.api.http)", "deprecated", "true", "inf", "nan", ":",
        ]
        for _ in 0..<1500 {
            let count = 1 + Int(random.next() % 40)
            let text = (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
            Self.parseIgnoringErrors(text)
        }
    }

    static func parseIgnoringErrors(_ text: String, name: String = "fuzz.proto", others: [String: String] = [:]) {
        var files = others
        files[name] = text
        do {
            _ = try ProtoParser.parse(files: [name], source: ProtoFileSource(files: files))
        } catch {
            #expect(error.location.map { $0.line >= 1 && $0.column >= 1 } ?? false, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }
}
