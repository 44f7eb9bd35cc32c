#!/usr/bin/env python3
"""Writes the benchmark messages of shared/specs/benchmark-messages.md as Protobuf binary and JSON.

Outputs, next to this script:
  small.pb  / small.json   baseline.Simple
  medium.pb / medium.json  baseline.Nesting
  large.pb  / large.json   baseline.Nesting2

The schema comes from Descriptors/baseline.pb (a FileDescriptorSet) through the Python protobuf runtime's
descriptor pool, so no generated code is needed. Binary output is deterministic (map entries sorted by key);
JSON is json_format's proto3 mapping (lowerCamelCase names, int64 as strings, bytes as base64), made compact,
with UTF-8 left unescaped and map entries in key order so that reruns give identical files.

Run from anywhere: python3 Benchmarks/data/make_baseline_data.py
"""

import json
import pathlib
import sys

from google.protobuf import descriptor, descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = pathlib.Path(__file__).resolve().parent
DESCRIPTOR_SET = HERE.parent.parent / "Descriptors" / "baseline.pb"

COUNT = 16
# 17 bytes of UTF-8 (9 characters: two 3-byte CJK pairs, a comma and four control characters), twice.
TEXT = "你好,\b\n\r\t世界" * 2
BINARY = bytes(range(16)) * 2

INT8_MAX = 127
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
DOUBLE_MAX = sys.float_info.max


def load_classes():
    file_set = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in file_set.file:
        pool.Add(file)
    names = ("Simple", "Nesting", "Nesting2")
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"baseline.{name}")) for name in names}


def fill_simple(simple):
    simple.byte_field = INT8_MAX
    simple.i64_field = INT64_MAX
    simple.double_field = DOUBLE_MAX
    simple.i32_field = INT32_MAX
    simple.string_field = TEXT
    simple.binary_field = BINARY
    return simple


def fill_nesting(nesting):
    nesting.string = TEXT
    for _ in range(COUNT):
        fill_simple(nesting.list_simple.add())
    nesting.double = DOUBLE_MAX
    nesting.i32 = INT32_MAX
    nesting.list_i32.extend([INT32_MIN] * COUNT)
    nesting.i64 = INT64_MAX
    for i in range(COUNT):
        nesting.map_string_string[str(i)] = TEXT
    fill_simple(nesting.simple_struct)
    for i in range(COUNT):
        nesting.map_i32_i64[i] = INT64_MIN
    nesting.list_string.extend([TEXT] * COUNT)
    nesting.binary = BINARY
    for i in range(COUNT):
        nesting.map_i64_string[i] = TEXT
    nesting.list_i64.extend([INT64_MIN] * COUNT)
    nesting.byte = INT8_MAX
    for i in range(COUNT):
        fill_simple(nesting.map_string_simple[str(i)])
    return nesting


def fill_nesting2(nesting2):
    for i in range(COUNT):
        fill_nesting(nesting2.map_i64_nesting[i])
    for _ in range(COUNT):
        fill_nesting(nesting2.list_nesting.add())
    for _ in range(COUNT):
        fill_nesting(nesting2.set_nesting.add())
    fill_nesting(nesting2.nesting)
    nesting2.string = TEXT
    nesting2.i32 = INT32_MAX
    nesting2.double = DOUBLE_MAX
    nesting2.i64 = INT64_MAX
    nesting2.bool = True
    return nesting2


def sort_maps(value, message_type):
    """Orders the entries of every map in json_format's dict output by key (the runtime's map order varies)."""
    for field in message_type.fields:
        if field.json_name not in value or field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            entry_fields = field.message_type.fields_by_name
            numeric = entry_fields["key"].type != descriptor.FieldDescriptor.TYPE_STRING
            value_field = entry_fields["value"]
            entries = sorted(value[field.json_name].items(), key=lambda item: int(item[0]) if numeric else item[0])
            if value_field.message_type is not None:
                for _, entry in entries:
                    sort_maps(entry, value_field.message_type)
            value[field.json_name] = dict(entries)
        elif field.is_repeated:
            for element in value[field.json_name]:
                sort_maps(element, field.message_type)
        else:
            sort_maps(value[field.json_name], field.message_type)
    return value


def write(stem, message):
    binary = message.SerializeToString(deterministic=True)
    (HERE / f"{stem}.pb").write_bytes(binary)
    value = sort_maps(json_format.MessageToDict(message), message.DESCRIPTOR)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    (HERE / f"{stem}.json").write_text(text + "\n", encoding="utf-8")
    print(f"{stem}: {message.DESCRIPTOR.full_name}, {len(binary)} bytes binary, {len(text.encode())} bytes JSON")


def main():
    classes = load_classes()
    write("small", fill_simple(classes["Simple"]()))
    write("medium", fill_nesting(classes["Nesting"]()))
    write("large", fill_nesting2(classes["Nesting2"]()))


if __name__ == "__main__":
    main()
