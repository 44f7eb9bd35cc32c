import Testing

@testable import DynamicCodec

/// One set of `.thrift` sources, compared with the Apache compiler and used by the other parser tests.
struct ThriftParserCase: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    /// The files given to the parser; the others are reached through includes.
    var roots: [String]
    var testDescription: String { name }
}

/// IDL covering every feature the Apache compiler (0.17) accepts, so each can be compared with its output.
enum ThriftParserCases {
    static let all: [ThriftParserCase] = [features, chain]

    static let features = ThriftParserCase(
        name: "features: typedefs, consts, enums, structs, unions, exceptions, services, annotations",
        files: [
            "inc/shared.thrift": #"""
            // Included by common.thrift relative to its own directory.
            struct Shared {
                1: string text
            }
            """#,
            "inc/common.thrift": #"""
            include "shared.thrift"

            namespace * features.common
            namespace go features_common
            cpp_include "<vector>"

            typedef i64 Id
            typedef Id AccountId                      // a chain
            typedef list<AccountId> AccountIds        // to a container
            typedef map<string, AccountIds> Groups (typedef.note = "kept out of the schema")
            typedef shared.Shared SharedAlias

            enum Level {
                LOW,
                MEDIUM = 5;
                HIGH
                NEGATIVE = -10
                AFTER_NEGATIVE
                HEX = 0x20 (value.note = "hex")
                LAST
            } (enum.note = "levels")

            const i32 LIMIT = 100
            const i64 NEG_HEX = -0x10
            const Level DEFAULT_LEVEL = Level.MEDIUM
            const i64 MAX_I64 = 9223372036854775807
            const i64 MIN_I64 = -9223372036854775808

            struct Point {
                1: i32 x
                2: i32 y
                3: SharedAlias label
            } (cpp.type = "Point")

            exception Failure {
                1: string message
                2: i32 code = 500
            }

            service Base {
                void ping()
                i32 version() (api.get = "/version")
            }
            """#,
            "main.thrift": #"""
            /**
             * Every feature of the language that the Apache compiler accepts.
             */
            include "inc/common.thrift"
            namespace java com.example.features
            namespace py features

            # A hash comment; /* not a block */
            const double RATE = 1.5e2
            const double FROM_INT = 3
            const double SMALL = -2.5e-3
            const string SINGLE = 'single "quoted"'
            const string ESCAPED = "tab\tquote\"back\\slash"
            const bool YES = true
            const bool NO = false
            const list<i32> NUMBERS = [1, 2; 3 4]
            const set<string> NAMES = ["a", "b"]
            const map<string, common.Level> LEVELS = {"low": common.Level.LOW, "high": common.Level.HIGH}
            const i32 REF = common.LIMIT
            const common.Point ORIGIN = {"x": 0, "y": REF}
            const list<common.Point> PATH = [{"x": 1, "y": 2}, {"x": 3, "y": REF}]
            const map<i32, list<string>> NESTED = {1: ["x"], 2: []}
            const common.Level FROM_ENUM = common.Level.HEX
            const i32 ENUM_AS_INT = common.Level.LAST

            /* A block comment
               over two lines. */
            struct Node {
                1: required string name,
                2: optional list<Node> children;
                3: Tree tree
                4: common.Level level = common.Level.HIGH
                5: common.AccountIds ids
                6: i16 small = -3
                7: byte tiny = 0x7f
                8: i8 tiny2
                9: binary blob = "bytes"
                10: double ratio = 2
                11: bool flag = 1
                12: map<common.Id, set<common.Level>> index
                13: common.Point position = {"x": 1, "y": 2}
                14: string annotated (a = "1", b = "2", a = "3")
                15: list<i32> (cpp.template = "std::deque") deque
                16: map cpp_type "Foo" <string, string> custom
                17: i32 & reference
                18: common.Groups groups
                19: i32 from_const = common.LIMIT
                20: i32 flagged (deprecated)
                22: i64 big = common.MAX_I64
                32767: i64 last_id
            }

            struct Tree {
                1: Node root
                2: list<Tree> forest
                3: map<string, Tree> named
            }

            struct Implicit {
                string first
                2: string second
                string third
                0: string zero
                -7: string negative
            }

            union Choice {
                1: string text
                2: i64 number
                3: required common.Point point
            } (union.note = "one of")

            exception NotFound {
                1: string what (api.http_code = "404")
            }

            service Features extends common.Base {
                Node get(1: string name, 2: optional i32 depth = 3) throws (1: NotFound nf, 2: common.Failure failure)
                    (api.get = "/nodes/:name", api.serializer = "json")
                oneway void fire(1: Node node)
                void nothing()
                list<Node> search(1: string query; 2: required i32 limit) throws (5: NotFound nf)
                common.Id noIds(string a, string b)
            } (service.note = "features")

            service More extends Features {
                map<string, Tree> forest()
                common.Failure failureAsValue()
            }
            """#,
        ],
        roots: ["main.thrift"])

    /// Sibling includes declaring the same name, services extending across files, includes not transitive.
    static let chain = ThriftParserCase(
        name: "chain: same names in sibling includes, extends and throws across includes",
        files: [
            "chain/a.thrift": #"""
            include "b.thrift"
            include "c.thrift"

            struct Holder {
                1: b.Shared from_b
                2: c.Shared from_c
            }

            service A extends b.B {
                b.Shared get(1: Holder holder) throws (1: b.Oops oops)
            }
            """#,
            "chain/b.thrift": #"""
            include "base.thrift"

            struct Shared {
                1: base.Kind kind = base.Kind.TWO
                2: list<base.Kind> kinds = [base.Kind.ONE, base.Kind.TWO]
                3: i32 limit = base.LIMIT
            }

            exception Oops {
                1: base.Kind kind
            }

            service B extends base.C {
                void b()
            }
            """#,
            "chain/c.thrift": #"""
            struct Shared {
                1: i32 value
            }
            """#,
            "chain/base.thrift": #"""
            enum Kind {
                ONE = 1
                TWO
            }

            const Kind K = Kind.TWO
            const i32 LIMIT = 7

            service C {
                Kind c()
            }
            """#,
        ],
        roots: ["chain/a.thrift"])
}
