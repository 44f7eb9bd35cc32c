#!/usr/bin/env python3
"""Apache Thrift (Python runtime + `thrift --gen py` code of Descriptors/test/nested.thrift) as the oracle for paths
into nested containers: lists, sets and maps inside each other, structs at the bottom.

  generate --gen DIR --count N --seed S --out DIR
      Writes N random nested.Deep values as NAME.binary / NAME.compact (Apache's encodings) and NAME.json:
        gets   every path (fields, elements, entries at any depth, plus absent ones) with the canonical text of
               the value there, or null;
        edits  sets and unsets, each checked alone against the original (NAME.edit<J>.expected, binary);
        chain  edits applied one after another (NAME.chain.expected);
        masks  field masks (NAME.mask<J>.expected).
  check --gen DIR --in DIR
      Decodes every NAME.*.actual.<protocol> (written by Portico) and compares it with the matching expected
      value; prints each mismatch and exits 1 if there is any.

Canonical text (the Swift test writes the same): ints `i5`, bools `true`, doubles `d` + IEEE bits in hex, strings
`s` + UTF-8 hex, binary `x` + hex, lists `[a,b]`, sets `{...}` sorted, maps `<k:v,...>` sorted, structs
`(1=...,2=...)` by field id.
"""
import argparse, base64, copy, glob, json, os, random, struct, sys

def load(gen):
    sys.path.insert(0, gen)
    from nested import ttypes
    from thrift.Thrift import TType
    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    from thrift.transport import TTransport
    return ttypes, TType, TBinaryProtocol, TCompactProtocol, TTransport


class Peer:
    def __init__(self, gen):
        self.ttypes, self.TType, self.TBinary, self.TCompact, self.TTransport = load(gen)

    # Types, from thrift_spec: ("struct", cls) | ("list", t) | ("set", t) | ("map", k, v) | (scalar name,)
    def spec_type(self, ttype, args):
        T = self.TType
        if ttype == T.STRUCT:
            return ("struct", args[0])
        if ttype == T.LIST:
            return ("list", self.spec_type(args[0], args[1]))
        if ttype == T.SET:
            return ("set", self.spec_type(args[0], args[1]))
        if ttype == T.MAP:
            return ("map", self.spec_type(args[0], args[1]), self.spec_type(args[2], args[3]))
        if ttype == T.STRING:
            return ("binary",) if args == "BINARY" else ("string",)
        return ({T.BOOL: "bool", T.BYTE: "byte", T.I16: "i16", T.I32: "i32", T.I64: "i64", T.DOUBLE: "double"}[ttype],)

    def fields(self, cls):
        return [(spec[0], spec[2], self.spec_type(spec[1], spec[3])) for spec in cls.thrift_spec if spec is not None]

    def empty(self, cls):
        obj = cls()
        for _, name, _ in self.fields(cls):
            setattr(obj, name, None)
        return obj

    def encode(self, obj, protocol):
        buffer = self.TTransport.TMemoryBuffer()
        obj.write((self.TBinary.TBinaryProtocol if protocol == "binary" else self.TCompact.TCompactProtocol)(buffer))
        return buffer.getvalue()

    def decode(self, data, protocol):
        obj = self.empty(self.ttypes.Deep)   # no constructor defaults: what is absent stays None
        transport = self.TTransport.TMemoryBuffer(data)
        obj.read((self.TBinary.TBinaryProtocol if protocol == "binary" else self.TCompact.TCompactProtocol)(transport))
        return obj


def canonical(peer, value, type_):
    if value is None:
        return None
    kind = type_[0]
    if kind == "struct":
        parts = []
        for fid, name, ftype in peer.fields(type_[1]):
            inner = getattr(value, name)
            if inner is not None:
                parts.append("%d=%s" % (fid, canonical(peer, inner, ftype)))
        return "(" + ",".join(parts) + ")"
    if kind == "list":
        return "[" + ",".join(canonical(peer, item, type_[1]) for item in value) + "]"
    if kind == "set":
        return "{" + ",".join(sorted(canonical(peer, item, type_[1]) for item in value)) + "}"
    if kind == "map":
        return "<" + ",".join(sorted(canonical(peer, k, type_[1]) + ":" + canonical(peer, v, type_[2])
                                     for k, v in value.items())) + ">"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "double":
        return "d" + struct.pack(">d", value).hex()
    if kind == "string":
        return "s" + value.encode("utf-8").hex()
    if kind == "binary":
        return "x" + bytes(value).hex()
    return "i%d" % value


