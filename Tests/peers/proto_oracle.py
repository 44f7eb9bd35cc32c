#!/usr/bin/env python3
"""Oracle for Portico's DynamicCodec: random Protobuf messages built and edited by the Python runtime.

The schema is loaded at run time from a descriptor set (`protoc --include_imports -o`); no generated code.

  generate --descriptors SET --type rich.Rich --count N --seed S --out DIR [--scramble P [--oneof-decoys]]
      Writes DIR/manifest.json and, per message, DIR/<name>.bin (the encoded message) plus, per edit step,
      DIR/<name>.edit<J>.expected.bin (the message after the first J+1 edits, applied by Python reflection).
      The manifest lists every present leaf with its path in Portico syntax and its expected value, some absent
      paths, and the edit operations. With --scramble, that fraction of the messages is re-encoded into
      non-canonical bytes that parse to the same message (see Scrambler).
  check --descriptors SET --in DIR
      For every edit step, parses DIR/<name>.edit<J>.actual.bin (written by Portico) and the expected message and
      compares them; prints each mismatch and exits 1 if there is any. A `<actual>.skip` file ends a message's
      sequence without failing (an edit Portico cannot express, reported on the Swift side).

Value encoding in the manifest: integers and enums as decimal strings, bools as "true"/"false", strings as JSON
strings, bytes as base64, floats and doubles as their IEEE bit pattern in hex ("bits") next to float.hex() ("value").
"""

import argparse
import base64
import difflib
import json
import math
import os
import random
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
from google.protobuf.descriptor import FieldDescriptor as FD

TYPE_NAMES = {
    FD.TYPE_DOUBLE: "double", FD.TYPE_FLOAT: "float", FD.TYPE_INT32: "int32", FD.TYPE_INT64: "int64",
    FD.TYPE_UINT32: "uint32", FD.TYPE_UINT64: "uint64", FD.TYPE_SINT32: "sint32", FD.TYPE_SINT64: "sint64",
    FD.TYPE_FIXED32: "fixed32", FD.TYPE_FIXED64: "fixed64", FD.TYPE_SFIXED32: "sfixed32",
    FD.TYPE_SFIXED64: "sfixed64", FD.TYPE_BOOL: "bool", FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes",
    FD.TYPE_ENUM: "enum", FD.TYPE_MESSAGE: "message", FD.TYPE_GROUP: "group",
}
SIGNED32 = {FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32}
SIGNED64 = {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64}
UNSIGNED32 = {FD.TYPE_UINT32, FD.TYPE_FIXED32}
UNSIGNED64 = {FD.TYPE_UINT64, FD.TYPE_FIXED64}
MESSAGE_TYPES = {FD.TYPE_MESSAGE, FD.TYPE_GROUP}

FLOAT32_EDGES = [0.0, -0.0, math.nan, math.inf, -math.inf, 1.0, -1.5, 3.4028234663852886e38, -3.4028234663852886e38,
                 1.401298464324817e-45, 1.1754943508222875e-38, 16777217.0, 0.1]
DOUBLE_EDGES = [0.0, -0.0, math.nan, math.inf, -math.inf, 1.0, -2.5, 1.7976931348623157e308, -1.7976931348623157e308,
                5e-324, 2.2250738585072014e-308, 1e300, 1e-300, 9007199254740993.0, 0.1]
STRING_EDGES = ["", "a", "hello world", "d\u00e9j\u00e0 vu", "\u4e2d\u6587", "\U0001F600 emoji", "quote\"back\\slash",
                "line\nbreak\ttab\rcr", "\x00nul", "\u00ff\u0100\u07ff\u0800\uffff\U00010000\U0010FFFF"]


def load_pool(path):
    with open(path, "rb") as handle:
        descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_set.file:
        pool.Add(file)
    return pool


