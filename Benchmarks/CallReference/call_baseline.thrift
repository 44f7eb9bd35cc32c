// The part of Descriptors/baseline.thrift the call benchmark's generated Apache Thrift client needs: Simple,
// Nesting and the two methods, with the same names, field ids and types, so the bytes on the wire are those of
// baseline.thrift. (The full file's Nesting2 does not compile with thrift --gen cpp; see
// Benchmarks/generate_reference_code.sh.) HTTP annotations are left out: they do not change the wire format.
namespace cpp baseline

struct Simple {
    1: byte byte_field
    2: i64 i64_field
    3: double double_field
    4: i32 i32_field
    5: string string_field
    6: binary binary_field
}

struct Nesting {
    1: string String
    2: list<Simple> ListSimple
    3: double Double
    4: i32 I32
    5: list<i32> ListI32
    6: i64 I64
    7: map<string, string> MapStringString
    8: Simple SimpleStruct
    9: map<i32, i64> MapI32I64
    10: list<string> ListString
    11: binary Binary
    12: map<i64, string> MapI64String
    13: list<i64> ListI64
    14: byte Byte
    15: map<string, Simple> MapStringSimple
}

service BaselineService {
    Simple SimpleMethod(1: Simple req)
    Nesting NestingMethod(1: Nesting req)
}
