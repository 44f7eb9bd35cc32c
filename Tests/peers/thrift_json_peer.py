#!/usr/bin/env python3
"""Apache Thrift (Python runtime + `thrift --gen py` code) as a peer for Portico's Thrift <-> JSON conversion.

Types come from `thrift -r --gen json` descriptions (field names, ids, requiredness, annotations), so values are
generated and JSON is rendered for any IDL without hand-written code per struct.

  generate --gen PYDIR --idl JSONDIR --types A.X,B.Y --count N --seed S --out DIR
      Writes N random values (cycling through the types) as NAME.type, NAME.binary and NAME.compact (Apache's
      encodings), NAME.expected.json and NAME.expected-int64.json: the JSON our conventions give, rendered here
      independently from the Apache object (keys from api.key / go.tag json names, api.js_conv values as strings,
      i64 as numbers or, in the -int64 variant, strings; binary as base64; sets and lists as arrays; maps as objects
      with stringified keys; a union as its one member).
  check --gen PYDIR --idl JSONDIR --in DIR
      Compares NAME.ours.json and NAME.ours-int64.json (Portico's output) with the expected renderings, semantically
      (set order ignored, numbers compared as numbers), and decodes every NAME.back-*.binary / .compact Portico
      produced from JSON, which must equal Apache's own decoding of NAME.binary. Prints "checked N, M mismatches"
      and exits 1 on any mismatch.
"""
import argparse, base64, importlib, json, os, random, sys

EDGE_I8 = [0, 1, -1, 127, -128, 42]
EDGE_I16 = [0, 1, -1, 32767, -32768, 300]
EDGE_I32 = [0, 1, -1, 2**31 - 1, -2**31, 150, 16384]
EDGE_I64 = [0, 1, -1, 2**63 - 1, -2**63, 300, -300, 2**53 + 1, -(2**40)]
DOUBLES = [0.0, -0.0, 1.5, -2.25, 0.1, 1e21, 1.7976931348623157e308, 5e-324, 123456789.125, 3.0, -1e-7]
STRINGS = ["", "a", "你好,\b\n\r\t世界", "ünï\"cødé\\/", "nul\x00ctl\x1f", "emoji 😀 \u2028", "key"]


class IDL:
    """`thrift --gen json` descriptions of every file in a directory, and the Python classes generated for them."""

    def __init__(self, idl_dir, gen_dir):
        sys.path.insert(0, gen_dir)
        self.structs = {}
        self.modules = {}
        for entry in sorted(os.listdir(idl_dir)):
            if not entry.endswith(".json"):
                continue
            doc = json.load(open(os.path.join(idl_dir, entry)))
            scope = entry[: -len(".json")]
            self.modules[scope] = doc.get("namespaces", {}).get("py", scope)
            for struct in doc["structs"]:
                self.structs[scope + "." + struct["name"]] = (scope, struct)

    def struct(self, qualified):
        return self.structs[qualified]

    def cls(self, qualified):
        scope, struct = self.structs[qualified]
        module = importlib.import_module(self.modules[scope] + ".ttypes")
        return getattr(module, struct["name"])

    @staticmethod
    def qualify(class_name, scope):
        return class_name if "." in class_name else scope + "." + class_name


def field_type(field):
    return field.get("type") or {"typeId": field["typeId"]}


def elem_type(t):
    return t.get("elemType") or {"typeId": t["elemTypeId"]}


def key_type(t):
    return t.get("keyType") or {"typeId": t["keyTypeId"]}


def value_type(t):
    return t.get("valueType") or {"typeId": t["valueTypeId"]}


def json_key(field):
    annotations = field.get("annotations", {})
    if annotations.get("api.key"):
        return annotations["api.key"]
    tag = annotations.get("go.tag", "")
    for part in tag.split(" "):
        if part.startswith('json:"'):
            name = part[len('json:"'):].split('"')[0].split(",")[0]
            if name and name != "-":
                return name
    return field["name"]


def is_js_conv(field):
    return bool(field.get("annotations", {}).get("api.js_conv"))


HASHABLE = {"bool", "i8", "i16", "i32", "i64", "double", "string", "binary"}
STRUCTS = {"struct", "union", "exception"}


