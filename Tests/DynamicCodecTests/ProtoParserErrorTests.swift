import DynamicCodec
import Testing

/// A `.proto` input that must fail, and where.
struct ProtoParserErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var code: CodecError.Code
    var line: Int
    var column: Int
    /// A fragment the message must contain.
    var message: String
    /// Other files the input can import.
    var imports: [String: String] = [:]
    /// The file the error points into.
    var file = "main.proto"
    var testDescription: String { name }
}

struct ProtoParserErrorTests {
    static let optionDefinitions = """
        syntax = "proto2";
        package opts;
        import "google/protobuf/descriptor.proto";
        extend google.protobuf.MessageOptions { optional int32 level = 50000; optional Box box = 50001; }
        message Box { optional string label = 1; repeated int32 sizes = 2; oneof o { int32 a = 3; int32 b = 4; } }
        """

    static let cases: [ProtoParserErrorCase] = [
        ProtoParserErrorCase(
            name: "unknown type", text: "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
            code: .schemaError, line: 3, column: 3, message: "\"Missing\" is not defined"),
        ProtoParserErrorCase(
            name: "unknown qualified type",
            text: "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  .pkg.Nope n = 2;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "\".pkg.Nope\" is not defined"),
        ProtoParserErrorCase(
            name: "inner scope shadows the first component",
            text:
                "syntax = \"proto2\";\nmessage Bar { message Baz {} }\nmessage Foo {\n"
                + "  message Bar {}\n  optional Bar.Baz baz = 1;\n}\n",
            code: .schemaError, line: 5, column: 12, message: "is resolved to \"Foo.Bar.Baz\""),
        ProtoParserErrorCase(
            name: "field type is not a type",
            text: "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  A.x y = 2;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "\"A.x\" is not a type"),
        ProtoParserErrorCase(
            name: "rpc input is not a message",
            text: "syntax = \"proto3\";\nenum E { E0 = 0; }\nmessage M {}\nservice S {\n  rpc Get(E) returns (M);\n}\n",
            code: .schemaError, line: 5, column: 11, message: "\"E\" is not a message type"),
        ProtoParserErrorCase(
            name: "duplicate message", text: "syntax = \"proto3\";\nmessage A {}\nmessage A {}\n",
            code: .schemaError, line: 3, column: 1, message: "\"A\" is already defined"),
        ProtoParserErrorCase(
            name: "duplicate field name",
            text: "syntax = \"proto3\";\npackage p;\nmessage A {\n  int32 a = 1;\n  string a = 2;\n}\n",
            code: .schemaError, line: 5, column: 3, message: "\"a\" is already defined in \"p.A\""),
        ProtoParserErrorCase(
            name: "enum values are siblings of their enum",
            text: "syntax = \"proto3\";\nenum E1 { NONE = 0; }\nenum E2 { NONE = 0; }\n",
            code: .schemaError, line: 3, column: 11, message: "C++ scoping rules"),
        ProtoParserErrorCase(
            name: "duplicate field number",
            text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}\n",
            code: .schemaError, line: 4, column: 13,
            message: "field number 1 has already been used in \"A\" by field \"a\""),
        ProtoParserErrorCase(
            name: "field number zero", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 0;\n}\n",
            code: .schemaError, line: 3, column: 13, message: "positive"),
        ProtoParserErrorCase(
            name: "field number too large", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 536870912;\n}\n",
            code: .schemaError, line: 3, column: 13, message: "cannot be greater than 536870911"),
        ProtoParserErrorCase(
            name: "field number beyond int32", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 4294967296;\n}\n",
            code: .syntaxError, line: 3, column: 13, message: "out of range"),
        ProtoParserErrorCase(
            name: "implementation-reserved field number",
            text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 19500;\n}\n",
            code: .schemaError, line: 3, column: 13, message: "19000 through 19999"),
        ProtoParserErrorCase(
            name: "reserved number",
            text: "syntax = \"proto3\";\nmessage A {\n  reserved 4 to 6;\n  int32 a = 5;\n}\n",
            code: .schemaError, line: 4, column: 13, message: "uses reserved number 5"),
        ProtoParserErrorCase(
            name: "reserved name",
            text: "syntax = \"proto3\";\nmessage A {\n  reserved \"a\";\n  int32 a = 5;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "field name \"a\" is reserved"),
        ProtoParserErrorCase(
            name: "reserved enum number",
            text: "syntax = \"proto3\";\nenum E {\n  E0 = 0;\n  reserved 2 to max;\n  E9 = 9;\n}\n",
            code: .schemaError, line: 5, column: 3, message: "enum value \"E9\" uses reserved number 9"),
        ProtoParserErrorCase(
            name: "map with a double key",
            text: "syntax = \"proto3\";\nmessage A {\n  map<double, string> m = 1;\n}\n",
            code: .schemaError, line: 3, column: 3, message: "key in map fields cannot be float/double"),
        ProtoParserErrorCase(
            name: "map with an enum key",
            text: "syntax = \"proto3\";\nenum E { E0 = 0; }\nmessage A {\n  map<E, string> m = 1;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "cannot be enum types"),
        ProtoParserErrorCase(
            name: "map with a message key",
            text: "syntax = \"proto3\";\nmessage A {\n  map<A, string> m = 1;\n}\n",
            code: .schemaError, line: 3, column: 3, message: "key in map fields cannot be"),
        ProtoParserErrorCase(
            name: "import not found", text: "syntax = \"proto3\";\nimport \"nope/missing.proto\";\n",
            code: .importNotFound, line: 2, column: 1, message: "\"nope/missing.proto\" was not found"),
        ProtoParserErrorCase(
            name: "import escaping the directories", text: "syntax = \"proto3\";\n\nimport \"../secret.proto\";\n",
            code: .importNotFound, line: 3, column: 1, message: "not a valid import name"),
        ProtoParserErrorCase(
            name: "import cycle", text: "syntax = \"proto3\";\nimport \"cycle/a.proto\";\n",
            code: .schemaError, line: 3, column: 1,
            message: "import cycle: cycle/a.proto -> cycle/b.proto -> cycle/a.proto",
            imports: [
                "cycle/a.proto": "syntax = \"proto3\";\nimport \"cycle/b.proto\";\n",
                "cycle/b.proto": "syntax = \"proto3\";\n\nimport \"cycle/a.proto\";\n",
            ],
            file: "cycle/b.proto"),
        ProtoParserErrorCase(
            name: "duplicate import",
            text:
                "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/any.proto\";\n",
            code: .schemaError, line: 3, column: 1, message: "listed twice"),
        ProtoParserErrorCase(
            name: "type from a file that is not imported",
            text: "syntax = \"proto3\";\nimport \"vis/b.proto\";\nmessage M {\n  vis.A a = 1;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "which is not imported by \"main.proto\"",
            imports: [
                "vis/a.proto": "syntax = \"proto3\";\npackage vis;\nmessage A {}\n",
                "vis/b.proto": "syntax = \"proto3\";\npackage vis;\nimport \"vis/a.proto\";\nmessage B { A a = 1; }\n",
            ]),
        ProtoParserErrorCase(
            name: "missing semicolon", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 1\n}\n",
            code: .syntaxError, line: 4, column: 1, message: "expected \";\""),
        ProtoParserErrorCase(
            name: "missing closing brace", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n",
            code: .syntaxError, line: 4, column: 1, message: "missing \"}\""),
        ProtoParserErrorCase(
            name: "unterminated string", text: "syntax = \"proto3\";\noption java_package = \"abc;\n",
            code: .syntaxError, line: 2, column: 28, message: "cannot cross line boundaries"),
        ProtoParserErrorCase(
            name: "invalid escape", text: "syntax = \"proto3\";\noption java_package = \"a\\qb\";\n",
            code: .syntaxError, line: 2, column: 25, message: "invalid escape"),
        ProtoParserErrorCase(
            name: "unclosed block comment", text: "syntax = \"proto3\";\n  /* never closed\nmessage A {}\n",
            code: .syntaxError, line: 2, column: 3, message: "block comment"),
        ProtoParserErrorCase(
            name: "number glued to a name", text: "syntax = \"proto3\";\nmessage A { int32 a = 1b; }\n",
            code: .syntaxError, line: 2, column: 24, message: "space between number and identifier"),
        ProtoParserErrorCase(
            name: "unknown syntax", text: "syntax = \"proto4\";\n",
            code: .syntaxError, line: 1, column: 10, message: "unrecognized syntax identifier \"proto4\""),
        ProtoParserErrorCase(
            name: "editions", text: "edition = \"2023\";\n",
            code: .syntaxError, line: 1, column: 1, message: "editions are not supported"),
        ProtoParserErrorCase(
            name: "statement at top level", text: "syntax = \"proto3\";\nint32 x = 1;\n",
            code: .syntaxError, line: 2, column: 1, message: "expected a top-level statement"),
        ProtoParserErrorCase(
            name: "proto2 field without label", text: "syntax = \"proto2\";\nmessage A {\n  int32 a = 1;\n}\n",
            code: .syntaxError, line: 3, column: 3, message: "expected \"required\", \"optional\", or \"repeated\""),
        ProtoParserErrorCase(
            name: "required in proto3", text: "syntax = \"proto3\";\nmessage A {\n  required int32 a = 1;\n}\n",
            code: .syntaxError, line: 3, column: 3, message: "required fields are not allowed in proto3"),
        ProtoParserErrorCase(
            name: "group in proto3", text: "syntax = \"proto3\";\nmessage A {\n  optional group G = 1 {}\n}\n",
            code: .syntaxError, line: 3, column: 12, message: "groups are not supported in proto3"),
        ProtoParserErrorCase(
            name: "lowercase group name", text: "syntax = \"proto2\";\nmessage A {\n  optional group g = 1 {}\n}\n",
            code: .syntaxError, line: 3, column: 18, message: "capital letter"),
        ProtoParserErrorCase(
            name: "label in oneof",
            text: "syntax = \"proto3\";\nmessage A {\n  oneof o {\n    optional int32 a = 1;\n  }\n}\n",
            code: .syntaxError, line: 4, column: 5, message: "fields in oneofs must not have labels"),
        ProtoParserErrorCase(
            name: "default in proto3", text: "syntax = \"proto3\";\nmessage A {\n  int32 a = 1 [default = 3];\n}\n",
            code: .schemaError, line: 3, column: 16, message: "explicit default values are not allowed in proto3"),
        ProtoParserErrorCase(
            name: "default of the wrong type",
            text: "syntax = \"proto2\";\nmessage A {\n  optional int32 a = 1 [default = \"x\"];\n}\n",
            code: .syntaxError, line: 3, column: 35, message: "Expected integer"),
        ProtoParserErrorCase(
            name: "default enum value that does not exist",
            text: "syntax = \"proto2\";\nenum E { A = 1; }\nmessage M {\n  optional E e = 1 [default = B];\n}\n",
            code: .schemaError, line: 4, column: 21, message: "has no value named \"B\""),
        ProtoParserErrorCase(
            name: "first enum value not zero in proto3", text: "syntax = \"proto3\";\nenum E {\n  ONE = 1;\n}\n",
            code: .schemaError, line: 3, column: 3, message: "first enum value must be zero"),
        ProtoParserErrorCase(
            name: "enum alias without allow_alias",
            text: "syntax = \"proto3\";\nenum E {\n  A = 0;\n  B = 0;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "allow_alias"),
        ProtoParserErrorCase(
            name: "JSON name clash in proto3",
            text: "syntax = \"proto3\";\nmessage A {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "JSON camel-case name"),
        ProtoParserErrorCase(
            name: "extension number outside the ranges",
            text:
                "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n}\n"
                + "extend A {\n  optional int32 x = 30;\n}\n",
            code: .schemaError, line: 6, column: 22, message: "does not declare 30 as an extension number"),
        ProtoParserErrorCase(
            name: "extension in proto3 of a non-options message",
            text:
                "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\n"
                + "extend google.protobuf.Any {\n  int32 x = 30;\n}\n",
            code: .schemaError, line: 4, column: 3, message: "only allowed for defining options"),
        ProtoParserErrorCase(
            name: "unknown option", text: "syntax = \"proto3\";\noption (nope) = 1;\n",
            code: .schemaError, line: 2, column: 8, message: "option \"(nope)\" unknown"),
        ProtoParserErrorCase(
            name: "unknown standard option",
            text: "syntax = \"proto3\";\nmessage A {\n  option no_such_option = true;\n}\n",
            code: .schemaError, line: 3, column: 10, message: "has no field \"no_such_option\""),
        ProtoParserErrorCase(
            name: "standard option of the wrong type", text: "syntax = \"proto3\";\noption java_package = 5;\n",
            code: .schemaError, line: 2, column: 23, message: "quoted string"),
        ProtoParserErrorCase(
            name: "enum option with an unknown value", text: "syntax = \"proto3\";\noption optimize_for = FAST;\n",
            code: .schemaError, line: 2, column: 23, message: "has no value named \"FAST\""),
        ProtoParserErrorCase(
            name: "option set twice",
            text: "syntax = \"proto3\";\noption java_package = \"a\";\noption java_package = \"b\";\n",
            code: .schemaError, line: 3, column: 8, message: "was already set"),
        ProtoParserErrorCase(
            name: "custom option out of range",
            text: "syntax = \"proto2\";\nimport \"opts.proto\";\nmessage M {\n  option (opts.level) = 2147483648;\n}\n",
            code: .schemaError, line: 4, column: 25, message: "out of range", imports: ["opts.proto": optionDefinitions]
        ),
        ProtoParserErrorCase(
            name: "message option without braces",
            text: "syntax = \"proto2\";\nimport \"opts.proto\";\nmessage M {\n  option (opts.box) = 3;\n}\n",
            code: .schemaError, line: 4, column: 23, message: "is a message", imports: ["opts.proto": optionDefinitions]
        ),
        ProtoParserErrorCase(
            name: "unknown field in a message literal",
            text:
                "syntax = \"proto2\";\nimport \"opts.proto\";\nmessage M {\n"
                + "  option (opts.box) = {\n    label: \"x\"\n    color: 3\n  };\n}\n",
            code: .schemaError, line: 6, column: 5, message: "has no field named \"color\"",
            imports: ["opts.proto": optionDefinitions]),
        ProtoParserErrorCase(
            name: "two members of a oneof in a message literal",
            text:
                "syntax = \"proto2\";\nimport \"opts.proto\";\nmessage M {\n  option (opts.box) = { a: 1 b: 2 };\n}\n",
            code: .schemaError, line: 4, column: 30, message: "another member of oneof \"o\"",
            imports: ["opts.proto": optionDefinitions]),
        ProtoParserErrorCase(
            name: "custom option without import",
            text: "syntax = \"proto2\";\nimport \"other.proto\";\nmessage M {\n  option (opts.level) = 1;\n}\n",
            code: .schemaError, line: 4, column: 10, message: "unknown",
            imports: [
                "opts.proto": optionDefinitions, "other.proto": "syntax = \"proto2\";\nimport \"opts.proto\";\n",
            ]),
        ProtoParserErrorCase(
            name: "packed on a string field",
            text: "syntax = \"proto2\";\nmessage M {\n  repeated string s = 1 [packed = true];\n}\n",
            code: .schemaError, line: 3, column: 3, message: "[packed = true] can only be specified"),
        ProtoParserErrorCase(
            name: "explicit map_entry", text: "syntax = \"proto3\";\nmessage M {\n  option map_entry = true;\n}\n",
            code: .schemaError, line: 3, column: 10, message: "map_entry should not be set explicitly"),
        ProtoParserErrorCase(
            name: "nesting too deep",
            text: "syntax = \"proto3\";\n" + String(repeating: "message A {", count: 150),
            code: .syntaxError, line: 2, column: 1112, message: "nested deeper than 100"),
    ]

    @Test(arguments: cases)
    func reportsError(_ errorCase: ProtoParserErrorCase) {
        var files = errorCase.imports
        files["main.proto"] = errorCase.text
        do {
            let parsed = try ProtoParser.parse(files: ["main.proto"], source: ProtoFileSource(files: files))
            Issue.record("expected an error, got \(parsed.files.count) files")
        } catch {
            #expect(error.code == errorCase.code, "\(error)")
            #expect(error.location?.line == errorCase.line, "\(error)")
            #expect(error.location?.column == errorCase.column, "\(error)")
            #expect(error.message.contains(errorCase.message), "\(error)")
            #expect(error.location?.file == errorCase.file, "\(error)")
        }
    }
}