def message_class(pool, name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def is_map(fd):
    return fd.type == FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry


def is_real_oneof(fd):
    oneof = fd.containing_oneof
    return oneof is not None and not (len(oneof.fields) == 1 and oneof.name == "_" + fd.name)


def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


# MARK: Paths

def format_key(key, key_fd):
    if key_fd.type == FD.TYPE_BOOL:
        return "true" if key else "false"
    if key_fd.type == FD.TYPE_STRING:
        # As FieldPath.description writes keys: JSON escapes, \uXXXX for other control characters and U+2028/9.
        short = {"\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
        escaped = "".join(short[ch] if ch in short
                          else "\\u%04X" % ord(ch) if ord(ch) < 0x20 or ord(ch) in (0x7F, 0x2028, 0x2029)
                          else ch for ch in key)
        return "\"" + escaped + "\""
    return str(key)


def format_path(steps):
    """Steps are ("f", fd), ("i", index) or ("k", key, key_fd); the text is Portico's FieldPath syntax."""
    out = ""
    for step in steps:
        if step[0] == "f":
            out += ("." if out else "") + step[1].name
        elif step[0] == "i":
            out += "[%d]" % step[1]
        else:
            out += "[" + format_key(step[1], step[2]) + "]"
    return out


# MARK: Values

def float_bits(value, type_):
    if type_ == FD.TYPE_FLOAT:
        return "0x%08x" % struct.unpack("<I", struct.pack("<f", value))[0]
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", value))[0]


def encode_value(fd, value):
    """The manifest form of a scalar value of field `fd`."""
    entry = {"type": TYPE_NAMES[fd.type]}
    if fd.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
        entry["value"] = float.hex(value)
        entry["bits"] = float_bits(value, fd.type)
    elif fd.type == FD.TYPE_BOOL:
        entry["value"] = "true" if value else "false"
    elif fd.type == FD.TYPE_STRING:
        entry["value"] = value
    elif fd.type == FD.TYPE_BYTES:
        entry["value"] = base64.b64encode(value).decode("ascii")
    else:
        entry["value"] = str(int(value))
    return entry


class Generator:
    """Random values and messages, biased towards edge cases."""

    def __init__(self, rng):
        self.rng = rng

    def integer(self, type_):
        rng = self.rng
        if type_ in SIGNED32 or type_ == FD.TYPE_ENUM:
            low, high = -(1 << 31), (1 << 31) - 1
        elif type_ in SIGNED64:
            low, high = -(1 << 63), (1 << 63) - 1
        elif type_ in UNSIGNED32:
            low, high = 0, (1 << 32) - 1
        else:
            low, high = 0, (1 << 64) - 1
        roll = rng.random()
        if roll < 0.3:
            return rng.choice([low, high, 0, 1, max(low, -1), 127, 128, 16383, 16384, min(high, 1 << 31),
                               max(low, -(1 << 31)), high - 1, low + 1])
        if roll < 0.6:
            bits = rng.randint(1, 64)
            value = rng.randint(0, (1 << bits) - 1)
            if low < 0 and rng.random() < 0.5:
                value = -value
            return max(low, min(high, value))
        return rng.randint(low, high)

    def floating(self, type_):
        rng = self.rng
        if rng.random() < 0.35:
            return rng.choice(FLOAT32_EDGES if type_ == FD.TYPE_FLOAT else DOUBLE_EDGES)
        value = rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
        if type_ == FD.TYPE_FLOAT:
            value = struct.unpack("<f", struct.pack("<f", value))[0]
        return value

    def string(self):
        rng = self.rng
        if rng.random() < 0.4:
            return rng.choice(STRING_EDGES)
        length = rng.choice([0, 1, 2, 5, 10, 30, rng.randint(0, 200)])
        pools = [(0x20, 0x7E), (0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFD),
                 (0x10000, 0x10FFFF)]
        chars = []
        for _ in range(length):
            low, high = rng.choice(pools)
            chars.append(chr(rng.randint(low, high)))
        return "".join(chars)

    def bytes_value(self):
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice([b"", b"\x00", b"\xff\xfe", b"\x80abc", bytes(range(256))])
        return bytes(rng.randint(0, 255) for _ in range(rng.choice([0, 1, 3, 16, rng.randint(0, 300)])))

    def enum(self, fd):
        enum_type = fd.enum_type
        if not enum_type.is_closed and self.rng.random() < 0.15:
            return self.integer(FD.TYPE_ENUM)   # an open enum keeps unknown numbers
        return self.rng.choice(enum_type.values).number

    def scalar(self, fd):
        type_ = fd.type
        if type_ in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
            return self.floating(type_)
        if type_ == FD.TYPE_BOOL:
            return self.rng.random() < 0.5
        if type_ == FD.TYPE_STRING:
            return self.string()
        if type_ == FD.TYPE_BYTES:
            return self.bytes_value()
        if type_ == FD.TYPE_ENUM:
            return self.enum(fd)
        return self.integer(type_)

    def count(self):
        rng = self.rng
        return rng.choice([0, 1, 1, 2, 3, 5, rng.randint(0, 20), 20])

    # MARK: Unknown fields

    def unknown_numbers(self, descriptor):
        known = set(descriptor.fields_by_number)
        candidates = [7, 8, 9, 19, 20, 38, 39, 55, 60, 80, 83, 99, 121, 500, 999, 2046, 2048, 16383, 16384, 100000,
                      262142, 536870910]
        out = []
        for number in candidates:
            if number in known or any(low <= number < high for low, high in descriptor.extension_ranges):
                continue
            if any(r.start <= number < r.end for r in reserved_ranges(descriptor)):
                continue
            out.append(number)
        return out

    def unknown_field(self, number, depth=0):
        rng = self.rng
        wire_type = rng.choice([0, 1, 2, 5, 3] if depth < 2 else [0, 1, 2, 5])
        out = bytearray(varint(number << 3 | wire_type))
        if wire_type == 0:
            out += varint(self.integer(FD.TYPE_UINT64))
        elif wire_type == 1:
            out += bytes(rng.randint(0, 255) for _ in range(8))
        elif wire_type == 5:
            out += bytes(rng.randint(0, 255) for _ in range(4))
        elif wire_type == 2:
            payload = self.bytes_value()
            out += varint(len(payload)) + payload
        else:
            for _ in range(rng.randint(0, 3)):
                out += self.unknown_field(rng.randint(1, 1000), depth + 1)
            out += varint(number << 3 | 4)
        return bytes(out)

    def add_unknown_fields(self, message):
        numbers = self.unknown_numbers(message.DESCRIPTOR)
        if not numbers:
            return
        raw = b"".join(self.unknown_field(self.rng.choice(numbers)) for _ in range(self.rng.randint(1, 3)))
        message.MergeFromString(raw)

    # MARK: Messages

    def fill(self, message, depth, max_depth, budget, pool):
        """Sets random fields of `message`; recursion stops at `max_depth`; `budget` (a one-element list) caps
        the number of values in the whole message."""
        rng = self.rng
        descriptor = message.DESCRIPTOR
        presence = 0.45 if depth == 0 else max(0.08, 0.3 - 0.04 * depth)
        fields = list(descriptor.fields)
        rng.shuffle(fields)
        oneof_done = set()
        recursive_wanted = depth < max_depth
        for fd in fields:
            if fd.is_required:
                self.fill_field(message, fd, depth, max_depth, budget, pool)
                continue
            if budget[0] <= 0:
                break
            recursive = fd.type in MESSAGE_TYPES and self.recursive(fd)
            if recursive and not recursive_wanted:
                continue
            if is_real_oneof(fd):
                if fd.containing_oneof.name in oneof_done:
                    continue
                if rng.random() < 0.5:
                    oneof_done.add(fd.containing_oneof.name)
                    self.fill_field(message, fd, depth, max_depth, budget, pool)
                continue
            # A deep message keeps one recursive path alive at every level.
            force = recursive and max_depth >= 6 and rng.random() < 0.35
            if force or rng.random() < presence:
                self.fill_field(message, fd, depth, max_depth, budget, pool)
        if rng.random() < 0.15:
            self.add_unknown_fields(message)
        if descriptor.extension_ranges and depth < 3:
            self.fill_extensions(message, pool)

    @staticmethod
    def recursive(fd):
        """Whether message field `fd` leads back to the message that holds it (recursion)."""
        seen = set()
        stack = [fd.message_type]
        while stack:
            current = stack.pop()
            if current.full_name in seen:
                continue
            seen.add(current.full_name)
            if current.full_name == fd.containing_type.full_name:
                return True
            for sub in current.fields:
                if sub.type in MESSAGE_TYPES:
                    stack.append(sub.message_type)
        return False

    def fill_field(self, message, fd, depth, max_depth, budget, pool):
        if is_map(fd):
            container = getattr(message, fd.name)
            key_fd = fd.message_type.fields_by_name["key"]
            value_fd = fd.message_type.fields_by_name["value"]
            for _ in range(self.count()):
                key = self.scalar(key_fd)
                budget[0] -= 1
                if value_fd.type in MESSAGE_TYPES:
                    self.fill_message(container[key], depth + 1, max_depth, budget, pool)
                else:
                    container[key] = self.scalar(value_fd)
            return
        if fd.is_repeated:
            container = getattr(message, fd.name)
            for _ in range(self.count() if depth < 4 else min(self.count(), 3)):
                budget[0] -= 1
                if fd.type in MESSAGE_TYPES:
                    self.fill_message(container.add(), depth + 1, max_depth, budget, pool)
                else:
                    container.append(self.scalar(fd))
            return
        budget[0] -= 1
        if fd.type in MESSAGE_TYPES:
            self.fill_message(getattr(message, fd.name), depth + 1, max_depth, budget, pool)
        else:
            setattr(message, fd.name, self.scalar(fd))

    def fill_message(self, message, depth, max_depth, budget, pool):
        message.SetInParent()
        self.fill(message, depth, max_depth, budget, pool)

    def fill_extensions(self, message, pool):
        rng = self.rng
        for extension in extensions_of(message.DESCRIPTOR, pool):
            if rng.random() > 0.3:
                continue
            if extension.is_repeated:
                container = message.Extensions[extension]
                for _ in range(rng.randint(0, 5)):
                    if extension.type in MESSAGE_TYPES:
                        self.fill_message(container.add(), 5, 5, [10], pool)   # small, no recursion
                    else:
                        container.append(self.scalar(extension))
            elif extension.type in MESSAGE_TYPES:
                self.fill_message(message.Extensions[extension], 5, 5, [10], pool)
            else:
                message.Extensions[extension] = self.scalar(extension)

    def message(self, cls, pool):
        message = cls()
        max_depth = self.rng.choice([0, 1, 2, 2, 3, 4, 8])
        budget = [self.rng.choice([10, 40, 120, 300])]
        self.fill(message, 0, max_depth, budget, pool)
        return message


def reserved_ranges(descriptor):
    proto = descriptor_pb2.DescriptorProto()
    descriptor.CopyToProto(proto)
    return proto.reserved_range


def extensions_of(descriptor, pool):
    """Extensions of `descriptor` declared in its own file (at file scope or inside a top-level message)."""
    file = pool.FindFileByName(descriptor.file.name)
    out = [ext for ext in file.extensions_by_name.values() if ext.containing_type == descriptor]
    for message_type in file.message_types_by_name.values():
        out += [ext for ext in message_type.extensions if ext.containing_type == descriptor]
    return out


# MARK: Expectations

def walk(message, prefix, out, absent=True):
    """Appends (steps, kind, fd, value) for every present value below `message`, and some absent paths."""
    present = set()
    for fd, value in message.ListFields():
        if fd.is_extension:
            continue   # extensions read as unknown fields through the message's own descriptor
        present.add(fd.number)
        steps = prefix + [("f", fd)]
        if is_map(fd):
            key_fd = fd.message_type.fields_by_name["key"]
            value_fd = fd.message_type.fields_by_name["value"]
            out.append((steps, "map", fd, len(value)))
            for key in sorted(value):
                entry_steps = steps + [("k", key, key_fd)]
                if value_fd.type in MESSAGE_TYPES:
                    out.append((entry_steps, "message", value_fd, None))
                    walk(value[key], entry_steps, out, absent)
                else:
                    out.append((entry_steps, "scalar", value_fd, value[key]))
        elif fd.is_repeated:
            out.append((steps, "list", fd, len(value)))
            for index, element in enumerate(value):
                element_steps = steps + [("i", index)]
                if fd.type in MESSAGE_TYPES:
                    out.append((element_steps, "message", fd, None))
                    walk(element, element_steps, out, absent)
                else:
                    out.append((element_steps, "scalar", fd, element))
            out.append((steps + [("i", len(value))], "absent", fd, None))
        elif fd.type in MESSAGE_TYPES:
            out.append((steps, "message", fd, None))
            walk(value, steps, out, absent)
        else:
            out.append((steps, "scalar", fd, value))
    # Absent paths near the root only: deeper levels repeat the same checks.
    if not absent or len(prefix) > 1:
        return
    for fd in message.DESCRIPTOR.fields:
        if fd.number in present:
            continue
        if is_map(fd):
            key_fd = fd.message_type.fields_by_name["key"]
            key = {FD.TYPE_BOOL: True, FD.TYPE_STRING: "absent"}.get(key_fd.type, 12345)
            out.append((prefix + [("f", fd), ("k", key, key_fd)], "absent", fd, None))
        elif fd.is_repeated:
            out.append((prefix + [("f", fd)], "absent", fd, None))
        elif fd.type in MESSAGE_TYPES:
            inner = fd.message_type.fields[0] if fd.message_type.fields else None
            out.append((prefix + [("f", fd)], "absent", fd, None))
            if inner is not None and not inner.is_repeated:
                out.append((prefix + [("f", fd), ("f", inner)], "absent", inner, None))
        else:
            out.append((prefix + [("f", fd)], "absent", fd, None))


def expectation(steps, kind, fd, value):
    entry = {"path": format_path(steps), "kind": kind}
    if kind == "scalar":
        entry.update(encode_value(fd, value))
    elif kind in ("list", "map"):
        entry["count"] = value
    return entry


# MARK: Non-canonical encodings

PACKABLE_WIRE = {FD.TYPE_DOUBLE: 1, FD.TYPE_FIXED64: 1, FD.TYPE_SFIXED64: 1, FD.TYPE_FLOAT: 5, FD.TYPE_FIXED32: 5,
                 FD.TYPE_SFIXED32: 5}


def read_varint(data, position):
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def skip_value(data, position, wire_type, number):
    """The end of a value of `wire_type` starting at `position` (after its tag)."""
    if wire_type == 0:
        return read_varint(data, position)[1]
    if wire_type == 1:
        return position + 8
    if wire_type == 5:
        return position + 4
    if wire_type == 2:
        length, position = read_varint(data, position)
        return position + length
    if wire_type == 3:
        while True:
            tag, position = read_varint(data, position)
            if tag == (number << 3 | 4):
                return position
            position = skip_value(data, position, tag & 7, tag >> 3)
    raise ValueError("wire type %d" % wire_type)


def split_fields(data):
    """(number, wire type, whole occurrence, value bytes) for every occurrence; the value of a length-delimited
    occurrence is its payload."""
    out = []
    position = 0
    while position < len(data):
        start = position
        tag, position = read_varint(data, position)
        number, wire_type = tag >> 3, tag & 7
        value_start = position
        if wire_type == 2:
            length, value_start = read_varint(data, position)
        position = skip_value(data, position, wire_type, number)
        out.append((number, wire_type, data[start:position], data[value_start:position]))
    return out


def tag(number, wire_type):
    return varint(number << 3 | wire_type)


def delimited(number, payload):
    return tag(number, 2) + varint(len(payload)) + payload


def overlong(raw):
    """A varint spelled with redundant continuation bytes (same value, at most 10 bytes)."""
    if len(raw) >= 10:
        return raw
    extra = 1 if len(raw) >= 9 else 2
    return raw[:-1] + bytes([raw[-1] | 0x80]) + b"\x80" * (extra - 1) + b"\x00"


class Scrambler:
    """Re-encodes a message into different bytes that every conforming parser reads as the same message: fields
    out of number order, packed lists split into several blocks or spelled unpacked (and unpacked ones packed),
    sub-messages split into occurrences that merge, earlier occurrences of singular fields and map keys that a
    later one overrides, map entries with the value first or a zero key/value left out, and overlong varints."""

    def __init__(self, rng, oneof_decoys):
        self.rng = rng
        self.oneof_decoys = oneof_decoys

    def scramble(self, data, descriptor):
        rng = self.rng
        occurrences = split_fields(data)
        queues = {}
        for number, wire_type, whole, value in occurrences:
            # Unknown fields share one queue: their relative order is kept by parsers and compared.
            key = number if number in descriptor.fields_by_number else -1
            queues.setdefault(key, []).append((wire_type, whole, value))
        chunks = {}
        for number, found in queues.items():
            fd = descriptor.fields_by_number.get(number)
            if fd is None or fd.type == FD.TYPE_GROUP:
                chunks[number] = [whole for _, whole, _ in found]
            elif fd.is_repeated and fd.type == FD.TYPE_MESSAGE:
                chunks[number] = self.repeated_messages(fd, found)
            elif fd.is_repeated and fd.type not in (FD.TYPE_STRING, FD.TYPE_BYTES):
                chunks[number] = self.repeated_scalars(fd, found)
            elif fd.is_repeated:
                chunks[number] = [whole for _, whole, _ in found]
            elif fd.type == FD.TYPE_MESSAGE:
                chunks[number] = self.singular_message(fd, found, descriptor)
            else:
                chunks[number] = self.singular_scalar(fd, found, descriptor)
            if self.oneof_decoys and fd is not None and is_real_oneof(fd) and rng.random() < 0.5:
                chunks[number] = self.oneof_decoy(fd) + chunks[number]
        # A random interleaving that keeps the order within each field.
        out = bytearray()
        pending = [number for number in chunks if chunks[number]]
        while pending:
            number = rng.choice(pending)
            out += chunks[number].pop(0)
            if not chunks[number]:
                pending.remove(number)
        return bytes(out)

    def oneof_decoy(self, fd):
        """An occurrence of another member of `fd`'s oneof, which the later `fd` replaces."""
        others = [other for other in fd.containing_oneof.fields if other.number != fd.number]
        other = self.rng.choice(others)
        if other.type == FD.TYPE_MESSAGE:
            return [delimited(other.number, b"")]
        return [self.scalar_occurrence(other, self.decoy_value(other))]

    def decoy_value(self, fd):
        """Encoded value bytes (no tag) of a random value for scalar field `fd`."""
        rng = self.rng
        if fd.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
            payload = "".join(rng.choice("abcxyz\u00e9") for _ in range(rng.randint(0, 5))).encode()
            return varint(len(payload)) + payload
        if PACKABLE_WIRE.get(fd.type) == 1:
            return bytes(rng.randint(0, 255) for _ in range(8))
        if PACKABLE_WIRE.get(fd.type) == 5:
            return bytes(rng.randint(0, 255) for _ in range(4))
        if fd.type == FD.TYPE_ENUM and fd.enum_type.is_closed:
            return varint(rng.choice(fd.enum_type.values).number)
        if fd.type == FD.TYPE_BOOL:
            return varint(rng.randint(0, 1))
        return varint(rng.randint(0, 1 << 40))

    def scalar_occurrence(self, fd, value):
        wire_type = 2 if fd.type in (FD.TYPE_STRING, FD.TYPE_BYTES) else PACKABLE_WIRE.get(fd.type, 0)
        return tag(fd.number, wire_type) + value

    def maybe_overlong(self, fd, value):
        if fd.type not in PACKABLE_WIRE and fd.type not in (FD.TYPE_STRING, FD.TYPE_BYTES) and \
                self.rng.random() < 0.2:
            return overlong(value)
        return value

    def singular_scalar(self, fd, found, descriptor):
        rng = self.rng
        out = []
        for wire_type, whole, value in found:
            if descriptor.GetOptions().map_entry and self.is_zero(wire_type, value) and rng.random() < 0.5:
                continue   # an absent key or value reads as zero
            raw = whole[len(tag(fd.number, wire_type)):]
            if rng.random() < 0.2:
                out.append(self.scalar_occurrence(fd, self.decoy_value(fd)))
            out.append(tag(fd.number, wire_type) + self.maybe_overlong(fd, raw))
        return out

    @staticmethod
    def is_zero(wire_type, value):
        if wire_type == 2:
            return value == b""
        if wire_type == 0:
            return value == b"\x00"
        return value == bytes(len(value))

    def singular_message(self, fd, found, descriptor):
        rng = self.rng
        out = []
        for _, _, payload in found:
            if descriptor.GetOptions().map_entry and not payload and rng.random() < 0.5:
                continue   # a map entry without a value holds an empty message
            inner = self.scramble(payload, fd.message_type)
            if rng.random() < 0.3 and inner:
                # Two occurrences that merge back into one message.
                parts = split_fields(inner)
                cut = rng.randint(0, len(parts))
                out.append(delimited(fd.number, b"".join(p[2] for p in parts[:cut])))
                out.append(delimited(fd.number, b"".join(p[2] for p in parts[cut:])))
            else:
                out.append(delimited(fd.number, inner))
        return out

    def repeated_messages(self, fd, found):
        rng = self.rng
        out = []
        entry_type = fd.message_type if is_map(fd) else None
        payloads = [payload for _, _, payload in found]
        if entry_type is not None:
            rng.shuffle(payloads)   # distinct keys: their order does not matter
        for payload in payloads:
            if entry_type is not None and len(payloads) > 1 and rng.random() < 0.2:
                # An earlier entry with the same key and another entry's value: the later entry wins.
                key = [p[2] for p in split_fields(payload) if p[0] == 1]
                value = [p[2] for p in split_fields(rng.choice(payloads)) if p[0] == 2]
                out.append(delimited(fd.number, b"".join(key + value)))
            out.append(delimited(fd.number, self.scramble(payload, fd.message_type)))
        return out

    def repeated_scalars(self, fd, found):
        """All elements again, regrouped into packed blocks and single unpacked occurrences."""
        rng = self.rng
        wire_type = PACKABLE_WIRE.get(fd.type, 0)
        elements = []
        for occurrence_wire_type, whole, value in found:
            if occurrence_wire_type == 2:
                position = 0
                while position < len(value):
                    end = skip_value(value, position, wire_type, fd.number)
                    elements.append(value[position:end])
                    position = end
            else:
                elements.append(whole[len(tag(fd.number, wire_type)):])
        elements = [self.maybe_overlong(fd, element) for element in elements]
        out = []
        index = 0
        while index < len(elements):
            size = rng.randint(1, max(1, len(elements) - index))
            group = elements[index:index + size]
            index += size
            if rng.random() < 0.5:
                out.append(delimited(fd.number, b"".join(group)))
            else:
                out += [tag(fd.number, wire_type) + element for element in group]
        return out


# MARK: Edits

class Editor:
    """Random edits of a message, applied with Python reflection."""

    def __init__(self, generator):
        self.gen = generator
        self.rng = generator.rng

    def random_set(self, message):
        """A path to a scalar (possibly through absent messages) and a new value; the category of the edit."""
        rng = self.rng
        steps = []
        current = message      # None once the path leaves what exists
        descriptor = message.DESCRIPTOR
        created = False
        for level in range(12):
            fields = [fd for fd in descriptor.fields if not fd.is_extension]
            descend = level < 6 and rng.random() < (0.55 if level == 0 else 0.35)
            message_fields = [fd for fd in fields if fd.type in MESSAGE_TYPES and not is_map(fd) or
                              is_map(fd) and fd.message_type.fields_by_name["value"].type in MESSAGE_TYPES]
            scalar_fields = [fd for fd in fields if fd not in message_fields]
            if descend and message_fields:
                fd = rng.choice(message_fields)
                steps.append(("f", fd))
                if is_map(fd):
                    key_fd = fd.message_type.fields_by_name["key"]
                    existing = sorted(getattr(current, fd.name).keys()) if current is not None else []
                    key = rng.choice(existing) if existing and rng.random() < 0.6 else self.gen.scalar(key_fd)
                    steps.append(("k", key, key_fd))
                    value_fd = fd.message_type.fields_by_name["value"]
                    if current is not None and key in getattr(current, fd.name):
                        current = getattr(current, fd.name)[key]
                    else:
                        current, created = None, True
                    descriptor = value_fd.message_type
                elif fd.is_repeated:
                    length = len(getattr(current, fd.name)) if current is not None else 0
                    index = rng.randint(0, length)
                    steps.append(("i", index))
                    if index < length:
                        current = getattr(current, fd.name)[index]
                    else:
                        current, created = None, True
                    descriptor = fd.message_type
                else:
                    if current is not None and current.HasField(fd.name):
                        current = getattr(current, fd.name)
                    else:
                        current, created = None, True
                    descriptor = fd.message_type
                continue
            if not scalar_fields:
                return None
            fd = rng.choice(scalar_fields)
            steps.append(("f", fd))
            if is_map(fd):
                key_fd = fd.message_type.fields_by_name["key"]
                value_fd = fd.message_type.fields_by_name["value"]
                existing = sorted(getattr(current, fd.name).keys()) if current is not None else []
                key = rng.choice(existing) if existing and rng.random() < 0.5 else self.gen.scalar(key_fd)
                steps.append(("k", key, key_fd))
                category = "replace-map-value" if key in existing else "new-map-key"
                value = self.gen.scalar(value_fd)
                leaf = value_fd
            elif fd.is_repeated:
                length = len(getattr(current, fd.name)) if current is not None else 0
                index = rng.randint(0, length) if rng.random() < 0.6 else length
                steps.append(("i", index))
                category = "append" if index == length else "replace-element"
                value = self.gen.scalar(fd)
                leaf = fd
            else:
                exists = current is not None and fd in [f for f, _ in current.ListFields()]
                category = "replace-scalar" if exists else "set-absent-scalar"
                value = self.gen.scalar(fd)
                leaf = fd
            if created:
                category = "create-path"
                # A zero value at the end of a created path would still create the messages on both sides, but
                # keep it nonzero so the edit is visible.
                if leaf.type not in (FD.TYPE_BOOL,) and value in (0, "", b""):
                    value = self.gen.scalar(leaf) or value
            return steps, leaf, value, category
        return None

    def random_replace(self, message):
        """A new value for a scalar that is present (a singular field, a list element or a map value)."""
        found = []
        walk(message, [], found, absent=False)
        leaves = [item for item in found if item[1] == "scalar"]
        if not leaves:
            return None
        steps, _, fd, _ = self.rng.choice(leaves)
        category = {"i": "replace-element", "k": "replace-map-value"}.get(steps[-1][0], "replace-scalar")
        return steps, fd, self.gen.scalar(fd), category

    def apply_set(self, message, steps, value):
        target = message
        for step in steps[:-1]:
            if step[0] == "f":
                target = getattr(target, step[1].name)
            elif step[0] == "i":
                target = target.add() if step[1] == len(target) else target[step[1]]
            else:
                target = target[step[1]]
        last = steps[-1]
        if last[0] == "f":
            setattr(target, last[1].name, value)
        elif last[0] == "i":
            if last[1] == len(target):
                target.append(value)
            else:
                target[last[1]] = value
        else:
            target[last[1]] = value

    def random_unset(self, message):
        rng = self.rng
        found = []
        walk(message, [], found, absent=False)
        if rng.random() < 0.1:
            found = []
            walk(message, [], found, absent=True)
            candidates = [item for item in found if item[1] == "absent" and item[0][-1][0] != "i"]
            if candidates:
                steps = rng.choice(candidates)[0]
                return steps, "unset-absent"
        candidates = [item for item in found if not (item[0][-1][0] == "f" and item[0][-1][1].is_required)]
        if not candidates:
            return None
        steps, kind = rng.choice(candidates)[:2]
        last = steps[-1]
        if last[0] == "i":
            category = "unset-element"
        elif last[0] == "k":
            category = "unset-map-key"
        elif kind in ("list", "map"):
            category = "unset-" + kind
        elif kind == "message":
            category = "unset-message"
        else:
            category = "unset-scalar"
        return steps, category

    def apply_unset(self, message, steps):
        target = message
        for step in steps[:-1]:
            if step[0] == "f":
                if not step[1].is_repeated and not target.HasField(step[1].name):
                    return
                target = getattr(target, step[1].name)
            elif step[0] == "i":
                if step[1] >= len(target):
                    return
                target = target[step[1]]
            else:
                if step[1] not in target:
                    return
                target = target[step[1]]
        last = steps[-1]
        if last[0] == "f":
            target.ClearField(last[1].name)
        elif last[0] == "i":
            if last[1] < len(target):
                del target[last[1]]
        elif last[1] in target:
            del target[last[1]]


# MARK: Commands

def generate(args):
    pool = load_pool(args.descriptors)
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    generator = Generator(rng)
    editor = Editor(generator)
    scrambler = Scrambler(rng, args.oneof_decoys)
    cases = []
    for type_name in args.type:
        cls = message_class(pool, type_name)
        for number in range(args.count):
            name = "%s-%04d" % (type_name.replace(".", "_"), number)
            built = generator.message(cls, pool)
            data = built.SerializePartialToString(deterministic=True)
            if rng.random() < 0.25:
                # Unknown fields after the known ones, as another writer might leave them.
                numbers = generator.unknown_numbers(cls.DESCRIPTOR)
                data += b"".join(generator.unknown_field(rng.choice(numbers)) for _ in range(rng.randint(1, 4)))
            if rng.random() < args.scramble:
                scrambled = scrambler.scramble(data, cls.DESCRIPTOR)
                canonical, reread = cls(), cls()
                canonical.MergeFromString(data)
                reread.MergeFromString(scrambled)
                if not same_message(canonical, reread):
                    raise AssertionError("scrambling changed %s:\n%s\n%s" % (name, data.hex(), scrambled.hex()))
                data = scrambled
            with open(os.path.join(args.out, name + ".bin"), "wb") as handle:
                handle.write(data)
            parsed = cls()
            parsed.MergeFromString(data)
            found = []
            walk(parsed, [], found)
            expectations = [expectation(*item) for item in found]

            edits = []
            current = cls()
            current.MergeFromString(data)
            for step in range(rng.randint(2, 8)):
                roll = rng.random()
                if roll < 0.25:
                    planned = editor.random_replace(current)
                    if planned is None:
                        continue
                    steps, leaf, value, category = planned
                    editor.apply_set(current, steps, value)
                    edit = {"op": "set", "path": format_path(steps), "category": category}
                    edit.update(encode_value(leaf, value))
                elif roll < 0.65:
                    planned = editor.random_set(current)
                    if planned is None:
                        continue
                    steps, leaf, value, category = planned
                    editor.apply_set(current, steps, value)
                    edit = {"op": "set", "path": format_path(steps), "category": category}
                    edit.update(encode_value(leaf, value))
                else:
                    planned = editor.random_unset(current)
                    if planned is None:
                        continue
                    steps, category = planned
                    editor.apply_unset(current, steps)
                    edit = {"op": "unset", "path": format_path(steps), "category": category}
                edit["expected"] = "%s.edit%d.expected.bin" % (name, len(edits))
                edit["actual"] = "%s.edit%d.actual.bin" % (name, len(edits))
                with open(os.path.join(args.out, edit["expected"]), "wb") as handle:
                    handle.write(current.SerializePartialToString(deterministic=True))
                edits.append(edit)
            cases.append({"name": name, "type": type_name, "file": name + ".bin", "expectations": expectations,
                          "edits": edits})
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump({"cases": cases}, handle, ensure_ascii=False)
    print("generated %d messages, %d expectations, %d edits" % (
        len(cases), sum(len(c["expectations"]) for c in cases), sum(len(c["edits"]) for c in cases)))


def same_message(expected, actual):
    if expected.SerializePartialToString(deterministic=True) == actual.SerializePartialToString(deterministic=True):
        return True
    # NaN payloads may differ between writers; the text form prints every NaN alike.
    return render(expected) == render(actual)


def render(message):
    return text_format.MessageToString(message, print_unknown_fields=True, as_utf8=True)


def report(text):
    print(text, file=sys.stderr)


def check(args):
    pool = load_pool(args.descriptors)
    with open(os.path.join(args.input, "manifest.json"), encoding="utf-8") as handle:
        cases = json.load(handle)["cases"]
    compared = 0
    failures = 0
    skipped = 0
    for case in cases:
        cls = message_class(pool, case["type"])
        for index, edit in enumerate(case["edits"]):
            actual_path = os.path.join(args.input, edit["actual"])
            if os.path.exists(actual_path + ".skip"):
                skipped += 1
                break   # Portico could not express this edit (a known limitation, reported by the Swift test)
            if not os.path.exists(actual_path):
                report("MISSING %s edit %d (%s %s): no result from Portico" % (
                    case["name"], index, edit["op"], edit["path"]))
                failures += 1
                break
            expected = cls()
            with open(os.path.join(args.input, edit["expected"]), "rb") as handle:
                expected.MergeFromString(handle.read())
            actual = cls()
            with open(actual_path, "rb") as handle:
                actual_bytes = handle.read()
            compared += 1
            try:
                actual.MergeFromString(actual_bytes)
            except Exception as error:  # noqa: BLE001 - any parse failure is a mismatch to report
                report("MISMATCH %s edit %d (%s %s): Portico wrote unparsable bytes (%s): %s" % (
                    case["name"], index, edit["op"], edit["path"], error, actual_bytes.hex()))
                failures += 1
                break
            if not same_message(expected, actual):
                diff = "\n".join(difflib.unified_diff(
                    render(expected).splitlines(), render(actual).splitlines(), "python", "portico", lineterm="",
                    n=2))
                report("MISMATCH %s edit %d (%s %s, %s):\n%s" % (
                    case["name"], index, edit["op"], edit["path"], edit["category"], diff))
                failures += 1
                break   # later steps build on this one
    print("checked %d edit results, %d failures, %d edit sequences skipped" % (compared, failures, skipped))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate")
    gen.add_argument("--descriptors", required=True)
    gen.add_argument("--type", action="append", help="message type (repeatable; default rich.Rich)")
    gen.add_argument("--count", type=int, default=100, help="messages per type")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    gen.add_argument("--scramble", type=float, default=0.0,
                     help="fraction of messages re-encoded non-canonically (same message, other bytes)")
    gen.add_argument("--oneof-decoys", action="store_true",
                     help="when scrambling, put another oneof member before the one that is set")
    chk = commands.add_parser("check")
    chk.add_argument("--descriptors", required=True)
    chk.add_argument("--in", dest="input", required=True)
    args = parser.parse_args()
    if args.command == "generate":
        args.type = args.type or ["rich.Rich"]
        generate(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
