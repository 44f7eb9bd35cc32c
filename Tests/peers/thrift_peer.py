#!/usr/bin/env python3
"""Apache Thrift (Python runtime + `thrift --gen py` code) as a peer for Portico's Thrift codec tests.

  generate --gen DIR --count N --seed S --out DIR
      Writes N random baseline.Nesting2 values as NAME.binary / NAME.compact (Apache's own encodings) and
      NAME.json: leaf paths in Portico syntax with expected values.
  check --gen DIR --in DIR
      For every NAME.edits.json (edits applied by Portico) compares NAME.edited.{binary,compact} decoded by Apache
      with the original value after Python applies the same edits. Exits 1 on any mismatch.
"""
import argparse, base64, copy, json, os, random, sys


def load(gen):
    sys.path.insert(0, gen)
    from baseline import ttypes
    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    from thrift.transport import TTransport
    return ttypes, TBinaryProtocol, TCompactProtocol, TTransport


def encode(obj, protocol_class, TTransport):
    buffer = TTransport.TMemoryBuffer()
    obj.write(protocol_class(buffer))
    return buffer.getvalue()


def decode(cls, data, protocol_class, TTransport):
    obj = cls()
    obj.read(protocol_class(TTransport.TMemoryBuffer(data)))
    return obj


EDGE_I64 = [0, 1, -1, 2**63 - 1, -2**63, 300, -300]
EDGE_I32 = [0, 1, -1, 2**31 - 1, -2**31, 150]


def rstring(rng):
    return rng.choice(["", "a", "你好,\b\n\r\t世界", "x" * rng.randint(0, 40), "ünï\"cødé\\"])


def rbinary(rng):
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 20)))


def simple(ttypes, rng):
    s = ttypes.Simple()
    if rng.random() < 0.8: s.byte_field = rng.choice([0, 127, -128, 5])
    if rng.random() < 0.8: s.i64_field = rng.choice(EDGE_I64)
    if rng.random() < 0.8: s.double_field = rng.choice([0.0, -0.0, 1.5, 1.7976931348623157e308, 5e-324, -2.25])
    if rng.random() < 0.8: s.i32_field = rng.choice(EDGE_I32)
    if rng.random() < 0.8: s.string_field = rstring(rng)
    if rng.random() < 0.8: s.binary_field = rbinary(rng)
    return s


