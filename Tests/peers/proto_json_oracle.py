#!/usr/bin/env python3
"""JSON oracle for Portico: random messages converted by Python's `json_format` (proto3 canonical JSON).

Builds on proto_oracle.py (same folder) for random messages; adds well-known types (Timestamp, Duration, wrappers,
Struct/Value/ListValue, NullValue, FieldMask, Empty, Any packing other messages) with their edge values.

  generate --descriptors SET --type T [--type T2] --count N --seed S --out DIR
      Writes DIR/cases.json: per message its binary encoding (base64; some with unknown fields or re-encoded in
      non-canonical bytes by proto_oracle's Scrambler), Python's JSON under each option set
      ("python": default, emitDefaults, protoNames, enumsAsInts) and JSON texts for Portico to decode ("inputs":
      Python's default output and, in turn, two of: the other three option sets, indented output, int64 as JSON
      numbers, 32-bit numbers and floats as strings, URL-safe unpadded base64, \\uXXXX escapes for all non-ASCII).
  check --descriptors SET --in DIR
      Reads DIR/results.json written by Portico: per message its JSON under each option set ("json"), the binary
      it decoded from each input ("decoded") and from its own JSON ("roundtrip"). Compares Portico's JSON with
      Python's value by value (int64 strings equal, floats bit-exact at their width after parsing, NaN equal to
      NaN, same keys) and has Python parse every binary back to a message equal to the original. Prints a JSON
      report {"checks": N, "failures": [{"kind", "case", "detail"}]} and exits 0 (failures are in the report).
"""

import argparse
import base64
import json
import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from google.protobuf import json_format  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402

from proto_oracle import Generator, Scrambler, is_map, load_pool, message_class, same_message  # noqa: E402

OPTIONS = {
    "default": {},
    "emitDefaults": {"always_print_fields_with_no_presence": True},
    "protoNames": {"preserving_proto_field_name": True},
    "enumsAsInts": {"use_integers_for_enums": True},
}
WRAPPERS = {"google.protobuf." + name for name in (
    "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue",
    "BytesValue")}
STRING_FORMS = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
FREE_JSON = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
# Types whose JSON is not an object of their fields; inside an Any they go under "value". Empty is not one of them:
# {"@type": ".../google.protobuf.Empty"} is how Python (and swift-protobuf) write an Any holding an Empty.
CUSTOM_JSON = WRAPPERS | STRING_FORMS | FREE_JSON | {"google.protobuf.Any"}
INT64_TYPES = {FD.TYPE_INT64, FD.TYPE_UINT64, FD.TYPE_SINT64, FD.TYPE_FIXED64, FD.TYPE_SFIXED64}
INT32_TYPES = {FD.TYPE_INT32, FD.TYPE_UINT32, FD.TYPE_SINT32, FD.TYPE_FIXED32, FD.TYPE_SFIXED32}
FLOAT_TYPES = {FD.TYPE_FLOAT, FD.TYPE_DOUBLE}

MIN_TIMESTAMP = -62135596800      # 0001-01-01T00:00:00Z
MAX_TIMESTAMP = 253402300799      # 9999-12-31T23:59:59Z
MAX_DURATION = 315576000000


# MARK: Well-known values