class Generator:
    def __init__(self, idl, rng):
        self.idl = idl
        self.rng = rng

    def count(self, t, depth):
        r = self.rng.random()
        if depth > 4 or t["typeId"] in STRUCTS or t["typeId"] in ("list", "set", "map"):
            return self.rng.randint(0, 2)
        if r < 0.05:
            return self.rng.randint(130, 160)  # compact map counts past one varint byte
        if r < 0.2:
            return self.rng.randint(15, 40)  # compact list counts past the short header
        return self.rng.randint(0, 6)

    def value(self, t, scope, depth):
        rng = self.rng
        kind = t["typeId"]
        if kind == "bool":
            return rng.random() < 0.5
        if kind == "i8":
            return rng.choice(EDGE_I8)
        if kind == "i16":
            return rng.choice(EDGE_I16)
        if kind == "i32":
            return rng.choice(EDGE_I32 + [rng.randint(-2**31, 2**31 - 1)])
        if kind == "i64":
            return rng.choice(EDGE_I64 + [rng.randint(-2**63, 2**63 - 1)])
        if kind == "double":
            return rng.choice(DOUBLES + [rng.uniform(-1e6, 1e6)])
        if kind == "string":
            return rng.choice(STRINGS + ["x" * rng.randint(0, 40), "s%d" % rng.randint(0, 10**6)])
        if kind == "binary":
            return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 24)))
        if kind in STRUCTS:
            return self.struct(IDL.qualify(t["class"], scope), depth + 1)
        if kind == "list":
            return [self.value(elem_type(t), scope, depth + 1) for _ in range(self.count(elem_type(t), depth))]
        if kind == "set":
            element = elem_type(t)
            if element["typeId"] not in HASHABLE:
                return None  # Apache's Python classes are not hashable
            return {self.value(element, scope, depth + 1) for _ in range(self.count(element, depth))}
        if kind == "map":
            if key_type(t)["typeId"] not in HASHABLE:
                return None
            n = self.count(value_type(t), depth)
            return {self.value(key_type(t), scope, depth + 1): self.value(value_type(t), scope, depth + 1) for _ in range(n)}
        raise ValueError(kind)

    def struct(self, qualified, depth=0):
        scope, struct = self.idl.struct(qualified)
        fields = struct["fields"]
        # Every field is passed, None included (it clears the constructor's IDL default); exceptions are immutable.
        values = {field["name"]: None for field in fields}
        if struct.get("isUnion"):
            # Exactly one member, and one Python can hold.
            for _ in range(20):
                field = self.rng.choice(fields)
                value = self.value(field_type(field), scope, depth)
                if value is not None:
                    values[field["name"]] = value
                    return self.idl.cls(qualified)(**values)
            raise ValueError("no member of %s can be generated" % qualified)
        for field in fields:
            if field["required"] == "required" or self.rng.random() < 0.75:
                values[field["name"]] = self.value(field_type(field), scope, depth)
        return self.idl.cls(qualified)(**values)


class Renderer:
    """The JSON of an Apache object under our conventions, as Python values ready for json.dumps."""

    def __init__(self, idl, int64_as_string):
        self.idl = idl
        self.int64_as_string = int64_as_string

    def struct(self, obj, qualified):
        scope, struct = self.idl.struct(qualified)
        out = {}
        for field in struct["fields"]:
            value = getattr(obj, field["name"])
            if value is not None:
                out[json_key(field)] = self.value(value, field_type(field), scope, is_js_conv(field))
        return out

    def value(self, v, t, scope, js_conv=False):
        kind = t["typeId"]
        if kind == "bool":
            return v
        if kind in ("i8", "i16", "i32"):
            return str(v) if js_conv else v
        if kind == "i64":
            return str(v) if js_conv or self.int64_as_string else v
        if kind == "double":
            return repr(float(v)) if js_conv else float(v)
        if kind == "string":
            return v
        if kind == "binary":
            return base64.b64encode(v).decode()
        if kind in STRUCTS:
            return self.struct(v, IDL.qualify(t["class"], scope))
        if kind in ("list", "set"):
            return [self.value(item, elem_type(t), scope, js_conv) for item in v]
        if kind == "map":
            return {self.key(k, key_type(t)): self.value(item, value_type(t), scope, js_conv) for k, item in v.items()}
        raise ValueError(kind)

    def key(self, k, t):
        kind = t["typeId"]
        if kind == "bool":
            return "true" if k else "false"
        if kind == "double":
            return repr(float(k))
        if kind == "binary":
            return base64.b64encode(k).decode()
        return str(k)