KEYS = ["", "a", "k", "a\b\n\t", "\u2028", "\U0001F600", "quote\"", "back\\slash", "/slash", "\x01\x1f", "\u00e9t\u00e9",
        "\u4e2d", "tab\there", "\f\r"]


class Values:
    def __init__(self, peer, rng):
        self.peer, self.rng = peer, rng

    def size(self, long_lists=False):
        rng = self.rng
        if long_lists and rng.random() < 0.3:
            return rng.choice([14, 15, 127, 128])
        return rng.choice([0, 1, 1, 2, 2, 3, 4])

    def key(self, type_):
        if type_[0] == "string":
            return self.rng.choice(KEYS + ["key%d" % self.rng.randint(0, 99)])
        if type_[0] == "i16":
            return self.rng.randint(-300, 300)
        if type_[0] == "i32":
            return self.rng.choice([0, 1, -1, 7, 2**31 - 1, -2**31, self.rng.randint(-1000, 1000)])
        return self.rng.choice([0, 5, -5, 2**63 - 1, -2**63, self.rng.randint(-10**12, 10**12)])

    def value(self, type_, depth=0, long_lists=False):
        rng, kind = self.rng, type_[0]
        if kind == "struct":
            obj = self.peer.empty(type_[1])
            for _, name, ftype in self.peer.fields(type_[1]):
                if rng.random() < (0.7 if depth < 3 else 0.3):
                    setattr(obj, name, self.value(ftype, depth + 1, long_lists))
            return obj
        # Long lists only for scalar elements a level or two down, so samples stay small.
        long_here = long_lists and depth in (2, 3) and kind in ("list", "set") and len(type_[1]) == 1
        if kind == "list":
            return [self.value(type_[1], depth + 1, long_lists) for _ in range(self.size(long_here))]
        if kind == "set":
            return {self.value(type_[1], depth + 1) for _ in range(self.size(long_here))}
        if kind == "map":
            result = {}
            for _ in range(self.size()):
                result[self.key(type_[1])] = self.value(type_[2], depth + 1, long_lists)
            return result
        if kind == "bool":
            return rng.random() < 0.5
        if kind == "byte":
            return rng.randint(-128, 127)
        if kind == "i16":
            return rng.randint(-2**15, 2**15 - 1)
        if kind == "i32":
            return rng.choice([0, 1, -1, 150, 2**31 - 1, -2**31, rng.randint(-10**6, 10**6)])
        if kind == "i64":
            return rng.choice([0, -1, 300, 2**63 - 1, -2**63, rng.randint(-10**15, 10**15)])
        if kind == "double":
            return rng.choice([0.0, -0.0, 1.5, -2.25, 1e300, 5e-324, float("inf")])
        if kind == "string":
            return rng.choice(KEYS + ["x" * rng.randint(0, 30)])
        if kind == "binary":
            return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 12)))
        raise ValueError(kind)

    def fresh_key(self, type_, existing):
        for _ in range(100):
            key = self.key(type_)
            if key not in existing:
                return key
        return None


# Paths: steps ("f", name, id) | ("i", index) | ("k", key); the text form is Portico's path syntax.
def path_text(steps, rng):
    out = ""
    for step in steps:
        if step[0] == "f":
            name = str(step[2]) if rng.random() < 0.15 else step[1]
            out += ("." if out else "") + name
        elif step[0] == "i":
            out += "[%d]" % step[1]
        elif isinstance(step[1], str):
            # JSON escapes (ASCII only, surrogate pairs for emoji) or raw UTF-8 with only the required escapes.
            out += "[" + json.dumps(step[1], ensure_ascii=rng.random() < 0.6) + "]"
        elif rng.random() < 0.2:
            out += '["%d"]' % step[1]
        else:
            out += "[%d]" % step[1]
    return out


def walk(peer, value, type_, steps, out, values):
    """Every node under `value`: (steps, type, value or None, set order info), absent positions included."""
    kind = type_[0]
    if kind == "struct":
        for fid, name, ftype in peer.fields(type_[1]):
            inner = getattr(value, name)
            child = steps + [("f", name, fid)]
            out.append({"steps": child, "type": ftype, "value": inner})
            if inner is not None:
                walk(peer, inner, ftype, child, out, values)
    elif kind in ("list", "set"):
        items = list(value)   # a set's wire order is its iteration order when it was written
        for index, item in enumerate(items):
            child = steps + [("i", index)]
            out.append({"steps": child, "type": type_[1], "value": item, "set": kind == "set"})
            walk(peer, item, type_[1], child, out, values)
        out.append({"steps": steps + [("i", len(items))], "type": type_[1], "value": None, "set": kind == "set"})
    elif kind == "map":
        for key, item in value.items():
            child = steps + [("k", key)]
            out.append({"steps": child, "type": type_[2], "value": item})
            walk(peer, item, type_[2], child, out, values)
        key = values.fresh_key(type_[1], value)
        if key is not None:
            out.append({"steps": steps + [("k", key)], "type": type_[2], "value": None})


