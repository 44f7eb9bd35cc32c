/// `.proto` inputs compared with protoc by ``ProtoParserEquivalenceTests``; together they cover every feature the
/// parser supports.
enum ProtoParserCases {
    static let all: [ProtoParserCase] = [proto2, proto3, customOptions, optionOrder, resolution, imports, comments]

    static let proto2 = ProtoParserCase(
        name: "proto2: groups, defaults, extensions, required",
        files: [
            "p2/outer.proto": #"""
            // No syntax statement: proto2, like protoc.
            package test.p2;
            option java_package = "com.example.p2";
            option optimize_for = CODE_SIZE;
            option cc_enable_arenas = false;

            message Outer {
              required int32 id = 1;
              optional string name = 2 [default = "hello \"world\"\n\t'x'"];
              optional bytes data = 3 [default = "\000\001\xff abc\\ \a\b\f\v\?"];
              optional float ratio = 4 [default = 0.1];
              optional double big = 5 [default = 1e300];
              optional double neg_inf = 6 [default = -inf];
              optional float not_a_number = 7 [default = nan];
              optional int64 min64 = 8 [default = -9223372036854775808];
              optional uint64 max64 = 9 [default = 18446744073709551615];
              optional sint32 hex = 10 [default = 0x7fffffff];
              optional fixed32 oct = 11 [default = 0777];
              optional bool flag = 12 [default = true];
              optional Color color = 13 [default = GREEN];
              repeated group Result = 14 {
                required string url = 15;
                optional string title = 16;
              }
              optional group Nested_Group = 17 { optional int32 x = 1; }
              repeated int32 packed_values = 18 [packed = true];
              repeated int32 unpacked_values = 19;
              enum Color { RED = 1; GREEN = 2; BLUE = -3; }
              extensions 100 to 199, 300 to max;
              extensions 250;
              reserved 20 to 30, 40;
              reserved "old_field", "older";
              optional double float_int = 31 [default = 5];
              optional sfixed64 sf = 32 [default = -1];
              optional string unicode = 33 [default = "h\u00e9llo \U0001F600 \xc3\xa9"];
              optional float tiny = 34 [default = 1.17549435e-38];
              optional double third = 35 [default = 0.3333333333333333];
              optional float negzero = 36 [default = -0.0];
              optional int32 neg_zero_int = 37 [default = -0];
              optional double exp = 38 [default = 12345678901234567890];
              optional float fl_exp = 39 [default = 3.4e38];
              optional double small = 41 [default = .5e-10];
              optional string cat = 42 [default = "con" 'cat' "enated"];
              optional uint32 u32 = 43 [default = 0xFFFFFFFF, deprecated = true];
              optional bytes empty_bytes = 44 [default = ""];
              optional Outer.Color qualified = 45 [default = BLUE];
            }

            extend Outer {
              optional int32 ext_int = 100;
              repeated string ext_strings = 101;
              optional group ExtGroup = 102 { optional int32 a = 1; }
            }

            message Container {
              extend Outer {
                optional Container nested_ext = 150;
                repeated Outer.Color colors = 151 [packed = true];
              }
              optional Outer.Color c = 1;
              oneof choice {
                int32 a = 2;
                string b = 3;
                group Chosen = 4 { optional int32 z = 1; }
              }
              map<string, Outer> outers = 5;
              map<int32, Top> tops_by_id = 6;
              optional string json = 7 [json_name = "customJson"];
              message WithSet {
                option message_set_wire_format = true;
                extensions 4 to max;
              }
            }

            enum Top {
              option allow_alias = true;
              T0 = 0;
              T_ZERO = 0 [deprecated = true];
              T1 = 1;
              T_NEG = -2147483648;
              reserved 5 to 10, 100 to max;
              reserved "T_OLD";
              ;
            }

            service LegacyService {
              rpc Do(Outer) returns (Container);
              rpc DoMore(.test.p2.Outer) returns (test.p2.Container) {}
              ;
            }
            """#
        ],
        roots: ["p2/outer.proto"])

    static let proto3 = ProtoParserCase(
        name: "proto3: maps, oneofs, optional, nested, enums, reserved, HTTP services",
        files: [
            "p3/items.proto": #"""
            syntax = "proto3";
            package test.p3;

            import "google/api/annotations.proto";
            import "google/protobuf/empty.proto";
            import "google/protobuf/timestamp.proto";
            import "google/protobuf/struct.proto";
            import "google/protobuf/wrappers.proto";

            message Item {
              string id = 1;
              optional int32 count = 2;
              optional Item parent = 3;
              repeated string tags = 4;
              repeated int64 numbers = 5;
              repeated int64 unpacked = 6 [packed = false];
              map<int32, string> m_int32 = 7;
              map<int64, string> m_int64 = 8;
              map<uint32, string> m_uint32 = 9;
              map<uint64, string> m_uint64 = 10;
              map<sint32, string> m_sint32 = 11;
              map<sint64, string> m_sint64 = 12;
              map<fixed32, string> m_fixed32 = 13;
              map<fixed64, string> m_fixed64 = 14;
              map<sfixed32, string> m_sfixed32 = 15;
              map<sfixed64, string> m_sfixed64 = 16;
              map<bool, Item> m_bool = 17;
              map<string, State> m_string = 18;
              map<string, google.protobuf.Timestamp> times = 19;
              oneof payload {
                string text = 20;
                bytes blob = 21;
                Nested nested = 22;
              }
              oneof other { double d = 23; float f = 24; }
              message Nested {
                enum Inner { INNER_UNSPECIFIED = 0; INNER_A = 1; }
                Inner inner = 1;
                .test.p3.Item.Nested self = 2;
                map<string, Nested> children = 3;
              }
              State state = 25;
              reserved 100, 200 to 300, 1000 to max;
              reserved "legacy", "older";
              oneof _count { string c1 = 27; }
              optional string _items = 28;
              google.protobuf.Struct meta = 29;
              google.protobuf.StringValue wrapped = 30;
              repeated Nested.Inner inners = 31;
              optional State maybe_state = 32;
              sint64 snake_case_field_2 = 33;
              bytes HTTPHeader = 34;
            }

            enum State {
              STATE_UNSPECIFIED = 0;
              STATE_ON = 1;
              STATE_OFF = 2;
              reserved 10 to 20;
              reserved "STATE_GONE";
            }

            message GetRequest { string id = 1; }

            service ItemService {
              rpc Get(GetRequest) returns (Item) {
                option (google.api.http) = { get: "/v1/items/{id}" };
              }
              rpc List(google.protobuf.Empty) returns (stream Item) {
                option (google.api.http) = {
                  get: "/v1/items"
                  additional_bindings { get: "/v1/{parent=shelves/*}/items" }
                  additional_bindings: { post: "/v1/items:search", body: "*" };
                };
              }
              rpc Create(stream Item) returns (Item) {
                option (google.api.http).post = "/v1/items";
                option (google.api.http).body = "*";
              }
              rpc Chat(stream Item) returns (stream Item);
              rpc Custom(Item) returns (google.protobuf.Empty) {
                option (google.api.http) = { custom { kind: "HEAD" path: "/v1/items/{id}" } };
                option deprecated = true;
                option idempotency_level = NO_SIDE_EFFECTS;
              }
              rpc Verb(Item) returns (Item) {
                option (google.api.http) = {
                  post: "/v1/items/{id}:archive" body: "item" response_body: "state"
                  additional_bindings < patch: '/v2/items/{id}' body: "*" >
                  additional_bindings: [{ delete: "/v3/items/{id}" }, { put: "/v4/items/{id}" }]
                };
              };
            }
            """#
        ],
        roots: ["p3/items.proto"])

    static let customOptions = ProtoParserCase(
        name: "custom options of every scalar and message type",
        files: [
            "opts/defs.proto": #"""
            syntax = "proto2";
            package test.opts;
            import "google/protobuf/descriptor.proto";

            message Rule {
              optional string name = 1;
              repeated int32 values = 2;
              optional Rule child = 3;
              optional Kind kind = 4;
              enum Kind { KIND_A = 1; KIND_B = 2; }
              repeated Rule rules = 5;
              optional group Grp = 6 { optional int32 g = 1; }
              extensions 100 to 199;
              map<string, int32> counts = 7;
              optional bytes raw = 8;
              optional double ratio = 9;
              optional bool flag = 10;
              repeated int32 packed_values = 11 [packed = true];
              optional float fraction = 12;
              optional uint64 big = 13;
              optional sint32 zig = 14;
              optional fixed64 fixed = 15;
              oneof pick { string left = 16; string right = 17; }
            }
            extend Rule { optional string rule_ext = 100; }

            message Proto3Like {
              optional int32 id = 1;
            }

            extend google.protobuf.FileOptions {
              optional string file_tag = 50000;
              optional Rule file_rule = 50001;
            }
            extend google.protobuf.MessageOptions {
              optional int32 o_int32 = 50000;
              optional int64 o_int64 = 50001;
              optional uint32 o_uint32 = 50002;
              optional uint64 o_uint64 = 50003;
              optional sint32 o_sint32 = 50004;
              optional sint64 o_sint64 = 50005;
              optional fixed32 o_fixed32 = 50006;
              optional fixed64 o_fixed64 = 50007;
              optional sfixed32 o_sfixed32 = 50008;
              optional sfixed64 o_sfixed64 = 50009;
              optional float o_float = 50010;
              optional double o_double = 50011;
              optional bool o_bool = 50012;
              optional string o_string = 50013;
              optional bytes o_bytes = 50014;
              optional Rule.Kind o_enum = 50015;
              optional Rule o_message = 50016;
              repeated int32 o_repeated = 50017;
              repeated Rule o_rules = 50018;
              optional group OGroup = 50019 { optional int32 v = 1; optional string w = 2; }
              optional float o_float_int = 50020;
              optional double o_double_neg = 50021;
            }
            extend google.protobuf.FieldOptions {
              optional Rule field_rule = 50000;
              optional bool sensitive = 50001;
            }
            extend google.protobuf.EnumOptions { optional string enum_tag = 50000; }
            extend google.protobuf.EnumValueOptions { optional string value_tag = 50000; }
            extend google.protobuf.ServiceOptions { optional string service_tag = 50000; }
            extend google.protobuf.MethodOptions { optional Rule method_rule = 50000; }
            extend google.protobuf.OneofOptions { optional int32 oneof_tag = 50000; }
            extend google.protobuf.ExtensionRangeOptions { optional string range_tag = 50000; }
            """#,
            "opts/use.proto": #"""
            syntax = "proto2";
            package test.opts.use;
            import "opts/defs.proto";

            option (test.opts.file_tag) = "file";
            option (test.opts.file_rule) = { name: "f" values: [1, 2, 3] child { name: "c" } kind: KIND_B };
            option java_multiple_files = true;

            message Annotated {
              option (test.opts.o_int32) = -42;
              option (test.opts.o_int64) = -9223372036854775808;
              option (.test.opts.o_uint32) = 4294967295;
              option (test.opts.o_uint64) = 18446744073709551615;
              option (test.opts.o_sint32) = -1;
              option (opts.o_sint64) = -2;
              option (test.opts.o_fixed32) = 7;
              option (test.opts.o_fixed64) = 8;
              option (test.opts.o_sfixed32) = -9;
              option (test.opts.o_sfixed64) = -10;
              option (test.opts.o_float) = 1.5;
              option (test.opts.o_double) = -2.25e-3;
              option (test.opts.o_bool) = true;
              option (test.opts.o_string) = "str" 'ing';
              option (test.opts.o_bytes) = "\x00\x01bytes\377";
              option (test.opts.o_enum) = KIND_B;
              option (test.opts.o_message) = {
                name: "m" values: 1 values: 2 child < name: "n" > ratio: 0.5 flag: true raw: "\001"
                [test.opts.rule_ext]: "e" Grp { g: 3 } counts { key: "a" value: 1 } counts { key: "b" value: 2 }
                packed_values: [4, 5] packed_values: 6 fraction: -inf big: 0xFFFFFFFFFFFFFFFF zig: -7 fixed: 9
                right: "r"
              };
              option (test.opts.o_repeated) = 1;
              option (test.opts.o_repeated) = 2;
              option (test.opts.o_rules) = { name: "r1" };
              option (test.opts.o_rules) = { name: "r2", kind: 1; flag: t };
              option (test.opts.ogroup).v = 5;
              option (test.opts.ogroup).w = "w";
              option (test.opts.o_float_int) = 3;
              option (test.opts.o_double_neg) = -1e-300;
              option deprecated = true;

              optional int32 f = 1 [
                (test.opts.field_rule).name = "fr", (test.opts.field_rule).kind = KIND_A,
                (test.opts.sensitive) = true, deprecated = true, json_name = "effe"
              ];
              optional int32 g = 2 [(test.opts.field_rule) = { values: [] rules: [{name: "a"}, {name: "b"}] }];
              oneof choice {
                option (test.opts.oneof_tag) = 3;
                int32 x = 3;
                string y = 4;
              }
              extensions 1000 to 1999, 3000 [(test.opts.range_tag) = "r"];
              optional float nf = 5 [(test.opts.field_rule).ratio = -12];
              optional double nd = 6 [
                (test.opts.field_rule).ratio = 1e400, (test.opts.field_rule).child.child.name = "deep"
              ];
              repeated int32 packed = 7 [packed = true, (test.opts.field_rule).values = 9];
            }

            enum E {
              option (test.opts.enum_tag) = "e";
              option deprecated = true;
              E0 = 0 [(test.opts.value_tag) = "zero", deprecated = true];
            }

            service S {
              option (test.opts.service_tag) = "s";
              option deprecated = true;
              rpc M(Annotated) returns (Annotated) {
                option (test.opts.method_rule) = { name: "m" };
                option (test.opts.method_rule).kind = KIND_A;
              }
            }
            """#,
        ],
        roots: ["opts/use.proto"])

    static let optionOrder = ProtoParserCase(
        name: "option order, proto3 option messages, text-format details",
        files: [
            "order/defs.proto": #"""
            syntax = "proto3";
            package order;
            import "google/protobuf/descriptor.proto";

            message Settings {
              string label = 1;
              repeated int32 sizes = 2;
              repeated string names = 3;
              bool on = 4;
              double weight = 5;
              Mode mode = 6;
              optional int32 maybe = 7;
              Settings inner = 8;
              map<string, Settings> children = 9;
              bytes blob = 10;
              oneof choice { string a = 11; int32 b = 12; }
              repeated Mode modes = 13;
              uint32 count = 14;
              int64 delta = 15;
            }
            enum Mode { MODE_UNSPECIFIED = 0; MODE_FAST = 1; MODE_SLOW = -1; }

            extend google.protobuf.MessageOptions {
              optional string first = 60001;
              int32 second = 60000;
              Settings settings = 60002;
              repeated string tags = 60003;
            }
            extend google.protobuf.FieldOptions {
              Settings field_settings = 60000;
              repeated Mode field_modes = 60001;
            }
            extend google.protobuf.FileOptions { string owner = 60000; }
            """#,
            "order/use.proto": #"""
            syntax = "proto3";
            package order.use;
            import "order/defs.proto";

            option (order.owner) = "team";
            option java_package = "com.example.order";
            option java_outer_classname = "OrderProto";
            option go_package = "example.com/order";
            option objc_class_prefix = "ORD";
            option csharp_namespace = "Example.Order";
            option swift_prefix = "ORD";
            option php_namespace = "Example\\Order";
            option ruby_package = "Example::Order";
            option cc_generic_services = true;
            option deprecated = true;

            message Reordered {
              option (order.tags) = "z";
              option (order.second) = 2;
              option deprecated = true;
              option (order.first) = "1";
              option (order.tags) = "a";
              option (order.settings).label = "late";
              option (order.settings).sizes = 3;
              option (order.settings).inner.label = "deep";
            }

            message Literals {
              option (order.settings) = {
                label: ""
                sizes: [1, -2, 0x10, 010]
                names: ["a", 'b' "c"]
                on: false
                weight: 0
                mode: MODE_UNSPECIFIED
                maybe: 0
                inner {}
                children [{ key: "k" value { on: True } }, { key: "" }]
                blob: "\x00\xff"
                a: ""
                modes: [MODE_FAST, 1, -1, MODE_SLOW, 7]
                count: 4294967295
                delta: -9223372036854775808
              };
              map<string, int32> counts = 1 [deprecated = true, (order.field_modes) = MODE_FAST];
              repeated int32 sizes = 2 [(order.field_settings) = { weight: 1e5 on: 1 inner: { weight: -0.0 } }];
              string s = 3 [ctype = CORD];
              sfixed64 s64 = 7 [jstype = JS_STRING];
              Literals lazy_child = 4 [lazy = true];
              optional string maybe = 5 [(order.field_settings).maybe = 0];
              int64 big = 6 [jstype = JS_NUMBER, (order.field_modes) = MODE_SLOW, (order.field_modes) = MODE_FAST];
            }
            """#,
        ],
        roots: ["order/use.proto"])

    static let resolution = ProtoParserCase(
        name: "relative type resolution",
        files: [
            "edge/base.proto": """
            syntax = "proto2";
            package a.b;
            message Baz { optional int32 v = 1; }
            message Foo { message Bar { optional int32 w = 1; } }
            """,
            "edge/other.proto": """
            syntax = "proto2";
            package a.b.d;
            message Qux { optional int32 q = 1; }
            """,
            "edge/main.proto": """
            syntax = "proto2";
            package a.b.c;
            import "edge/base.proto";
            import "edge/other.proto";

            enum status { S0 = 0; S1 = 1; }

            message Foo {
              message Bar { optional int32 x = 1; extensions 100 to 200; }
              optional Bar bar = 1;
              optional Foo.Bar bar2 = 2;
              optional c.Foo foo = 3;
              optional b.c.Foo foo2 = 4;
              optional .a.b.c.Foo foo3 = 5;
              optional Baz baz = 6;
              optional d.Qux qux = 7;
              optional .a.b.Foo.Bar outer_bar = 8;
              optional b.Foo.Bar outer_bar2 = 9;
            }

            message Outer2 {
              message Baz { optional int32 y = 1; }
              optional Baz inner = 1;
              optional .a.b.Baz outer = 2;
              optional b.Baz via_package = 3;
              optional int32 status = 4;
              optional status s = 5;
              message Deep { message Deeper { optional Baz z = 1; optional Deep up = 2; optional Outer2 top = 3; } }
              extend Foo.Bar { optional Deep.Deeper deep_ext = 100; }
            }

            extend Foo.Bar { optional Outer2 top_ext = 101; }
            extend .a.b.c.Foo.Bar { optional status status_ext = 102; }

            service Svc {
              rpc Call(Foo) returns (Outer2.Deep.Deeper);
              rpc Call2(b.Baz) returns (.a.b.d.Qux);
            }
            """,
        ],
        roots: ["edge/main.proto"])

    static let imports = ProtoParserCase(
        name: "imports across files and packages, public and weak",
        files: [
            "multi/a.proto": """
            syntax = "proto3";
            package multi.a;
            import public "multi/b.proto";
            message A { multi.b.B b = 1; }
            """,
            "multi/b.proto": """
            syntax = "proto3";
            package multi.b;
            import public "multi/shared.proto";
            message B { shared.Common common = 1; }
            """,
            "multi/shared.proto": """
            syntax = "proto3";
            package multi.shared;
            message Common { string note = 1; }
            """,
            "multi/w.proto": """
            syntax = "proto2";
            package multi.w;
            message W { optional int32 v = 1; }
            """,
            "multi/c.proto": """
            syntax = "proto3";
            package multi.c;
            import "multi/a.proto";
            import weak "multi/w.proto";
            import "google/protobuf/any.proto";
            message C {
              multi.b.B b = 1;
              multi.a.A a = 2;
              multi.shared.Common common = 3;
              multi.w.W w = 4;
              google.protobuf.Any any = 5;
            }
            """,
            "multi/d.proto": """
            syntax = "proto3";
            package multi.d;
            import "multi/c.proto";
            import "google/protobuf/api.proto";
            message D { multi.c.C c = 1; google.protobuf.Api api = 2; }
            """,
        ],
        roots: ["multi/d.proto", "multi/b.proto"])

    static let comments = ProtoParserCase(
        name: "comments, empty statements, odd spacing",
        files: [
            "misc/odd.proto": """
            \u{FEFF}/* leading block comment, after a byte order mark */ syntax/*x*/=  "proto3" ; // trailing
            ;;
            package   misc . odd ;
            option go_package="example.com/odd;odd";
            message   M{int32 a=1;/* inline */repeated   M   children=2;map < string , M > by_name = 3 ;}
            message map { int32 x = 1; }
            message UsesMap { map m = 1; map<string, map> mm = 2; }
            enum E{E_UNSPECIFIED=0;E_ONE=0x1;E_TWO=02;}
            """
        ],
        roots: ["misc/odd.proto"])
}
