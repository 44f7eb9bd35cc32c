#!/usr/bin/env python3
"""Writes the first seed inputs of each harness into Corpus/<harness>/seed-* (see docs/fuzzing.md).

Seeds come from the repository's data (Benchmarks/data, Descriptors/) and from small hand-made inputs; protobuf
seeds of the test schemas are encoded by protoc from text format. Each input starts with the harness's selector
byte (Tests/FuzzChecks/). After a fuzzing run, run.sh merges the corpus (-merge=1), so only seeds that add
coverage stay. Needs protoc (apt: protobuf-compiler).
"""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "Benchmarks", "data")
DESCRIPTORS = os.path.join(ROOT, "Descriptors")


def write(harness, name, data):
    directory = os.path.join(HERE, "Corpus", harness)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, "seed-" + name), "wb") as out:
        out.write(data)


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def protoc_encode(message, text):
    return subprocess.run(
        ["protoc", "-I", DESCRIPTORS, "--encode=" + message, "baseline.proto", "test/rich.proto",
         "test/rich2.proto", "test/wkt.proto"],
        input=text.encode(), capture_output=True, check=True).stdout


# Selector low nibble = index in FuzzSchemas.protoMessages / thriftStructs.
PROTO = {"baseline.Simple": 0, "baseline.Nesting": 1, "baseline.Nesting2": 2, "rich.Rich": 3, "rich2.Rich2": 4,
         "wkt.Everything": 5}
THRIFT = {"Simple": 0, "Nesting": 1, "Nesting2": 2, "Deep": 3, "Book": 4, "Availability": 5, "ListBooksRequest": 6}

PROTO_TEXT = {
    "rich.Rich": 'f_double: 1.5 f_float: -2 f_int32: -3 f_int64: 4 f_uint32: 5 f_uint64: 6 f_sint32: -7 '
                 'f_sint64: -8 f_fixed32: 9 f_fixed64: 10 f_sfixed32: -11 f_sfixed64: -12 f_bool: true '
                 'f_string: "h\\303\\251" f_bytes: "\\000\\377" f_enum: 1 f_nested { } r_int32: [1, -2, 3] '
                 'r_string: ["a", "b"] u_double: [1, 2] r_nested { } r_nested { }',
    "rich2.Rich2": 'id: 1 name: "n" sub { key: 2 label: "x" codes: [1, 2] } unpacked_int32: [1, 2] '
                   'packed_sint64: [-1, 1] subs { key: "k" value { key: 3 } } counters { key: 1 value: -1 } '
                   'Options { retries: 3 } Entry { key: "e" value: "v" Inner { stamp: 9 } } pick_string: "p" '
                   'next { id: 2 name: "m" sub { key: 1 } } [rich2.ext_int32]: 5 [rich2.ext_packed]: [1, -1]',
    "wkt.Everything": 'timestamp { seconds: 63 nanos: 21000000 } duration { seconds: -1 nanos: -500000000 } '
                      'double_value { value: 1.5 } int64_value { value: -5 } string_value { value: "s" } '
                      'struct_value { fields { key: "a" value { list_value { values { number_value: 1 } '
                      'values { null_value: NULL_VALUE } } } } } value { bool_value: true } '
                      'field_mask { paths: ["a.b", "foo_bar"] } empty { } '
                      'any { type_url: "type.googleapis.com/google.protobuf.Duration" value: "\\010\\001" } '
                      'r_timestamp { seconds: 1 } m_timestamp { key: "k" value { seconds: 2 } }',
}

PROTO_JSON = {
    "rich.Rich": '{"fDouble": 1.5, "fFloat": "NaN", "fInt64": "-4", "fUint64": "18446744073709551615", '
                 '"fBool": true, "fString": "h\\u00e9", "fBytes": "AP8=", "fEnum": "COLOR_RED", '
                 '"rInt32": [1, -2], "rNested": [{}, {}], "fNested": {}}',
    "rich2.Rich2": '{"id": 1, "name": "n", "sub": {"key": "2", "codes": [1]}, "subs": {"k": {"key": "3"}}, '
                   '"counters": {"1": "-1"}, "options": {"retries": 3}, "entry": [{"key": "e"}], "pickInt": 4}',
    "wkt.Everything": '{"timestamp": "1972-01-01T10:00:20.021Z", "duration": "-1.5s", "doubleValue": 1.5, '
                      '"int64Value": "-5", "bytesValue": "AQI=", "structValue": {"a": [1, null, "x", {"b": true}]}, '
                      '"value": null, "listValue": [1, "2"], "fieldMask": "a.b,fooBar", "empty": {}, '
                      '"any": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s"}, '
                      '"rTimestamp": ["2000-01-01T00:00:00+01:00"], "mDuration": {"k": "0.000000001s"}}',
}