class Applier:
    """Edits on Python objects with Portico's path semantics."""

    def __init__(self, peer):
        self.peer = peer

    def build(self, type_, steps, new):
        if not steps:
            return new
        step, rest, kind = steps[0], steps[1:], type_[0]
        if kind == "struct":
            obj = self.peer.empty(type_[1])
            ftype = self.field_type(type_, step)
            setattr(obj, step[1], self.build(ftype, rest, new))
            return obj
        if kind in ("list", "set"):
            if step != ("i", 0):
                raise IndexError("only [0] can be created")
            inner = self.build(type_[1], rest, new)
            return [inner] if kind == "list" else {inner}
        if kind == "map":
            return {step[1]: self.build(type_[2], rest, new)}
        raise TypeError("no parts")

    def field_type(self, type_, step):
        for _, name, ftype in self.peer.fields(type_[1]):
            if name == step[1]:
                return ftype
        raise KeyError(step)

    def set(self, value, type_, steps, new, old=None):
        """Returns the value with `new` written at `steps` (creating what is absent)."""
        if value is None:
            return self.build(type_, steps, new)
        step, rest, kind = steps[0], steps[1:], type_[0]
        if kind == "struct":
            ftype = self.field_type(type_, step)
            inner = getattr(value, step[1])
            setattr(value, step[1], new if not rest else self.set(inner, ftype, rest, new, old))
            return value
        if kind == "list":
            index = step[1]
            if index < len(value):
                value[index] = new if not rest else self.set(value[index], type_[1], rest, new, old)
            elif index == len(value):
                value.append(self.build(type_[1], rest, new))
            else:
                raise IndexError(index)
            return value
        if kind == "set":
            index = step[1]
            if index < len(value):
                if rest or old is None:
                    raise TypeError("set elements are replaced only at the end of a path, with the old value known")
                value.discard(old)
                value.add(new)
            elif index == len(value):
                value.add(self.build(type_[1], rest, new))
            else:
                raise IndexError(index)
            return value
        if kind == "map":
            key = step[1]
            if key in value and rest:
                value[key] = self.set(value[key], type_[2], rest, new, old)
            elif key in value:
                value[key] = new
            else:
                value[key] = self.build(type_[2], rest, new)
            return value
        raise TypeError("no parts")

    def unset(self, value, type_, steps, old=None):
        if value is None:
            return
        step, rest, kind = steps[0], steps[1:], type_[0]
        if kind == "struct":
            if not rest:
                setattr(value, step[1], None)
            else:
                self.unset(getattr(value, step[1]), self.field_type(type_, step), rest, old)
        elif kind in ("list", "set"):
            # Like Portico: one past the end is absent, further is an error.
            if step[1] > len(value):
                raise IndexError(step[1])
            if step[1] == len(value):
                return
            if kind == "set":
                if rest or old is None:
                    raise TypeError("set elements are removed only at the end of a path, with the old value known")
                value.discard(old)
            elif rest:
                self.unset(value[step[1]], type_[1], rest, old)
            else:
                del value[step[1]]
        elif kind == "map":
            if step[1] in value:
                if rest:
                    self.unset(value[step[1]], type_[2], rest, old)
                else:
                    del value[step[1]]


def tagged(peer, value, type_):
    """A value as the Swift test builds it: {"i": "5"}, {"s": ...}, {"l": [...]}, {"st": [[id, v], ...]}, ..."""
    kind = type_[0]
    if kind == "struct":
        return {"st": [[fid, tagged(peer, getattr(value, name), ftype)]
                       for fid, name, ftype in peer.fields(type_[1]) if getattr(value, name) is not None]}
    if kind == "list":
        return {"l": [tagged(peer, item, type_[1]) for item in value]}
    if kind == "set":
        return {"set": [tagged(peer, item, type_[1]) for item in value]}
    if kind == "map":
        return {"m": [[tagged(peer, k, type_[1]), tagged(peer, v, type_[2])] for k, v in value.items()]}
    if kind == "bool":
        return {"b": bool(value)}
    if kind == "double":
        return {"d": struct.pack(">d", value).hex()}
    if kind == "string":
        return {"s": value}
    if kind == "binary":
        return {"x": base64.b64encode(bytes(value)).decode()}
    return {"i": str(value)}