def canon(v, t, idl, scope):
    """A comparable form of a JSON value of type `t`: set order dropped, numbers as numbers, strings tagged."""
    kind = t["typeId"]
    if kind in STRUCTS:
        qualified = IDL.qualify(t["class"], scope)
        inner_scope, struct = idl.struct(qualified)
        if not isinstance(v, dict):
            return ("not an object", v)
        by_key = {json_key(f): f for f in struct["fields"]}
        return {k: canon(item, field_type(by_key[k]), idl, inner_scope) if k in by_key else ("unknown", item)
                for k, item in v.items()}
    if kind == "list":
        return [canon(item, elem_type(t), idl, scope) for item in v]
    if kind == "set":
        return ("set", sorted((canon(item, elem_type(t), idl, scope) for item in v), key=repr))
    if kind == "map":
        kt = key_type(t)["typeId"]
        entries = [(float(k) if kt == "double" else k, canon(item, value_type(t), idl, scope)) for k, item in v.items()]
        return ("map", sorted(entries, key=repr))
    if kind == "double":
        return ("string", float(v)) if isinstance(v, str) else ("number", float(v))
    if kind in ("i8", "i16", "i32", "i64"):
        return ("string", v) if isinstance(v, str) else ("number", v)
    return v


def encode(obj, protocol_class, TTransport):
    buffer = TTransport.TMemoryBuffer()
    obj.write(protocol_class(buffer))
    return buffer.getvalue()


def decode(cls, data, protocol_class, TTransport):
    obj = cls()
    obj.read(protocol_class(TTransport.TMemoryBuffer(data)))
    return obj


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["generate", "check"])
    parser.add_argument("--gen", required=True)
    parser.add_argument("--idl", required=True)
    parser.add_argument("--types", default="")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    parser.add_argument("--in", dest="input")
    args = parser.parse_args()
    idl = IDL(args.idl, args.gen)
    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    from thrift.transport import TTransport
    binary, compact = TBinaryProtocol.TBinaryProtocol, TCompactProtocol.TCompactProtocol

    if args.mode == "generate":
        rng = random.Random(args.seed)
        generator = Generator(idl, rng)
        types = args.types.split(",")
        for i in range(args.count):
            qualified = types[i % len(types)]
            obj = generator.struct(qualified)
            obj.validate()
            name = os.path.join(args.out, "v%04d" % i)
            open(name + ".type", "w").write(qualified)
            open(name + ".binary", "wb").write(encode(obj, binary, TTransport))
            open(name + ".compact", "wb").write(encode(obj, compact, TTransport))
            for suffix, int64 in (("", False), ("-int64", True)):
                rendered = Renderer(idl, int64).struct(obj, qualified)
                json.dump(rendered, open(name + ".expected" + suffix + ".json", "w"))
        return 0

    checked = failures = 0
    for entry in sorted(os.listdir(args.input)):
        if not entry.endswith(".type"):
            continue
        name = os.path.join(args.input, entry[: -len(".type")])
        qualified = open(name + ".type").read()
        scope = qualified.rsplit(".", 1)[0]
        t = {"typeId": "struct", "class": qualified}
        reference = decode(idl.cls(qualified), open(name + ".binary", "rb").read(), binary, TTransport)
        for suffix in ("", "-int64"):
            ours = json.load(open(name + ".ours" + suffix + ".json"))
            expected = json.load(open(name + ".expected" + suffix + ".json"))
            checked += 1
            if canon(ours, t, idl, scope) != canon(expected, t, idl, scope):
                failures += 1
                print("JSON MISMATCH %s%s\n  expected %s\n  ours     %s" % (name, suffix, expected, ours))
        directory = os.path.dirname(name)
        prefix = os.path.basename(name) + ".back-"
        for other in sorted(os.listdir(directory)):
            if not other.startswith(prefix):
                continue
            protocol = compact if other.endswith(".compact") else binary
            checked += 1
            try:
                actual = decode(idl.cls(qualified), open(os.path.join(directory, other), "rb").read(), protocol, TTransport)
            except Exception as error:  # noqa: BLE001 - any decoding failure is a mismatch
                actual = "undecodable: %r" % error
            if actual != reference:
                failures += 1
                print("VALUE MISMATCH %s\n  expected %s\n  actual   %s" % (other, reference, actual))
    print("checked %d, %d mismatches" % (checked, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