def nesting(ttypes, rng):
    n = ttypes.Nesting()
    r = rng.random
    if r() < 0.8: n.String = rstring(rng)
    if r() < 0.8: n.ListSimple = [simple(ttypes, rng) for _ in range(rng.randint(0, 4))]
    if r() < 0.8: n.Double = rng.choice([0.5, -1e10, 3.0])
    if r() < 0.8: n.I32 = rng.choice(EDGE_I32)
    if r() < 0.8: n.ListI32 = [rng.choice(EDGE_I32) for _ in range(rng.randint(0, 20))]
    if r() < 0.8: n.I64 = rng.choice(EDGE_I64)
    if r() < 0.8: n.MapStringString = {str(i): rstring(rng) for i in range(rng.randint(0, 5))}
    if r() < 0.8: n.SimpleStruct = simple(ttypes, rng)
    if r() < 0.8: n.MapI32I64 = {rng.choice(EDGE_I32) ^ i: rng.choice(EDGE_I64) for i in range(rng.randint(0, 4))}
    if r() < 0.8: n.ListString = [rstring(rng) for _ in range(rng.randint(0, 4))]
    if r() < 0.8: n.Binary = rbinary(rng)
    if r() < 0.8: n.MapI64String = {rng.choice(EDGE_I64) // 3 + i: rstring(rng) for i in range(rng.randint(0, 4))}
    if r() < 0.8: n.ListI64 = [rng.choice(EDGE_I64) for _ in range(rng.randint(0, 20))]
    if r() < 0.8: n.Byte = rng.choice([0, -1, 127, -128])
    if r() < 0.8: n.MapStringSimple = {str(i): simple(ttypes, rng) for i in range(rng.randint(0, 3))}
    return n


def nesting2(ttypes, rng):
    n = ttypes.Nesting2()
    if rng.random() < 0.7: n.MapI64Nesting = {i * 1000: nesting(ttypes, rng) for i in range(rng.randint(0, 2))}
    if rng.random() < 0.7: n.ListNesting = [nesting(ttypes, rng) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.7: n.Nesting = nesting(ttypes, rng)
    if rng.random() < 0.7: n.String = rstring(rng)
    if rng.random() < 0.7: n.I32 = rng.choice(EDGE_I32)
    if rng.random() < 0.7: n.Double = 2.5
    if rng.random() < 0.7: n.I64 = rng.choice(EDGE_I64)
    if rng.random() < 0.9: n.Bool = rng.choice([True, False])
    return n


def leaves(obj, path, out):
    """Portico-syntax paths of every scalar leaf reachable through fields, list indexes and map keys."""
    if obj is None:
        return
    if hasattr(obj, "thrift_spec"):
        for spec in obj.thrift_spec:
            if spec is None:
                continue
            name = spec[2]
            value = getattr(obj, name)
            leaves(value, f"{path}.{name}" if path else name, out)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            leaves(item, f"{path}[{i}]", out)
    elif isinstance(obj, dict):
        for key, item in obj.items():
            leaves(item, f'{path}["{key}"]' if isinstance(key, str) else f"{path}[{key}]", out)
    elif isinstance(obj, bool):
        out.append({"path": path, "kind": "bool", "value": obj})
    elif isinstance(obj, int):
        out.append({"path": path, "kind": "int", "value": str(obj)})
    elif isinstance(obj, float):
        out.append({"path": path, "kind": "double", "value": obj.hex()})
    elif isinstance(obj, bytes):
        out.append({"path": path, "kind": "binary", "value": base64.b64encode(obj).decode()})
    elif isinstance(obj, str):
        out.append({"path": path, "kind": "string", "value": obj})


def apply_edit(obj, edit):
    """Applies one of the edits the Swift test performs (a small fixed vocabulary)."""
    op, path, value = edit["op"], edit["path"], edit.get("value")
    if op == "set-i32":
        obj.I32 = value
    elif op == "append-list-i32":
        obj.Nesting.ListI32 = (obj.Nesting.ListI32 or []) + [value]
    elif op == "set-map-simple-i64":
        m = obj.Nesting.MapStringSimple if obj.Nesting.MapStringSimple is not None else {}
        from baseline import ttypes
        m.setdefault(edit["key"], ttypes.Simple()).i64_field = value
        obj.Nesting.MapStringSimple = m
    elif op == "unset-string":
        obj.String = None
    elif op == "flip-bool":
        obj.Bool = value
    elif op == "unset-first-list-nesting":
        if obj.ListNesting:
            obj.ListNesting = obj.ListNesting[1:]
    elif op == "set-new-nesting-string":
        from baseline import ttypes
        if obj.Nesting is None:
            obj.Nesting = ttypes.Nesting()
        obj.Nesting.String = value
    else:
        raise ValueError(op)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["generate", "check"])
    parser.add_argument("--gen", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    parser.add_argument("--in", dest="input")
    args = parser.parse_args()
    ttypes, TBinary, TCompact, TTransport = load(args.gen)
    binary, compact = TBinary.TBinaryProtocol, TCompact.TCompactProtocol
    if args.mode == "generate":
        rng = random.Random(args.seed)
        for i in range(args.count):
            obj = nesting2(ttypes, rng)
            name = os.path.join(args.out, f"m{i:04d}")
            open(name + ".binary", "wb").write(encode(obj, binary, TTransport))
            open(name + ".compact", "wb").write(encode(obj, compact, TTransport))
            out = []
            leaves(obj, "", out)
            json.dump(out, open(name + ".json", "w"))
        return 0
    failures = 0
    for entry in sorted(os.listdir(args.input)):
        if not entry.endswith(".edits.json"):
            continue
        name = os.path.join(args.input, entry[: -len(".edits.json")])
        expected = decode(ttypes.Nesting2, open(name + ".binary", "rb").read(), binary, TTransport)
        for edit in json.load(open(name + ".edits.json")):
            apply_edit(expected, edit)
        for proto, cls in (("binary", binary), ("compact", compact)):
            path = name + ".edited." + proto
            actual = decode(ttypes.Nesting2, open(path, "rb").read(), cls, TTransport)
            if actual != expected:
                failures += 1
                print(f"MISMATCH {path}\n  expected {expected}\n  actual   {actual}")
    print(f"checked, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