# Masks: steps as in paths; a field step after a container applies to every element / map value.
class Mask:
    def __init__(self):
        self.all, self.fields, self.every, self.selected = False, {}, None, {}

    def insert(self, peer, type_, steps):
        if self.all:
            return
        if not steps:
            self.all, self.fields, self.every, self.selected = True, {}, None, {}
            return
        step, kind = steps[0], type_[0]
        if kind == "struct":
            ftype = Applier(peer).field_type(type_, step)
            self.fields.setdefault(step[1], Mask()).insert(peer, ftype, steps[1:])
        elif kind in ("list", "set", "map"):
            inner = type_[1] if kind != "map" else type_[2]
            if step[0] in ("i", "k"):
                self.selected.setdefault(step[1], Mask()).insert(peer, inner, steps[1:])
            else:
                if self.every is None:
                    self.every = Mask()
                self.every.insert(peer, inner, steps)

    def element(self, selector):
        chosen = [m for m in (self.every, self.selected.get(selector)) if m is not None]
        return chosen or None

    def apply(self, peer, value, type_):
        return apply_masks([self], peer, value, type_)


def apply_masks(masks, peer, value, type_):
    """The part of `value` that any of `masks` keeps (their union)."""
    if value is None or any(m.all for m in masks):
        return copy.deepcopy(value)
    kind = type_[0]
    if kind == "struct":
        obj = peer.empty(type_[1])
        for _, name, ftype in peer.fields(type_[1]):
            subs = [m.fields[name] for m in masks if name in m.fields]
            if subs and getattr(value, name) is not None:
                setattr(obj, name, apply_masks(subs, peer, getattr(value, name), ftype))
        return obj
    if kind in ("list", "set"):
        kept = []
        for index, item in enumerate(list(value)):
            subs = [s for m in masks for s in (m.element(index) or [])]
            if subs:
                kept.append(apply_masks(subs, peer, item, type_[1]))
        return kept if kind == "list" else set(kept)
    if kind == "map":
        kept = {}
        for key, item in value.items():
            subs = [s for m in masks for s in (m.element(key) or [])]
            if subs:
                kept[key] = apply_masks(subs, peer, item, type_[2])
        return kept
    return copy.deepcopy(value)