class WKTGenerator(Generator):
    """proto_oracle's generator, with valid and edge-heavy values for the well-known types."""

    def enum(self, fd):
        if fd.enum_type.full_name == "google.protobuf.NullValue":
            return 0
        return super().enum(fd)

    def fill_message(self, message, depth, max_depth, budget, pool):
        name = message.DESCRIPTOR.full_name
        if not name.startswith("google.protobuf."):
            return super().fill_message(message, depth, max_depth, budget, pool)
        message.SetInParent()
        budget[0] -= 1
        if name == "google.protobuf.Timestamp":
            message.seconds, message.nanos = self.timestamp()
        elif name == "google.protobuf.Duration":
            message.seconds, message.nanos = self.duration()
        elif name in WRAPPERS:
            message.value = self.scalar(message.DESCRIPTOR.fields_by_name["value"])
        elif name == "google.protobuf.FieldMask":
            message.paths.extend(self.field_mask_path() for _ in range(self.rng.choice([0, 1, 2, 4])))
        elif name == "google.protobuf.Struct":
            self.struct(message, self.rng.randint(0, 3))
        elif name == "google.protobuf.Value":
            self.value(message, self.rng.randint(0, 3))
        elif name == "google.protobuf.ListValue":
            self.list_value(message, self.rng.randint(0, 3))
        elif name == "google.protobuf.Any":
            self.any(message, depth, pool)
        # Empty has nothing to set.

    def timestamp(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            seconds = rng.choice([MIN_TIMESTAMP, MAX_TIMESTAMP, 0, -1, 1, 951782400, 4107542400, -2208988800])
        else:
            seconds = rng.randint(MIN_TIMESTAMP, MAX_TIMESTAMP)
        return seconds, self.nanos()

    def nanos(self):
        rng = self.rng
        return rng.choice([0, rng.randint(1, 999) * 1000000, rng.randint(1, 999999) * 1000,
                           rng.randint(1, 999999999), 999999999, 1, 1000, 1000000, 10, 100000000])

    def duration(self):
        rng = self.rng
        if rng.random() < 0.3:
            seconds = rng.choice([0, 1, -1, MAX_DURATION, -MAX_DURATION, 86400, -86400])
        else:
            seconds = rng.randint(-MAX_DURATION, MAX_DURATION)
        nanos = self.nanos()
        if seconds < 0 or (seconds == 0 and rng.random() < 0.5):
            nanos = -nanos
        return seconds, nanos

    def field_mask_path(self):
        rng = self.rng
        segments = []
        for _ in range(rng.randint(1, 3)):
            words = ["".join(rng.choice("abcxyz") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.2:
                words[0] += rng.choice("0123456789")
            segments.append("_".join(words))
        return ".".join(segments)

    def json_number(self):
        rng = self.rng
        if rng.random() < 0.4:
            return rng.choice([0.0, -0.0, 1.0, -1.0, 0.5, 1e300, -1e300, 5e-324, 1.7976931348623157e308,
                               9007199254740993.0, 2.0 ** 63, 0.1, 123456789.125])
        return rng.uniform(-1, 1) * 10 ** rng.randint(-20, 20)

    def value(self, message, depth):
        rng = self.rng
        kinds = ["null", "number", "string", "bool"] + (["struct", "list"] if depth > 0 else [])
        kind = rng.choice(kinds)
        if kind == "null":
            message.null_value = 0
        elif kind == "number":
            message.number_value = self.json_number()
        elif kind == "string":
            message.string_value = self.string()
        elif kind == "bool":
            message.bool_value = rng.random() < 0.5
        elif kind == "struct":
            self.struct(message.struct_value, depth - 1)
        else:
            self.list_value(message.list_value, depth - 1)

    def struct(self, message, depth):
        message.SetInParent()
        for _ in range(self.rng.choice([0, 1, 2, 4])):
            self.value(message.fields[self.string()], depth)

    def list_value(self, message, depth):
        message.SetInParent()
        for _ in range(self.rng.choice([0, 1, 2, 4])):
            self.value(message.values.add(), depth)

    def any(self, message, depth, pool):
        rng = self.rng
        nesting = getattr(self, "any_nesting", 0)
        choices = ["google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Struct",
                   "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.FieldMask",
                   "google.protobuf.Empty"] + sorted(WRAPPERS)
        if nesting < 2:
            # Messages that hold Anys themselves: bounded so Any inside Any inside Any stops.
            choices += ["rich.Rich", "rich.Rich", "wkt.Everything", "wkt.Everything", "google.protobuf.Any"]
        name = rng.choice(choices)
        inner = message_class(pool, name)()
        self.any_nesting = nesting + 1
        try:
            if name in ("rich.Rich", "wkt.Everything"):
                super().fill_message(inner, 0, rng.choice([0, 1]), [rng.choice([3, 10, 25])], pool)
            else:
                self.fill_message(inner, depth + 1, depth + 1, [10], pool)
        finally:
            self.any_nesting = nesting
        prefix = rng.choice(["type.googleapis.com/", "type.googleapis.com/", "example.com/types/"])
        message.Pack(inner, type_url_prefix=prefix, deterministic=True)


def deep_struct(message, levels):
    """{"a": {"a": ... {"leaf": 1}}} nested `levels` deep."""
    for _ in range(levels):
        message = message.fields["a"].struct_value
    message.fields["leaf"].number_value = 1


def special_cases(pool, type_name):
    """Hand-made messages with edges random generation reaches rarely."""
    cls = message_class(pool, type_name)
    out = []
    if type_name == "wkt.Everything":
        m = cls()
        m.timestamp.seconds = MIN_TIMESTAMP
        m.r_timestamp.add(seconds=MAX_TIMESTAMP, nanos=999999999)
        m.r_timestamp.add(seconds=0, nanos=1000000)
        m.r_timestamp.add(seconds=0, nanos=1000)
        m.r_timestamp.add(seconds=0, nanos=1)
        m.duration.seconds, m.duration.nanos = 0, -500000000
        m.r_duration.add(seconds=-MAX_DURATION, nanos=-999999999)
        m.r_duration.add(seconds=MAX_DURATION, nanos=999999999)
        m.r_duration.add(seconds=-1, nanos=-1000)
        m.r_null_value.extend([0, 0])
        m.m_null_value["k"] = 0
        m.r_value.add().null_value = 0
        m.m_value["n"].null_value = 0
        m.p_null_value = 0
        out.append(m)
        m = cls()
        deep_struct(m.struct_value, 25)
        m.o_null = 0
        out.append(m)
        m = cls()
        m.o_value.null_value = 0
        for index in range(300):
            m.m_int64_timestamp[index * 7919 - 1000].seconds = index
        out.append(m)
        m = cls()
        current = m
        for _ in range(40):
            current = current.child
        current.o_empty.SetInParent()
        out.append(m)
    else:
        m = cls()
        for index in range(500):
            m.m_string_string["key %d \u00e9\U0001F600 \x01" % index] = "v" * (index % 7)
            m.m_int32_int32[index - 250] = index
        out.append(m)
        m = cls()
        current = m
        for _ in range(45):
            current = current.child
        current.f_string = "deep"
        out.append(m)
        m = cls()
        m.f_double, m.f_float = -0.0, -0.0
        m.r_double.extend([math.nan, math.inf, -math.inf, 1.7976931348623157e308, 5e-324, -0.0])
        m.r_float.extend([math.nan, math.inf, -math.inf, 3.4028234663852886e38, 1.401298464324817e-45, -0.0])
        m.f_int32, m.f_int64, m.f_uint64 = -(1 << 31), -(1 << 63), (1 << 64) - 1
        m.f_string = "\"\\/\b\f\n\r\t\x00\x1f\x7f\u2028\u2029\ufeff\U0010FFFF"
        m.p_bytes = b""
        m.p_string = ""
        out.append(m)
    return out


# MARK: JSON variants

class Num:
    """A JSON number kept as its text."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class DuplicateKey(ValueError):
    pass


def no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey("duplicate key %r" % key)
        out[key] = value
    return out


def reject_constant(text):
    raise ValueError("bare %s is not JSON" % text)


def load_json(text):
    return json.loads(text, parse_int=Num, parse_float=Num, parse_constant=reject_constant,
                      object_pairs_hook=no_duplicates)


def field_lookup(descriptor):
    table = {}
    for fd in descriptor.fields:
        table[fd.json_name] = fd
        table[fd.name] = fd
    return table


def transform(descriptor, value, leaf, pool):
    """Python's JSON object of a message with every scalar leaf replaced by leaf(fd, value)."""
    name = descriptor.full_name
    if name in WRAPPERS:
        return leaf(descriptor.fields_by_name["value"], value)
    if name in STRING_FORMS or name in FREE_JSON or name == "google.protobuf.Empty":
        return value
    if name == "google.protobuf.Any":
        if not value:
            return value
        inner = pool.FindMessageTypeByName(value["@type"].split("/")[-1])
        if inner.full_name in CUSTOM_JSON:
            return {"@type": value["@type"], "value": transform(inner, value["value"], leaf, pool)}
        body = transform(inner, {k: v for k, v in value.items() if k != "@type"}, leaf, pool)
        return dict([("@type", value["@type"])] + list(body.items()))
    fields = field_lookup(descriptor)
    out = {}
    for key, item in value.items():
        fd = fields[key]
        out[key] = transform_field(fd, item, leaf, pool)
    return out


def transform_field(fd, value, leaf, pool):
    if value is None:
        return None
    if is_map(fd):
        value_fd = fd.message_type.fields_by_name["value"]
        return {k: transform_field_single(value_fd, v, leaf, pool) for k, v in value.items()}
    if fd.is_repeated:
        return [transform_field_single(fd, v, leaf, pool) for v in value]
    return transform_field_single(fd, value, leaf, pool)


def transform_field_single(fd, value, leaf, pool):
    if fd.type == FD.TYPE_MESSAGE:
        return transform(fd.message_type, value, leaf, pool)
    return leaf(fd, value)


def int64_as_number(fd, value):
    if fd.type in INT64_TYPES and isinstance(value, str):
        return int(value)
    return value


def numbers_as_strings(fd, value):
    if (fd.type in INT32_TYPES or fd.type in FLOAT_TYPES) and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return repr(value)
    return value


def urlsafe_bytes(fd, value):
    if fd.type == FD.TYPE_BYTES and isinstance(value, str):
        return base64.urlsafe_b64encode(base64.b64decode(value)).decode("ascii").rstrip("=")
    return value


def python_json(message, pool, **options):
    return json_format.MessageToJson(message, descriptor_pool=pool, indent=None, **options)


DECODE_VARIANTS = ["pretty", "emitDefaults", "protoNames", "enumsAsInts", "int64Numbers", "quotedNumbers",
                   "urlsafeBytes", "asciiEscapes"]


def inputs_for(message, pool, python, variants):
    """JSON texts Portico must decode to `message`: Python's default output and the chosen `variants`."""
    inputs = {"default": python["default"]}
    descriptor = message.DESCRIPTOR
    as_object = json.loads(python["default"]) if {"int64Numbers", "quotedNumbers", "urlsafeBytes"} & set(variants) \
        else None
    for variant in variants:
        if variant in python:
            inputs[variant] = python[variant]
        elif variant == "pretty":
            inputs[variant] = json_format.MessageToJson(message, descriptor_pool=pool, indent=2)
        elif variant == "asciiEscapes":
            inputs[variant] = json_format.MessageToJson(message, descriptor_pool=pool, indent=None, ensure_ascii=True)
        else:
            leaf = {"int64Numbers": int64_as_number, "quotedNumbers": numbers_as_strings,
                    "urlsafeBytes": urlsafe_bytes}[variant]
            inputs[variant] = json.dumps(transform(descriptor, as_object, leaf, pool), ensure_ascii=False)
    return inputs


def generate(args):
    pool = load_pool(args.descriptors)
    rng = random.Random(args.seed)
    generator = WKTGenerator(rng)
    scramblers = [Scrambler(rng, False), Scrambler(rng, True)]
    cases = []
    for type_name in args.type:
        cls = message_class(pool, type_name)
        messages = special_cases(pool, type_name)
        special = len(messages)
        while len(messages) < args.count:
            messages.append(generator.message(cls, pool))
        for number, message in enumerate(messages):
            python = {option: python_json(message, pool, **flags) for option, flags in OPTIONS.items()}
            data = message.SerializeToString(deterministic=True)
            roll = rng.random()
            if roll < 0.2:
                # Unknown fields, which JSON drops.
                numbers = generator.unknown_numbers(cls.DESCRIPTOR)
                data += b"".join(generator.unknown_field(rng.choice(numbers)) for _ in range(rng.randint(1, 3)))
            elif roll < 0.5:
                # The same message in other bytes: fields out of order, split and unpacked lists, sub-messages
                # in several occurrences, overridden duplicates and oneof members, overlong varints.
                scrambled = scramblers[number % 2].scramble(data, cls.DESCRIPTOR)
                if not same_message(message, cls.FromString(scrambled)):
                    raise AssertionError("scrambling changed %s" % data.hex())
                data = scrambled
            # Every variant for the hand-made messages; two in turn for the random ones (time budget).
            variants = DECODE_VARIANTS if number < special else \
                [DECODE_VARIANTS[(2 * number) % 8], DECODE_VARIANTS[(2 * number + 1) % 8]]
            cases.append({
                "name": "%s-%04d" % (type_name.replace(".", "_"), number),
                "type": type_name,
                "binary": base64.b64encode(data).decode("ascii"),
                "python": python,
                "inputs": inputs_for(message, pool, python, variants),
            })
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as handle:
        json.dump({"cases": cases}, handle, ensure_ascii=False)
    return 0


# MARK: Comparison

def float_bits(value, fd_type):
    if fd_type == FD.TYPE_FLOAT:
        if math.isnan(value):
            return "nan"
        return struct.pack("<f", value)   # rounds to float32; overflow raises OverflowError
    if math.isnan(value):
        return "nan"
    return struct.pack("<d", value)


class Comparer:
    """Compares Portico's JSON (`ours`) with Python's (`theirs`) value by value, driven by the schema."""

    def __init__(self, pool):
        self.pool = pool
        self.problems = []

    def fail(self, path, text):
        if len(self.problems) < 20:
            self.problems.append("%s: %s" % (path or "<root>", text))

    def message(self, descriptor, ours, theirs, path):
        name = descriptor.full_name
        if name in WRAPPERS:
            return self.scalar(descriptor.fields_by_name["value"], ours, theirs, path)
        if name in STRING_FORMS:
            if not isinstance(ours, str) or ours != theirs:
                self.fail(path, "%s %r, Python %r" % (name, ours, theirs))
            return
        if name in FREE_JSON:
            return self.free(ours, theirs, path)
        if not isinstance(ours, dict) or not isinstance(theirs, dict):
            self.fail(path, "expected an object, got %r (Python %r)" % (ours, theirs))
            return
        if name == "google.protobuf.Any" and theirs:
            if ours.get("@type") != theirs.get("@type"):
                self.fail(path, "@type %r, Python %r" % (ours.get("@type"), theirs.get("@type")))
                return
            inner = self.pool.FindMessageTypeByName(theirs["@type"].split("/")[-1])
            if inner.full_name in CUSTOM_JSON:
                if set(ours) != {"@type", "value"}:
                    self.fail(path, "Any of %s has keys %s" % (inner.full_name, sorted(ours)))
                    return
                return self.message(inner, ours["value"], theirs["value"], path + ".value")
            ours = {k: v for k, v in ours.items() if k != "@type"}
            theirs = {k: v for k, v in theirs.items() if k != "@type"}
            descriptor = inner
        if set(ours) != set(theirs):
            self.fail(path, "keys: only ours %s, only Python %s" % (sorted(set(ours) - set(theirs)),
                                                                    sorted(set(theirs) - set(ours))))
        fields = field_lookup(descriptor)
        for key in sorted(set(ours) & set(theirs)):
            fd = fields.get(key)
            if fd is None:
                self.fail(path, "key %r is no field" % key)
                continue
            self.field(fd, ours[key], theirs[key], path + "." + key)

    @staticmethod
    def null_value(fd):
        return fd.type == FD.TYPE_ENUM and fd.enum_type.full_name == "google.protobuf.NullValue"

    def field(self, fd, ours, theirs, path):
        if self.null_value(fd) and not fd.is_repeated:
            return self.scalar(fd, ours, theirs, path)
        if theirs is None or ours is None:
            if ours is not None or theirs is not None:
                self.fail(path, "%r, Python %r" % (ours, theirs))
            return
        if is_map(fd):
            if not isinstance(ours, dict):
                self.fail(path, "map is %r" % (ours,))
                return
            if set(ours) != set(theirs):
                self.fail(path, "map keys: only ours %s, only Python %s" % (
                    sorted(set(ours) - set(theirs))[:5], sorted(set(theirs) - set(ours))[:5]))
            value_fd = fd.message_type.fields_by_name["value"]
            for key in sorted(set(ours) & set(theirs)):
                self.single(value_fd, ours[key], theirs[key], "%s[%s]" % (path, json.dumps(key)))
        elif fd.is_repeated:
            if not isinstance(ours, list) or len(ours) != len(theirs):
                self.fail(path, "list %r, Python %r" % (ours, theirs))
                return
            for index, (a, b) in enumerate(zip(ours, theirs)):
                self.single(fd, a, b, "%s[%d]" % (path, index))
        else:
            self.single(fd, ours, theirs, path)

    def single(self, fd, ours, theirs, path):
        if fd.type == FD.TYPE_MESSAGE:
            self.message(fd.message_type, ours, theirs, path)
        else:
            self.scalar(fd, ours, theirs, path)

    def scalar(self, fd, ours, theirs, path):
        t = fd.type
        if t in FLOAT_TYPES:
            a, b = self.floating(ours), self.floating(theirs)
            if a is None or b is None:
                self.fail(path, "float %r, Python %r" % (ours, theirs))
                return
            try:
                same = float_bits(a, t) == float_bits(b, t)
            except OverflowError:
                same = False
            if not same:
                self.fail(path, "%s %r, Python %r" % ("float" if t == FD.TYPE_FLOAT else "double", ours, theirs))
        elif t in INT64_TYPES:
            if not isinstance(ours, str) or ours != theirs:
                self.fail(path, "64-bit integer %r, Python %r" % (ours, theirs))
        elif t in INT32_TYPES:
            if not isinstance(ours, Num) or not isinstance(theirs, Num) or int(ours.text) != int(theirs.text) \
                    or any(c in ours.text for c in ".eE"):
                self.fail(path, "32-bit integer %r, Python %r" % (ours, theirs))
        elif self.null_value(fd):
            # NullValue is null in JSON. With use_integers_for_enums Python writes 0 instead (Go and C++ keep
            # null); both read back as NULL_VALUE.
            if ours is not None or not (theirs is None or (isinstance(theirs, Num) and theirs.text == "0")):
                self.fail(path, "NullValue %r, Python %r" % (ours, theirs))
        elif t == FD.TYPE_ENUM:
            if isinstance(theirs, Num):
                if not isinstance(ours, Num) or int(ours.text) != int(theirs.text):
                    self.fail(path, "enum %r, Python %r" % (ours, theirs))
            elif ours != theirs:
                self.fail(path, "enum %r, Python %r" % (ours, theirs))
        elif t == FD.TYPE_BOOL:
            if ours is not theirs:
                self.fail(path, "bool %r, Python %r" % (ours, theirs))
        elif t in (FD.TYPE_STRING, FD.TYPE_BYTES):
            if not isinstance(ours, str) or ours != theirs:
                self.fail(path, "%s %r, Python %r" % ("string" if t == FD.TYPE_STRING else "bytes", ours, theirs))
        else:
            self.fail(path, "unexpected field type %d" % t)

    @staticmethod
    def floating(value):
        if isinstance(value, Num):
            return float(value.text)
        if value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf").replace("NaN", "nan"))
        return None

    def free(self, ours, theirs, path):
        """Struct / Value / ListValue content: plain JSON, numbers as doubles."""
        if isinstance(theirs, Num):
            if not isinstance(ours, Num) or float_bits(float(ours.text), FD.TYPE_DOUBLE) != \
                    float_bits(float(theirs.text), FD.TYPE_DOUBLE):
                self.fail(path, "number %r, Python %r" % (ours, theirs))
        elif isinstance(theirs, dict):
            if not isinstance(ours, dict) or set(ours) != set(theirs):
                self.fail(path, "object %r, Python %r" % (ours, theirs))
                return
            for key in theirs:
                self.free(ours[key], theirs[key], "%s[%s]" % (path, json.dumps(key)))
        elif isinstance(theirs, list):
            if not isinstance(ours, list) or len(ours) != len(theirs):
                self.fail(path, "array %r, Python %r" % (ours, theirs))
                return
            for index, (a, b) in enumerate(zip(ours, theirs)):
                self.free(a, b, "%s[%d]" % (path, index))
        elif type(ours) is not type(theirs) or ours != theirs:
            self.fail(path, "%r, Python %r" % (ours, theirs))


def canonical(message, pool):
    return json_format.MessageToJson(message, descriptor_pool=pool, indent=None, sort_keys=True,
                                     preserving_proto_field_name=True)


def check(args):
    pool = load_pool(args.descriptors)
    with open(os.path.join(args.input, "cases.json")) as handle:
        cases = {case["name"]: case for case in json.load(handle)["cases"]}
    with open(os.path.join(args.input, "results.json")) as handle:
        results = json.load(handle)["cases"]
    checks = 0
    failures = []

    def fail(kind, name, detail):
        failures.append({"kind": kind, "case": name, "detail": detail})

    for result in results:
        name = result["name"]
        case = cases[name]
        cls = message_class(pool, case["type"])
        original = cls.FromString(base64.b64decode(case["binary"]))
        original.DiscardUnknownFields()
        expected_text = None

        for option, ours_text in result.get("json", {}).items():
            checks += 1
            try:
                ours = load_json(ours_text)
            except ValueError as error:
                fail("encode-%s-invalid-json" % option, name, "%s in %s" % (error, ours_text[:2000]))
                continue
            comparer = Comparer(pool)
            comparer.message(original.DESCRIPTOR, ours, load_json(case["python"][option]), "")
            if comparer.problems:
                fail("encode-%s" % option, name, "; ".join(comparer.problems) + "\n  ours:   %s\n  python: %s" % (
                    ours_text[:3000], case["python"][option][:3000]))

        seen = {}
        for group in ("decoded", "roundtrip"):
            for variant, encoded in result.get(group, {}).items():
                checks += 1
                kind = "%s-%s" % ("decode" if group == "decoded" else "roundtrip", variant)
                if encoded in seen:
                    if seen[encoded]:
                        fail(kind, name, seen[encoded])
                    continue
                data = base64.b64decode(encoded)
                problem = None
                try:
                    actual = cls.FromString(data)
                except Exception as error:  # noqa: BLE001 - any parse failure is the finding
                    problem = "Python cannot parse the binary (%s): %s" % (error, data.hex()[:2000])
                else:
                    if actual != original:
                        if expected_text is None:
                            expected_text = canonical(original, pool)
                        try:
                            actual_text = canonical(actual, pool)
                        except Exception as error:  # noqa: BLE001
                            actual_text = "<MessageToJson failed: %s>" % error
                        if actual_text != expected_text:
                            problem = "decoded message differs\n  got:      %s\n  expected: %s\n  from: %s" % (
                                actual_text[:3000], expected_text[:3000],
                                (case["inputs"][variant] if group == "decoded" else result["json"][variant])[:3000])
                seen[encoded] = problem
                if problem:
                    fail(kind, name, problem)

    json.dump({"checks": checks, "failures": failures}, sys.stdout, ensure_ascii=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate")
    gen.add_argument("--descriptors", required=True)
    gen.add_argument("--type", action="append", required=True)
    gen.add_argument("--count", type=int, default=100, help="messages per type")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    chk = commands.add_parser("check")
    chk.add_argument("--descriptors", required=True)
    chk.add_argument("--in", dest="input", required=True)
    args = parser.parse_args()
    return generate(args) if args.command == "generate" else check(args)


if __name__ == "__main__":
    sys.exit(main())
