import Testing

@testable import DynamicCodec

/// A `.thrift` input that must fail, and where.
struct ThriftParserErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var code: CodecError.Code
    var line: Int
    var column: Int
    /// A fragment the message must contain.
    var message: String
    /// Other files the input can include.
    var includes: [String: String] = [:]
    /// The file the error points into.
    var file = "main.thrift"
    var testDescription: String { name }
}

struct ThriftParserErrorTests {
    static let cases: [ThriftParserErrorCase] = [
        // Syntax
        ThriftParserErrorCase(
            name: "missing closing brace", text: "struct A {\n  1: i32 a\n", code: .syntaxError, line: 3, column: 1,
            message: "expected a type, found end of input"),
        ThriftParserErrorCase(
            name: "unknown top-level word", text: "struct A {}\nmessage B {}\n", code: .syntaxError, line: 2,
            column: 1, message: "expected include, namespace"),
        ThriftParserErrorCase(
            name: "field without type", text: "struct A {\n  1: a\n}\n", code: .syntaxError, line: 3, column: 1,
            message: "expected the name of the field, found \"}\""),
        ThriftParserErrorCase(
            name: "keyword as field name", text: "struct A {\n  1: i32 list\n}\n", code: .syntaxError, line: 2,
            column: 10, message: "\"list\" is a Thrift keyword"),
        ThriftParserErrorCase(
            name: "dotted definition name", text: "struct a.B {}\n", code: .syntaxError, line: 1, column: 8,
            message: "names cannot contain dots"),
        ThriftParserErrorCase(
            name: "unterminated string", text: "const string S = \"abc\n", code: .syntaxError, line: 1,
            column: 22, message: "cannot cross line boundaries"),
        ThriftParserErrorCase(
            name: "string at end of input", text: "const string S = 'abc", code: .syntaxError, line: 1,
            column: 18, message: "never closed"),
        ThriftParserErrorCase(
            name: "bad escape", text: "const string S = \"a\\qb\"\n", code: .syntaxError, line: 1, column: 20,
            message: "invalid escape sequence"),
        ThriftParserErrorCase(
            name: "unclosed block comment", text: "struct A {}\n  /* never\nclosed\n", code: .syntaxError, line: 2,
            column: 3, message: "block comment is never closed"),
        ThriftParserErrorCase(
            name: "stray character", text: "struct A {\n  1: i32 a @\n}\n", code: .syntaxError, line: 2,
            column: 12, message: "unexpected character \"@\""),
        ThriftParserErrorCase(
            name: "number glued to a name", text: "struct A {\n  1: i32 a = 12ab\n}\n", code: .syntaxError,
            line: 2, column: 16, message: "a number must be followed by a space or a symbol"),
        ThriftParserErrorCase(
            name: "integer too large", text: "const i64 X = 9223372036854775808\n", code: .syntaxError, line: 1,
            column: 15, message: "does not fit in 64 bits"),
        ThriftParserErrorCase(
            name: "legacy xsd keyword", text: "struct A xsd_all {\n}\n", code: .syntaxError, line: 1, column: 10,
            message: "\"xsd_all\" belongs to old versions of Thrift"),
        ThriftParserErrorCase(
            name: "legacy senum", text: "senum S { \"a\" }\n", code: .syntaxError, line: 1, column: 1,
            message: "\"senum\" belongs to old versions"),
        ThriftParserErrorCase(
            name: "void field", text: "struct A {\n  1: void a\n}\n", code: .syntaxError, line: 2, column: 6,
            message: "\"void\" can only be the return type"),
        ThriftParserErrorCase(
            name: "map without value type", text: "struct A {\n  1: map<string> m\n}\n", code: .syntaxError,
            line: 2, column: 16, message: "expected \",\", found \">\""),
        ThriftParserErrorCase(
            name: "annotation without value", text: "struct A {\n  1: i32 a (x = )\n}\n", code: .syntaxError,
            line: 2, column: 17, message: "expected the value of annotation \"x\""),
        ThriftParserErrorCase(
            name: "enum value not an integer", text: "enum E {\n  A = \"x\"\n}\n", code: .syntaxError, line: 2,
            column: 7, message: "expected an integer value for \"A\""),
        ThriftParserErrorCase(
            name: "nesting too deep", text: "typedef " + String(repeating: "list<", count: 200) + "i32",
            code: .syntaxError, line: 1, column: 509, message: "nested deeper than 100 levels"),
        // Names and numbers
        ThriftParserErrorCase(
            name: "unknown type", text: "struct A {\n  1: Missing m\n}\n", code: .schemaError, line: 2, column: 6,
            message: "type \"Missing\" is not defined"),
        ThriftParserErrorCase(
            name: "unknown type inside a container", text: "struct A {\n  1: map<string, list<Nope>> m\n}\n",
            code: .schemaError, line: 2, column: 23, message: "type \"Nope\" is not defined"),
        ThriftParserErrorCase(
            name: "included name without prefix", text: "include \"other.thrift\"\nstruct A {\n  1: B b\n}\n",
            code: .schemaError, line: 3, column: 6, message: "did you mean \"other.B\"?",
            includes: ["other.thrift": "struct B {}"]),
        ThriftParserErrorCase(
            name: "includes are not transitive",
            text: "include \"middle.thrift\"\nstruct A {\n  1: leaf.B b\n}\n", code: .schemaError, line: 3, column: 6,
            message: "includes are not transitive",
            includes: ["middle.thrift": "include \"leaf.thrift\"", "leaf.thrift": "struct B {}"]),
        ThriftParserErrorCase(
            name: "duplicate struct", text: "struct A {}\nstruct A {}\n", code: .schemaError, line: 2, column: 1,
            message: "\"main.A\" is already defined (at main.thrift:1:1)"),
        ThriftParserErrorCase(
            name: "enum and struct share a name", text: "enum A { X }\nunion A {}\n", code: .schemaError, line: 2,
            column: 1, message: "\"main.A\" is already defined"),
        ThriftParserErrorCase(
            name: "duplicate constant", text: "const i32 A = 1\nconst i32 A = 2\n", code: .schemaError, line: 2,
            column: 1, message: "\"main.A\" is already defined"),
        ThriftParserErrorCase(
            name: "duplicate enum value", text: "enum E {\n  A\n  B\n  A = 7\n}\n", code: .schemaError, line: 4,
            column: 3, message: "\"main.E.A\" is already defined"),
        ThriftParserErrorCase(
            name: "duplicate field id", text: "struct A {\n  1: i32 a\n  1: i32 b\n}\n", code: .schemaError,
            line: 3, column: 3, message: "field id 1 of \"b\" is already used by \"a\" in \"main.A\""),
        ThriftParserErrorCase(
            name: "duplicate field name", text: "struct A {\n  1: i32 a\n  2: string a\n}\n", code: .schemaError,
            line: 3, column: 3, message: "field \"a\" is already defined in \"main.A\""),
        ThriftParserErrorCase(
            name: "duplicate argument id", text: "service S {\n  void f(1: i32 a, 1: i32 b)\n}\n",
            code: .schemaError, line: 2, column: 20, message: "is already used by \"a\" in \"main.S.f_args\""),
        ThriftParserErrorCase(
            name: "duplicate method", text: "service S {\n  void f()\n  i32 f()\n}\n", code: .schemaError,
            line: 3, column: 3, message: "method \"f\" is already defined in \"main.S\""),
        ThriftParserErrorCase(
            name: "field id out of range", text: "struct A {\n  40000: i32 a\n}\n", code: .schemaError, line: 2,
            column: 3, message: "field id 40000 is out of range"),
        ThriftParserErrorCase(
            name: "enum value out of range", text: "enum E {\n  A = 2147483648\n}\n", code: .schemaError, line: 2,
            column: 7, message: "out of the i32 range"),
        ThriftParserErrorCase(
            name: "implicit enum value overflows", text: "enum E {\n  A = 2147483647\n  B\n}\n",
            code: .schemaError, line: 3, column: 3, message: "the implicit value of \"B\" overflows i32"),
        ThriftParserErrorCase(
            name: "typedef cycle", text: "typedef B A\ntypedef A B\n", code: .schemaError, line: 1, column: 1,
            message: "typedef cycle: main.A -> main.B -> main.A"),
        // Services
        ThriftParserErrorCase(
            name: "throws a struct", text: "struct E {}\nservice S {\n  void f() throws (1: E e)\n}\n",
            code: .schemaError, line: 3, column: 23,
            message: "\"E\" in the throws clause of \"f\" is not an exception"),
        ThriftParserErrorCase(
            name: "oneway with throws", text: "exception E {}\nservice S {\n  oneway void f() throws (1: E e)\n}\n",
            code: .schemaError, line: 3, column: 19, message: "oneway method \"f\" cannot throw exceptions"),
        ThriftParserErrorCase(
            name: "extends unknown service", text: "service S extends Nope {\n}\n", code: .schemaError, line: 1,
            column: 19, message: "service \"Nope\" is not defined"),
        ThriftParserErrorCase(
            name: "extends cycle", text: "service A extends B {}\nservice B extends A {}\n", code: .schemaError,
            line: 1, column: 19, message: "services extend each other in a cycle: main.A -> main.B -> main.A"),
        // Constants
        ThriftParserErrorCase(
            name: "string for an integer", text: "struct A {\n  1: i32 a = \"x\"\n}\n", code: .schemaError, line: 2,
            column: 14, message: "value for \"main.A.a\" must be a i32, found a string"),
        ThriftParserErrorCase(
            name: "i8 default out of range", text: "struct A {\n  1: i8 a = 300\n}\n", code: .schemaError, line: 2,
            column: 13, message: "value 300 for \"main.A.a\" is out of the range of i8"),
        ThriftParserErrorCase(
            name: "unknown constant", text: "const i32 A = B\n", code: .schemaError, line: 1, column: 15,
            message: "no constant or enum value named \"B\""),
        ThriftParserErrorCase(
            name: "unqualified enum value", text: "enum E { X }\nstruct A {\n  1: E e = X\n}\n", code: .schemaError,
            line: 3, column: 12, message: "no constant or enum value named \"X\""),
        ThriftParserErrorCase(
            name: "value of another enum", text: "enum E { X }\nenum F { Y }\nconst E A = F.Y\n", code: .schemaError,
            line: 3, column: 13, message: "\"F.Y\" is a value of main.F"),
        ThriftParserErrorCase(
            name: "constant refers to itself", text: "const i32 A = B\nconst i32 B = A\n", code: .schemaError,
            line: 2, column: 15, message: "constant \"main.A\" depends on itself"),
        ThriftParserErrorCase(
            name: "struct literal with unknown field",
            text: "struct P { 1: i32 x }\nconst P O = {\"x\": 1, \"y\": 2}\n",
            code: .schemaError, line: 2, column: 22, message: "\"main.P\" has no field named \"y\""),
        ThriftParserErrorCase(
            name: "bad uuid", text: "const uuid U = \"not-a-uuid\"\n", code: .schemaError, line: 1, column: 16,
            message: "found a string that is not a UUID"),
        // Includes
        ThriftParserErrorCase(
            name: "include not found", text: "include \"missing.thrift\"\n", code: .importNotFound, line: 1,
            column: 9, message: "include \"missing.thrift\" was not found"),
        ThriftParserErrorCase(
            name: "include cycle", text: "include \"a.thrift\"\n", code: .schemaError, line: 2, column: 9,
            message: "include cycle: a.thrift -> b.thrift -> a.thrift",
            includes: ["a.thrift": "include \"b.thrift\"", "b.thrift": "\ninclude \"a.thrift\""], file: "b.thrift"),
        ThriftParserErrorCase(
            name: "two files with the same scope name",
            text: "include \"x/common.thrift\"\ninclude \"y/common.thrift\"\n",
            code: .schemaError, line: 2, column: 9, message: "would both qualify their names with \"common\"",
            includes: ["x/common.thrift": "", "y/common.thrift": ""]),
        ThriftParserErrorCase(
            name: "syntax error in an included file", text: "include \"bad.thrift\"\n", code: .syntaxError, line: 2,
            column: 3, message: "expected \"{\"", includes: ["bad.thrift": "struct A\n  1: i32 a\n"],
            file: "bad.thrift"),
    ]

    @Test(arguments: cases)
    func failsWhereExpected(_ errorCase: ThriftParserErrorCase) {
        var files = errorCase.includes
        files["main.thrift"] = errorCase.text
        do {
            let schema = try ThriftParser.parse(files: ["main.thrift"], source: ThriftFileSource(files: files))
            Issue.record("parsed without error: \(schema.structs.map(\.name))")
        } catch {
            #expect(error.code == errorCase.code, "\(error)")
            #expect(
                error.location == SourceLocation(file: errorCase.file, line: errorCase.line, column: errorCase.column),
                "\(error)")
            #expect(error.message.contains(errorCase.message), "\(error)")
        }
    }

    @Test func missingRootFile() {
        #expect {
            try ThriftParser.parse(files: ["nowhere.thrift"], source: ThriftFileSource())
        } throws: { error in
            let error = error as? CodecError
            return error?.code == .importNotFound
                && error?.location == SourceLocation(file: "nowhere.thrift", line: 1, column: 1)
        }
    }
}