def generate(args):
    peer = Peer(args.gen)
    rng = random.Random(args.seed)
    values = Values(peer, rng)
    applier = Applier(peer)
    root = ("struct", peer.ttypes.Deep)
    for sample in range(args.count):
        name = os.path.join(args.out, "n%04d" % sample)
        obj = values.value(root, long_lists=sample % 3 == 0)
        obj.count = rng.choice([5, 0, None, -7])
        encoded = {p: peer.encode(obj, p) for p in ("binary", "compact")}
        for protocol, data in encoded.items():
            with open(name + "." + protocol, "wb") as handle:
                handle.write(data)
        nodes = []
        walk(peer, obj, root, [], nodes, values)
        gets = [{"path": path_text(node["steps"], rng), "value": canonical(peer, node["value"], node["type"])}
                for node in nodes]
        # Below absent elements and entries nothing exists either.
        for node in nodes:
            if node["value"] is None and node["type"][0] in ("list", "map") and rng.random() < 0.3:
                extra = [("i", 0)] if node["type"][0] == "list" else [("k", values.key(node["type"][1]))]
                gets.append({"path": path_text(node["steps"] + extra, rng), "value": None})

        edits = []
        for _ in range(args.edits):
            node = rng.choice(nodes)
            steps, type_, old = list(node["steps"]), node["type"], node["value"]
            if node.get("set") and old is not None and rng.random() < 0.5:
                edit = {"op": "unset", "steps": steps, "old": old}
            elif old is not None and rng.random() < 0.3:
                edit = {"op": "unset", "steps": steps, "old": old if node.get("set") else None}
            else:
                # Created paths may go deeper than what exists: into new structs, lists ([0]) and maps.
                if old is None:
                    for _ in range(rng.randint(0, 3)):
                        kind = type_[0]
                        if kind == "struct":
                            fid, fname, ftype = rng.choice(peer.fields(type_[1]))
                            steps, type_ = steps + [("f", fname, fid)], ftype
                        elif kind in ("list", "set") and not (kind == "set" and type_[1][0] == "struct"):
                            steps, type_ = steps + [("i", 0)], type_[1]
                        elif kind == "map":
                            steps, type_ = steps + [("k", values.key(type_[1]))], type_[2]
                        else:
                            break
                new = values.value(type_, depth=2)
                edit = {"op": "set", "steps": steps, "new": new, "type": type_,
                        "old": old if node.get("set") and old is not None else None}
            edits.append(edit)
        # Count boundaries of the compact protocol: a 14-element list grows to 15, a 15-element one shrinks.
        for node in nodes:
            if node["type"][0] == "list" and isinstance(node["value"], list) and len(node["value"]) in (14, 15, 127, 128):
                length = len(node["value"])
                if length in (14, 127):
                    edits.append({"op": "set", "steps": node["steps"] + [("i", length)], "type": node["type"][1],
                                  "new": values.value(node["type"][1], depth=3), "old": None})
                else:
                    edits.append({"op": "unset", "steps": node["steps"] + [("i", rng.randrange(length))], "old": None})

        manifest_edits = []
        for index, edit in enumerate(edits):
            expected = copy.deepcopy(obj)
            if edit["op"] == "set":
                applier.set(expected, root, edit["steps"], copy.deepcopy(edit["new"]), edit["old"])
            else:
                applier.unset(expected, root, edit["steps"], edit["old"])
            with open("%s.edit%d.expected" % (name, index), "wb") as handle:
                handle.write(peer.encode(expected, "binary"))
            entry = {"op": edit["op"], "path": path_text(edit["steps"], rng)}
            if edit["op"] == "set":
                entry["value"] = tagged(peer, edit["new"], edit["type"])
            manifest_edits.append(entry)

        # A chain: the same kind of edits one after another, skipping any Python cannot apply and index edits on
        # sets (their order in Python is not the wire order once edited).
        chain, current = [], copy.deepcopy(obj)
        for edit in edits:
            if edit["old"] is not None:
                continue
            trial = copy.deepcopy(current)
            try:
                if edit["op"] == "set":
                    applier.set(trial, root, edit["steps"], copy.deepcopy(edit["new"]))
                else:
                    applier.unset(trial, root, edit["steps"])
            except (IndexError, TypeError, KeyError):
                continue
            current = trial
            entry = {"op": edit["op"], "path": path_text(edit["steps"], rng)}
            if edit["op"] == "set":
                entry["value"] = tagged(peer, edit["new"], edit["type"])
            chain.append(entry)
        with open(name + ".chain.expected", "wb") as handle:
            handle.write(peer.encode(current, "binary"))

        masks = []
        field_nodes = [n for n in nodes if n["value"] is not None]
        for index in range(args.masks):
            chosen = [rng.choice(field_nodes)["steps"] for _ in range(rng.randint(1, 3))] if field_nodes else [[]]
            chosen = [steps for steps in chosen if steps]
            if not chosen:
                continue
            # Drop some subscripts: a field step after a container then applies to every element.
            mask_steps = []
            for steps in chosen:
                if rng.random() < 0.5:
                    steps = [s for s in steps if s[0] == "f"]
                mask_steps.append(steps)
            mask = Mask()
            for steps in mask_steps:
                mask.insert(peer, root, steps)
            expected = mask.apply(peer, obj, root)
            number = len(masks)
            with open("%s.mask%d.expected" % (name, number), "wb") as handle:
                handle.write(peer.encode(expected, "binary"))
            masks.append({"paths": [path_text(steps, rng) for steps in mask_steps]})

        with open(name + ".json", "w") as handle:
            json.dump({"gets": gets, "edits": manifest_edits, "chain": chain, "masks": masks}, handle)


def check(args):
    peer = Peer(args.gen)
    mismatches = 0
    compared = 0
    for actual_path in sorted(glob.glob(os.path.join(args.__dict__["in"], "*.actual.*"))):
        base, protocol = actual_path.rsplit(".actual.", 1)
        protocol, _, variant = protocol.partition(".")
        with open(base + ".expected", "rb") as handle:
            expected = peer.decode(handle.read(), "binary")
        with open(actual_path, "rb") as handle:
            data = handle.read()
        try:
            actual = peer.decode(data, protocol)
        except Exception as error:  # noqa: BLE001 - any decoding failure is a mismatch
            print("MISMATCH %s: Apache cannot decode it: %r" % (actual_path, error))
            mismatches += 1
            continue
        root = ("struct", peer.ttypes.Deep)
        compared += 1
        if canonical(peer, actual, root) != canonical(peer, expected, root):
            mismatches += 1
            print("MISMATCH %s\n  expected %s\n  actual   %s" % (actual_path, expected, actual))
    print("%d compared, %d mismatches" % (compared, mismatches))
    sys.exit(1 if mismatches else 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["generate", "check"])
    parser.add_argument("--gen", required=True)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--masks", type=int, default=4)
    parser.add_argument("--out")
    parser.add_argument("--in")
    args = parser.parse_args()
    generate(args) if args.mode == "generate" else check(args)


if __name__ == "__main__":
    main()