THRIFT_JSON = {
    "Simple": '{"byte_field": 127, "i64_field": 9223372036854775807, "double_field": 1.5, "i32_field": -1, '
              '"string_field": "h\\u00e9", "binary_field": "AAECAw=="}',
    "Nesting": '{"String": "s", "ListSimple": [{"byte_field": 1}], "Double": 2.5, "I32": 3, "ListI32": [1, 2], '
               '"I64": -4, "MapStringString": {"a": "b"}, "SimpleStruct": {}, "MapI32I64": {"1": 2}, '
               '"ListString": ["x"], "Binary": "", "MapI64String": {"-1": "y"}, "ListI64": [5], "Byte": -1, '
               '"MapStringSimple": {"k": {"string_field": "v"}}}',
    "Nesting2": '{"MapI64Nesting": {"1": {}}, "ListNesting": [{}], "SetNesting": [{"I32": 1}], "Nesting": {}, '
                '"String": "s", "I32": 1, "Double": -0.0, "I64": 2, "Bool": true}',
    "Deep": '{"matrix": [[1, 2], []], "nested": {"5": ["a"]}, "groups": [{"a": [{"id": 1, "name": "n"}]}], '
            '"labels": {"k": ["v"]}, "buckets": [[1]], "table": {"t": {"1": {"id": 2}}}, "names": ["x"], '
            '"cube": [[[true, false]]], "count": 5, "leaf": {"tags": [1], "flag": true}, "blobs": [["AA=="]], '
            '"series": {"1": [1.5, "NaN"]}}',
    "Book": '{"id": "7", "title": "t", "authors": [{"name": "a"}], "genre": 1, "tags": ["x"], '
            '"prices": {"1": {"amount_micros": 1, "currency": "EUR"}}, "availability": {"stock": {"copies": 1}}, '
            '"rating": 4.5, "ISBN": "i", "edition": 2, "page_index": {"c": [1]}, "in_print": false}',
    "Availability": '{"out_of_print_reason": "gone"}',
    "ListBooksRequest": '{"shelf": 1, "page_size": 10, "genres": [1, 2], "tags": ["a"]}',
}


def thrift_binary_message(name, kind, seq, payload):
    return struct.pack(">II", 0x80010000 | kind, len(name)) + name + struct.pack(">i", seq) + payload


def thrift_compact_message(name, kind, seq, payload):
    def varint(n):
        out = b""
        while True:
            byte = n & 0x7F
            n >>= 7
            if n:
                out += bytes([byte | 0x80])
            else:
                return out + bytes([byte])
    return bytes([0x82, (kind << 5) | 1]) + varint(seq) + varint(len(name)) + name + payload


