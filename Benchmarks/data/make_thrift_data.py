#!/usr/bin/env python3
"""Writes the benchmark messages of shared/specs/benchmark-messages.md in the Thrift binary and compact protocols.

Outputs, next to this script:
  thrift-small.binary  / thrift-small.compact   baseline.Simple
  thrift-medium.binary / thrift-medium.compact  baseline.Nesting
  thrift-large.binary  / thrift-large.compact   baseline.Nesting2

The encoder is Apache Thrift's own Python runtime (pip's `thrift`, the pure-Python protocols) with code generated
by `thrift --gen py` from Descriptors/baseline.thrift into a temporary directory, so the files are what an Apache
peer sends. Output is deterministic: the runtime writes fields in id order and map entries in dict order, and every
map here is filled in key order. `set<Nesting>` is given as a list (generated structs are not hashable); its 16
equal elements are all written, like the proto side's repeated field.

Run from anywhere: python3 Benchmarks/data/make_thrift_data.py
"""

import importlib
import pathlib
import subprocess
import sys
import tempfile

from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.transport import TTransport

HERE = pathlib.Path(__file__).resolve().parent
IDL = HERE.parent.parent / "Descriptors" / "baseline.thrift"

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

PROTOCOLS = {
    "binary": TBinaryProtocol.TBinaryProtocol,
    "compact": TCompactProtocol.TCompactProtocol,
}


def load_types(directory):
    """Generates the Python code for baseline.thrift into `directory` and imports its `ttypes` module."""
    subprocess.run(["thrift", "--gen", "py", "-out", directory, str(IDL)], check=True, capture_output=True)
    sys.path.insert(0, directory)
    return importlib.import_module("baseline.ttypes")


def make_simple(types):
    return types.Simple(
        byte_field=INT8_MAX,
        i64_field=INT64_MAX,
        double_field=DOUBLE_MAX,
        i32_field=INT32_MAX,
        string_field=TEXT,
        binary_field=BINARY,
    )


def make_nesting(types):
    return types.Nesting(
        String=TEXT,
        ListSimple=[make_simple(types) for _ in range(COUNT)],
        Double=DOUBLE_MAX,
        I32=INT32_MAX,
        ListI32=[INT32_MIN] * COUNT,
        I64=INT64_MAX,
        MapStringString={str(i): TEXT for i in range(COUNT)},
        SimpleStruct=make_simple(types),
        MapI32I64={i: INT64_MIN for i in range(COUNT)},
        ListString=[TEXT] * COUNT,
        Binary=BINARY,
        MapI64String={i: TEXT for i in range(COUNT)},
        ListI64=[INT64_MIN] * COUNT,
        Byte=INT8_MAX,
        MapStringSimple={str(i): make_simple(types) for i in range(COUNT)},
    )


def make_nesting2(types):
    return types.Nesting2(
        MapI64Nesting={i: make_nesting(types) for i in range(COUNT)},
        ListNesting=[make_nesting(types) for _ in range(COUNT)],
        SetNesting=[make_nesting(types) for _ in range(COUNT)],
        Nesting=make_nesting(types),
        String=TEXT,
        I32=INT32_MAX,
        Double=DOUBLE_MAX,
        I64=INT64_MAX,
        Bool=True,
    )


def encode(struct, protocol):
    transport = TTransport.TMemoryBuffer()
    struct.write(PROTOCOLS[protocol](transport))
    return transport.getvalue()


def decode(data, protocol, struct_type):
    struct = struct_type()
    struct.read(PROTOCOLS[protocol](TTransport.TMemoryBuffer(data)))
    return struct


def main():
    with tempfile.TemporaryDirectory() as directory:
        types = load_types(directory)
        messages = {"small": make_simple(types), "medium": make_nesting(types), "large": make_nesting2(types)}
        for size, struct in messages.items():
            sizes = []
            for protocol in PROTOCOLS:
                data = encode(struct, protocol)
                # Reading back with the same runtime catches a field the generated code silently skipped. Not on
                # the large message: the generated reader puts SetNesting's unhashable elements in a Python set.
                if size != "large" and decode(data, protocol, type(struct)) != struct:
                    sys.exit(f"thrift-{size}.{protocol} does not decode to the message written")
                (HERE / f"thrift-{size}.{protocol}").write_bytes(data)
                sizes.append(f"{len(data)} bytes {protocol}")
            print(f"thrift-{size}: baseline.{type(struct).__name__}, " + ", ".join(sizes))


if __name__ == "__main__":
    main()
