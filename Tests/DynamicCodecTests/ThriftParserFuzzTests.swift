import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// The parser must never crash or hang, whatever the input: truncated files, random edits, token soup, deep nesting.
struct ThriftParserFuzzTests {
    /// Inputs that once broke the parser or come close to its limits, kept as regression tests.
    static let corpus: [String] = [
        "",
        "struct",
        "struct A {",
        "struct A { 1:",
        "struct A { 1: map<",
        "struct A { 1: i32 a = [",
        "struct A { 1: i32 a = {1:",
        "struct A { 1: i32 a (",
        "struct A { 1: i32 a (x =",
        "enum E { A = ",
        "enum E { A = -",
        "const i32 X = 0x",
        "const i32 X = -",
        "const i32 X = 1e",
        "const double X = 1e999",
        "service S extends",
        "service S { oneway",
        "service S { void f() throws (",
        "include",
        "include \"\"",
        "include \"main.thrift\"",
        "include \"/\"",
        "include \"..\"",
        "include \"a\\u{0}b\"",
        "namespace",
        "namespace *",
        "typedef A A",
        "typedef list<A> A",
        "const i32 A = A",
        "const list<i32> A = [A]",
        "service A extends A {}",
        "struct A { -32768: i32 a }",
        "struct A { -99999999999999999999: i32 a }",
        "'\\",
        "/*",
        "/**/",
        "#",
        "\u{0}",
        "struct \u{00e9} {}",
        "const string S = \"\u{00e9}\\t\"",
        "\u{FEFF}struct A {}",
        String(repeating: "{", count: 10_000),
        "const list<i32> X = " + String(repeating: "[", count: 10_000),
        "typedef " + String(repeating: "list<", count: 10_000),
        "struct A { " + String(repeating: "i32 a ", count: 40_000) + "}",
        (0..<300).map { "typedef T\($0 + 1) T\($0)" }.joined(separator: "\n") + "\ntypedef i32 T300",
        (0..<300).map { "const i32 C\($0) = C\($0 + 1)" }.joined(separator: "\n") + "\nconst i32 C300 = 1",
    ]

    @Test(arguments: corpus)
    func corpusDoesNotCrash(_ text: String) {
        Self.parseIgnoringErrors(text)
    }

    /// Include chains longer than the resolver follows, and includes that point back at each other.
    @Test func longIncludeChainsStopCleanly() {
        var files: [String: String] = [:]
        for index in 0..<700 { files["f\(index).thrift"] = "include \"f\(index + 1).thrift\"" }
        files["f700.thrift"] = "struct End {}"
        Self.parseIgnoringErrors(files["f0.thrift"] ?? "", name: "f0.thrift", others: files)
    }

    /// Every prefix of real files, cut every few bytes.
    @Test(arguments: ThriftParserCases.all + [Self.shipped])
    func truncatedFilesDoNotCrash(_ thriftCase: ThriftParserCase) {
        for (name, text) in thriftCase.files {
            let bytes = Array(text.utf8)
            for end in stride(from: 0, to: bytes.count, by: 3) {
                Self.parseIgnoringErrors(
                    String(decoding: bytes[..<end], as: UTF8.self), name: name, others: thriftCase.files)
            }
        }
    }

    /// Random insertions, deletions and replacements of Thrift-looking characters.
    @Test func mutatedFilesDoNotCrash() {
        var random = SplitMix(seed: 0x7412_1F7)
        let alphabet = Array("{}[]()<>;=,:.*&\"'\\/#-+0123456789xabefnt_ \n\tlist map set include oneway throws ".utf8)
        let sources = (ThriftParserCases.all + [Self.shipped]).flatMap { $0.files.sorted { $0.key < $1.key } }
        for iteration in 0..<800 {
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
        var random = SplitMix(seed: 1977)
        let words = [
            "struct", "union", "exception", "enum", "service", "typedef", "const", "include", "namespace", "extends",
            "throws", "oneway", "void", "required", "optional", "A", "B", "a.B", "main.A", "E.X", "i32", "string",
            "list", "map", "set", "binary", "bool", "{", "}", "(", ")", "<", ">", "[", "]", ",", ";", ":", "=", "*",
            "&", "1", "-1", "0x7f", "1.5", "\"s\"", "'t'", "\"main.thrift\"", "true", "false", "cpp_type", "uuid",
        ]
        for _ in 0..<2000 {
            let count = 1 + Int(random.next() % 40)
            let text = (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
            Self.parseIgnoringErrors(text)
        }
    }

    static let shipped: ThriftParserCase = {
        let names = ["baseline.thrift", "bookstore.thrift", "bookstore_common.thrift"]
        var files: [String: String] = [:]
        for name in names {
            files[name] = (try? String(contentsOfFile: Repo.descriptors + "/" + name, encoding: .utf8)) ?? ""
        }
        return ThriftParserCase(name: "shipped descriptors", files: files, roots: names)
    }()

    static func parseIgnoringErrors(_ text: String, name: String = "main.thrift", others: [String: String] = [:]) {
        var files = others
        files[name] = text
        do {
            _ = try ThriftParser.parse(files: [name], source: ThriftFileSource(files: files))
        } catch {
            #expect(error.location.map { $0.line >= 1 && $0.column >= 1 } ?? false, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }
}