def ttheader(payload, seq=1, protocol=0, strings=(), ints=(), acl=None):
    header = bytes([protocol, 0])
    if strings:
        header += b"\x01" + struct.pack(">H", len(strings))
        for key, value in strings:
            header += struct.pack(">H", len(key)) + key + struct.pack(">H", len(value)) + value
    if ints:
        header += b"\x10" + struct.pack(">H", len(ints))
        for key, value in ints:
            header += struct.pack(">HH", key, len(value)) + value
    if acl is not None:
        header += b"\x11" + struct.pack(">H", len(acl)) + acl
    while len(header) % 4:
        header += b"\x00"
    body = struct.pack(">HHiH", 0x1000, 0, seq, len(header) // 4) + header + payload
    return struct.pack(">I", len(body)) + body


def kitex_envelope(name, kind, seq, payload):
    return struct.pack(">II", 0x90010000 | kind, len(name)) + name + struct.pack(">i", seq) + payload


def event(kind, payload=b"", version=3):
    return struct.pack(">IHBB", 8 + len(payload), 0x7758, version, kind) + payload


def main():
    small_pb, medium_pb = read(DATA, "small.pb"), read(DATA, "medium.pb")
    for flags in (0, 0x10, 0x20, 0x40):
        write("FuzzProtobufBinary", "small-%02x" % flags, bytes([PROTO["baseline.Simple"] | flags]) + small_pb)
    write("FuzzProtobufBinary", "medium", bytes([PROTO["baseline.Nesting"]]) + medium_pb)
    write("FuzzProtobufBinary", "empty-nesting2", bytes([PROTO["baseline.Nesting2"]]))
    for message, text in PROTO_TEXT.items():
        write("FuzzProtobufBinary", message, bytes([PROTO[message]]) + protoc_encode(message, text))

    write("FuzzProtoJSON", "small", bytes([PROTO["baseline.Simple"]]) + read(DATA, "small.json"))
    write("FuzzProtoJSON", "medium", bytes([PROTO["baseline.Nesting"]]) + read(DATA, "medium.json"))
    write("FuzzProtoJSON", "medium-names", bytes([PROTO["baseline.Nesting"] | 0x20]) + read(DATA, "medium.json"))
    for message, text in PROTO_JSON.items():
        write("FuzzProtoJSON", message, bytes([PROTO[message]]) + text.encode())

    simple_struct = read(DATA, "thrift-small.binary")
    for protocol, harness in (("binary", "FuzzThriftBinary"), ("compact", "FuzzThriftCompact")):
        small, medium = read(DATA, "thrift-small." + protocol), read(DATA, "thrift-medium." + protocol)
        write(harness, "small", bytes([THRIFT["Simple"]]) + small)
        write(harness, "small-json-flags", bytes([THRIFT["Simple"] | 0xE0]) + small)
        write(harness, "medium", bytes([THRIFT["Nesting"]]) + medium)
        write(harness, "empty-deep", bytes([THRIFT["Deep"], 0]))
        message = (thrift_binary_message if protocol == "binary" else thrift_compact_message)(
            b"SimpleMethod", 1, 7, small)
        write(harness, "message", bytes([0x10]) + message)
    write("FuzzThriftBinary", "message-nonstrict",
          bytes([0x10]) + struct.pack(">I", 4) + b"echo" + b"\x01" + struct.pack(">i", 3) + simple_struct)

    for name, text in THRIFT_JSON.items():
        write("FuzzThriftJSON", name, bytes([THRIFT[name]]) + text.encode())
        write("FuzzThriftJSON", name + "-compact", bytes([THRIFT[name] | 0x10]) + text.encode())
    write("FuzzThriftJSON", "Book-options", bytes([THRIFT["Book"] | 0xE0]) + THRIFT_JSON["Book"].encode())

    for name in ("baseline.proto", "bookstore.proto", "demo/inventory.proto", "bench/echo.proto",
                 "test/rich.proto", "test/rich2.proto", "test/wkt.proto"):
        write("FuzzProtoIDL", name.replace("/", "-"), read(DESCRIPTORS, name))
    write("FuzzProtoIDL", "import-dep",
          'syntax = "proto3"; import "dep.proto"; message M { dep.D d = 1; dep.E e = 2; oneof o { int32 a = 3; } }')
    for name in ("baseline.thrift", "bookstore.thrift", "bookstore_common.thrift", "test/nested.thrift"):
        write("FuzzThriftIDL", name.replace("/", "-"), read(DESCRIPTORS, name))
    write("FuzzThriftIDL", "include-dep",
          'include "dep.thrift"\nstruct S { 1: dep.D d = {"x": 1}; 2: required dep.E e }\n'
          'service T extends dep.Base { oneway void f(1: S s) }')

    small_binary = read(DATA, "thrift-small.binary")
    small_compact = read(DATA, "thrift-small.compact")
    binary_message = thrift_binary_message(b"Echo", 1, 9, small_binary)
    compact_message = thrift_compact_message(b"Echo", 2, 9, small_compact)
    write("FuzzEnvelopes", "ttheader", bytes([0]) + ttheader(
        binary_message, strings=((b"k", b"v"),), ints=((3, b"svc"), (9, b"Echo")), acl=b"token"))
    write("FuzzEnvelopes", "framed-binary", bytes([1]) + struct.pack(">I", len(binary_message)) + binary_message * 1)
    write("FuzzEnvelopes", "framed-compact", bytes([1 | 8]) + struct.pack(">I", len(compact_message)) + compact_message)
    write("FuzzEnvelopes", "buffered-binary", bytes([2]) + binary_message + binary_message)
    write("FuzzEnvelopes", "buffered-compact", bytes([2 | 8]) + compact_message)
    write("FuzzEnvelopes", "ttheader-codec", bytes([3]) + ttheader(binary_message, ints=((12, b"1000"),)))
    kitex = kitex_envelope(b"Echo", 1, 5, small_pb)
    write("FuzzEnvelopes", "ttheader-kitex",
          bytes([3 | 0x10]) + ttheader(struct.pack(">I", len(kitex)) + kitex, protocol=0))
    write("FuzzEnvelopes", "kitex-protobuf", bytes([4]) + struct.pack(">I", len(kitex)) + kitex)
    write("FuzzEnvelopes", "small-framings", bytes([5]) + kitex)
    write("FuzzEnvelopes", "grpc", bytes([6]) + b"\x00" + struct.pack(">I", len(small_pb)) + small_pb)

    requests = [
        (0, "/v1/shelves?page_size=10&page_token=abc", [], ""),
        (1, "/v1/shelves", ["Content-Type: application/json"], '{"theme": "t", "labels": {"a": "b"}}'),
        (0, "/v1/shelves/1/books/7?x.y=1", [], ""),
        (3, "/v1/shelves/1/books/7", ["Content-Type: application/json"], '{"title": "t", "authors": []}'),
        (1, "/v1/shelves/1/books/7:publish", ["Content-Type: application/json"], "{}"),
        (1, "/v1/inventory/dune-1965:transfer", [], '{"delta": 1}'),
        (0 | 0x20, "/v1/inventory:relay", [], '{"sku": "x"}'),
        (1, "/bookstore.v1.Bookstore/GetShelf", ["Content-Type: application/json"], '{"shelf": "1"}'),
        (0x40, "/v1/shelves/1/books?genre=1&genre=2&tag=a", ["Accept-Language: fr", "Cookie: session=s; a=1"], ""),
        (0x40 | 1, "/v1/shelves", ["Authorization: x", "Cookie: session=abc"], '{"theme": "t", "labels": {}}'),
        (0x40 | 1, "/v1/shelves/1/books/2/reviews", ["Content-Type: application/x-www-form-urlencoded"],
         "rating=5&text=a%20b+c"),
        (0x40 | 2, "/v1/shelves/1/books/2/cover", ["Content-Type: image/png"], "\x89PNG"),
        (0x40, "/v1/assets/a/b%2Fc.txt", [], ""),
        (0x40 | 0x08 | 1, "/BookstoreAdmin/Reindex", [], '{"req": {"shelf": 3}}'),
        (0x40, "/admin/v1/export?since=12", ["Authorization: t"], ""),
    ]
    for index, (selector, target, headers, body) in enumerate(requests):
        write("FuzzHTTPMapping", "request-%02d" % index,
              bytes([selector]) + "\n".join([target] + headers + ["", body]).encode())

    write("FuzzShmIPCEvents", "handshake", bytes([0]) + event(4, b"\x03") + event(6) + event(7)
          + event(5, struct.pack(">H", 5) + b"queue" + struct.pack(">H", 6) + b"buffer"))
    write("FuzzShmIPCEvents", "session", bytes([1]) + event(1) + event(3, struct.pack(">II", 5, 0) + b"data")
          + event(2, struct.pack(">I", 5)) + event(8, struct.pack(">II", 1, 2)) + event(9, b"\0" * 8))
    write("FuzzShmIPCEvents", "file-paths",
          bytes([0]) + event(0, struct.pack(">H", 10) + b"/dev/shm/q" + struct.pack(">H", 2) + b"/b", version=2))


if __name__ == "__main__":
    sys.exit(main())
