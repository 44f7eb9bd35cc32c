// Benchmark shapes for Portico (Thrift side).
//
// The same messages exist in baseline.proto with the same field ids, so Thrift and
// Protobuf measurements can be compared with each other. Shapes, element counts and
// values are fixed by shared/specs/benchmark-messages.md: every list and map holds
// 16 elements, every string is the 17-character text "你好,\b\n\r\t世界" twice,
// every binary value is 0..15 twice.
//
// Naming: Simple uses the same snake_case names as baseline.proto. Most of Nesting's
// proto names (string, double, i32, i64, binary, byte) are reserved words in Thrift,
// so the Thrift structs use PascalCase instead; the JSON keys then have the same
// length as the lowerCamel keys of proto3 canonical JSON.
//
// Nesting's fields carry HTTP-mapping annotations (shared/specs/http-mapping.md) so
// the HTTP request -> Thrift path can be benchmarked on the medium message.

namespace go baseline
namespace py baseline
namespace cpp baseline

// Small message (about 114 bytes in Thrift binary).
struct Simple {
    1: byte byte_field       // benchmark value 127
    2: i64 i64_field         // max i64
    3: double double_field   // max double
    4: i32 i32_field         // max i32
    5: string string_field
    6: binary binary_field
}

// Target of trimming: Simple without fields 2, 4 and 5.
struct PartialSimple {
    1: byte byte_field
    3: double double_field
    6: binary binary_field
}

// Medium message (about 6.4 KB in Thrift binary).
// As a request of NestingMethod: String comes from a header, I32 from the path,
// ListI32 from the query, I64 from a cookie, everything else from the JSON body.
// As a reply: String and I64 go back as a header and a cookie, I32 becomes the
// HTTP status (so POST /baseline/nesting/200 echoes with status 200).
struct Nesting {
    1: string String (api.header = "String")
    2: list<Simple> ListSimple
    3: double Double
    4: i32 I32 (api.path = "i32", api.http_code = "")
    5: list<i32> ListI32 (api.query = "list_i32")    // 16 x min i32
    6: i64 I64 (api.cookie = "i64")
    7: map<string, string> MapStringString           // keys "0".."15"
    8: Simple SimpleStruct
    9: map<i32, i64> MapI32I64                       // values min i64
    10: list<string> ListString
    11: binary Binary
    12: map<i64, string> MapI64String
    13: list<i64> ListI64                            // 16 x min i64
    14: byte Byte
    15: map<string, Simple> MapStringSimple
}

// Target of trimming: fields 2, 8 and 15 of Nesting, with PartialSimple elements.
struct PartialNesting {
    2: list<PartialSimple> ListSimple
    8: PartialSimple SimpleStruct
    15: map<string, PartialSimple> MapStringSimple
}

// Large message (roughly 0.3 MB).
struct Nesting2 {
    1: map<i64, Nesting> MapI64Nesting
    2: list<Nesting> ListNesting
    3: set<Nesting> SetNesting
    4: Nesting Nesting
    5: string String
    6: i32 I32
    7: double Double
    8: i64 I64
    9: bool Bool
}

service BaselineService {
    Simple SimpleMethod(1: Simple req) (api.post = "/baseline/simple")
    PartialSimple PartialSimpleMethod(1: PartialSimple req) (api.post = "/baseline/partial-simple")
    Nesting NestingMethod(1: Nesting req) (api.post = "/baseline/nesting/:i32")
    Nesting2 Nesting2Method(1: Nesting2 req) (api.post = "/baseline/nesting2")
}
