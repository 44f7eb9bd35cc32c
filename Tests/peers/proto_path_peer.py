#!/usr/bin/env python3
"""The Python protobuf runtime as the oracle for paths that go through map values and list elements into messages
holding more lists and maps (rich.Rich: `m_string_rich["a"].r_nested[1].deeper.counts["x"]`).

  generate --descriptors SET --out DIR
      Writes DIR/base.bin (a fixed rich.Rich) and DIR/manifest.json: every scalar leaf with its path in Portico
      syntax (string keys written as JSON, escapes included) and value, some absent paths, edits (each with
      DIR/edit<J>.expected.bin, the message after Python applies it alone) and masks (DIR/mask<J>.expected.bin).
  check --descriptors SET --in DIR
      Parses every DIR/*.actual.bin* (written by Portico) and the matching expected message and compares them;
      prints each mismatch and exits 1 if there is any.
"""
import argparse, base64, copy, glob, json, os, struct, sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
from google.protobuf.descriptor import FieldDescriptor as FD

BASE = r'''
m_string_rich { key: "a" value {
  r_nested { a: 1 values: [1, 2, 3] }
  r_nested { a: 2 b: "two" deeper { names: "x" names: "y" counts { key: "c" value: 3 } counts { key: "\n" value: 4 } } }
  m_string_nested { key: "n" value { values: 9 deeper { color: COLOR_GREEN } } }
  m_string_rich { key: "\u2028" value { r_string: "sep" } }
} }
m_string_rich { key: "\U0001F600" value { r_int32: [7, 8] m_int64_string { key: -2 value: "minus" } } }
children { m_string_rich { key: "q" value { r_int32: [4, 5] m_string_nested { key: "" value { a: 6 } } } } }
m_int64_string { key: 5 value: "five" }
'''

TYPE_NAMES = {
    FD.TYPE_DOUBLE: "double", FD.TYPE_FLOAT: "float", FD.TYPE_INT32: "int32", FD.TYPE_INT64: "int64",
    FD.TYPE_UINT32: "uint32", FD.TYPE_UINT64: "uint64", FD.TYPE_SINT32: "sint32", FD.TYPE_SINT64: "sint64",
    FD.TYPE_FIXED32: "fixed32", FD.TYPE_FIXED64: "fixed64", FD.TYPE_SFIXED32: "sfixed32",
    FD.TYPE_SFIXED64: "sfixed64", FD.TYPE_BOOL: "bool", FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes",
    FD.TYPE_ENUM: "enum",
}

# (op, steps, value): steps are ("f", name) | ("i", index) | ("k", key).
EDITS = [
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 0), ("f", "values"), ("i", 3)], 4),
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 0), ("f", "values"), ("i", 0)], -9),
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 1), ("f", "deeper"), ("f", "counts"),
             ("k", "\b\"")], 7),
    ("set", [("f", "m_string_rich"), ("k", "b"), ("f", "r_nested"), ("i", 0), ("f", "deeper"), ("f", "names"),
             ("i", 0)], "new"),
    ("unset", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 0), ("f", "values"), ("i", 1)], None),
    ("unset", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 1), ("f", "deeper"), ("f", "counts"),
               ("k", "c")], None),
    ("unset", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 1)], None),
    ("set", [("f", "children"), ("i", 0), ("f", "m_string_rich"), ("k", "q"), ("f", "r_int32"), ("i", 0)], -1),
    ("set", [("f", "children"), ("i", 1), ("f", "m_string_rich"), ("k", "\U0001F600"), ("f", "m_string_rich"),
             ("k", "x"), ("f", "r_string"), ("i", 0)], "deep"),
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "m_string_nested"), ("k", "n"), ("f", "deeper"),
             ("f", "color")], 3),
    ("unset", [("f", "children"), ("i", 0), ("f", "m_string_rich"), ("k", "q")], None),
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "m_string_rich"), ("k", "a\b"), ("f", "p_int32")], 0),
    ("set", [("f", "m_string_rich"), ("k", "a"), ("f", "r_nested"), ("i", 1), ("f", "back"), ("f", "r_nested"),
             ("i", 0), ("f", "deeper"), ("f", "counts"), ("k", "z")], 1),
    ("set", [("f", "m_string_rich"), ("k", "\U0001F600"), ("f", "m_int64_string"), ("k", -2)], "changed"),
    ("unset", [("f", "m_string_rich"), ("k", "\U0001F600"), ("f", "r_int32"), ("i", 2)], None),
    ("unset", [("f", "m_string_rich"), ("k", "nope"), ("f", "r_nested"), ("i", 0)], None),
]

MASKS = [
    [[("f", "m_string_rich"), ("f", "r_nested"), ("f", "values")]],
    [[("f", "m_string_rich"), ("f", "m_string_nested"), ("f", "deeper"), ("f", "color")],
     [("f", "children"), ("f", "m_string_rich"), ("f", "r_int32")]],
    [[("f", "m_string_rich"), ("f", "r_nested")], [("f", "m_int64_string")]],
    [[("f", "m_string_rich"), ("f", "m_string_rich"), ("f", "r_string")]],
]


def load(path):
    with open(path, "rb") as handle:
        files = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("rich.Rich"))


def is_map(fd):
    return fd.type == FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry


def is_repeated(fd):
    return fd.is_repeated


def path_text(steps):
    out = ""
    for step in steps:
        if step[0] == "f":
            out += ("." if out else "") + step[1]
        elif step[0] == "i":
            out += "[%d]" % step[1]
        elif isinstance(step[1], str):
            out += "[" + json.dumps(step[1]) + "]"
        else:
            out += "[%d]" % step[1]
    return out


def leaf(fd, value):
    kind = TYPE_NAMES[fd.type]
    out = {"type": kind}
    if kind == "bool":
        out["value"] = "true" if value else "false"
    elif kind == "bytes":
        out["value"] = base64.b64encode(value).decode()
    elif kind in ("float", "double"):
        out["value"] = float(value).hex()
        out["bits"] = "0x" + (struct.pack(">f", value) if kind == "float" else struct.pack(">d", value)).hex()
    elif kind == "string":
        out["value"] = value
    else:
        out["value"] = str(int(value))
    return out


def walk(message, steps, out):
    for fd, value in message.ListFields():
        here = steps + [("f", fd.name)]
        if is_map(fd):
            value_fd = fd.message_type.fields_by_name["value"]
            for key in value:
                if value_fd.type == FD.TYPE_MESSAGE:
                    walk(value[key], here + [("k", key)], out)
                else:
                    out.append(dict(path=path_text(here + [("k", key)]), **leaf(value_fd, value[key])))
        elif is_repeated(fd):
            for index, item in enumerate(value):
                if fd.type == FD.TYPE_MESSAGE:
                    walk(item, here + [("i", index)], out)
                else:
                    out.append(dict(path=path_text(here + [("i", index)]), **leaf(fd, item)))
        elif fd.type == FD.TYPE_MESSAGE:
            walk(value, here, out)
        else:
            out.append(dict(path=path_text(here), **leaf(fd, value)))


def leaf_field(descriptor, steps):
    """The field whose type a value at the end of `steps` has (a map's value field for a [key])."""
    fd = None
    for step in steps:
        if step[0] == "f":
            fd = descriptor.fields_by_name[step[1]]
            if is_map(fd):
                fd = fd.message_type.fields_by_name["value"]
            if fd.type == FD.TYPE_MESSAGE:
                descriptor = fd.message_type
    return fd


def field(message, name):
    return message.DESCRIPTOR.fields_by_name[name]


def apply_set(message, steps, value):
    """Portico's set: absent messages, list elements (one past the end) and map entries are created."""
    current, position = message, 0
    while True:
        step = steps[position]
        fd = field(current, step[1])
        if is_map(fd) or is_repeated(fd):
            container, selector = getattr(current, step[1]), steps[position + 1][1]
            if position + 2 == len(steps):
                if not is_map(fd) and selector == len(container):
                    container.append(value)
                else:
                    container[selector] = value
                return
            if is_map(fd):
                current = container[selector]
            elif selector == len(container):
                current = container.add()
            else:
                current = container[selector]
            position += 2
        elif position + 1 == len(steps):
            setattr(current, step[1], value)
            return
        else:
            current = getattr(current, step[1])
            position += 1


def apply_unset(message, steps):
    current = message
    for position, step in enumerate(steps):
        is_last = position == len(steps) - 1
        if step[0] == "f":
            fd = field(current, step[1])
            if is_last:
                current.ClearField(step[1])
                return
            if not (is_map(fd) or is_repeated(fd)) and not current.HasField(step[1]):
                return
            current = getattr(current, step[1])
        elif step[0] == "k":
            if step[1] not in current:
                return
            if is_last:
                del current[step[1]]
                return
            current = current[step[1]]
        else:
            if step[1] >= len(current):
                return
            if is_last:
                del current[step[1]]
                return
            current = current[step[1]]


def apply_mask(source, paths):
    """FieldMask semantics as Portico applies them: a sub-path keeps part of every list element and map value."""
    tree = {}
    for steps in paths:
        node = tree
        for position, step in enumerate(steps):
            if node.get(step[1]) == "all":
                break
            node = node.setdefault(step[1], {}) if position < len(steps) - 1 else node
            if position == len(steps) - 1:
                node[step[1]] = "all"
    result = type(source)()
    masked_into(source, tree, result)
    return result


def masked_into(source, tree, target):
    for fd, value in source.ListFields():
        sub = tree.get(fd.name)
        if sub is None:
            continue
        if sub == "all":
            if is_map(fd):
                for key in value:
                    if fd.message_type.fields_by_name["value"].type == FD.TYPE_MESSAGE:
                        getattr(target, fd.name)[key].CopyFrom(value[key])
                    else:
                        getattr(target, fd.name)[key] = value[key]
            elif is_repeated(fd):
                getattr(target, fd.name).extend(value)
            elif fd.type == FD.TYPE_MESSAGE:
                getattr(target, fd.name).CopyFrom(value)
            else:
                setattr(target, fd.name, value)
        elif is_map(fd):
            for key in value:
                masked_into(value[key], sub, getattr(target, fd.name)[key])
        elif is_repeated(fd):
            for item in value:
                masked_into(item, sub, getattr(target, fd.name).add())
        else:
            getattr(target, fd.name).SetInParent()
            masked_into(value, sub, getattr(target, fd.name))


def generate(args):
    cls = load(args.descriptors)
    base = text_format.Parse(BASE, cls())
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "base.bin"), "wb") as handle:
        handle.write(base.SerializeToString())
    gets = []
    walk(base, [], gets)
    absent = ['m_string_rich["zz"].r_nested[0].a', 'm_string_rich["a"].r_nested[2].a',
              'm_string_rich["a"].r_nested[0].values[3]', 'children[0].m_string_rich["q"].r_int32[2]',
              'm_string_rich["a"].m_string_nested["n"].deeper.names[0]', 'children[1].m_string_rich["q"].r_int32[0]']
    gets += [{"path": path, "type": None} for path in absent]
    edits = []
    for number, (op, steps, value) in enumerate(EDITS):
        expected = copy.deepcopy(base)
        entry = {"op": op, "path": path_text(steps)}
        if op == "set":
            apply_set(expected, steps, value)
            fd = leaf_field(cls.DESCRIPTOR, steps)
            entry.update(leaf(fd, value))
        else:
            apply_unset(expected, steps)
        with open(os.path.join(args.out, "edit%d.expected.bin" % number), "wb") as handle:
            handle.write(expected.SerializeToString())
        edits.append(entry)
    masks = []
    for number, paths in enumerate(MASKS):
        with open(os.path.join(args.out, "mask%d.expected.bin" % number), "wb") as handle:
            handle.write(apply_mask(base, paths).SerializeToString())
        masks.append({"paths": [path_text(steps) for steps in paths]})
    with open(os.path.join(args.out, "manifest.json"), "w") as handle:
        json.dump({"gets": gets, "edits": edits, "masks": masks}, handle)


def check(args):
    cls = load(args.descriptors)
    mismatches = compared = 0
    for actual_path in sorted(glob.glob(os.path.join(args.__dict__["in"], "*.actual.bin*"))):
        base = actual_path.split(".actual.bin")[0]
        with open(base + ".expected.bin", "rb") as handle:
            expected = cls.FromString(handle.read())
        with open(actual_path, "rb") as handle:
            try:
                actual = cls.FromString(handle.read())
            except Exception as error:  # noqa: BLE001 - any parse failure is a mismatch
                print("MISMATCH %s: cannot parse: %r" % (actual_path, error))
                mismatches += 1
                continue
        compared += 1
        if actual != expected:
            mismatches += 1
            print("MISMATCH %s\n--- expected\n%s--- actual\n%s" % (actual_path, expected, actual))
    print("%d compared, %d mismatches" % (compared, mismatches))
    sys.exit(1 if mismatches else 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["generate", "check"])
    parser.add_argument("--descriptors", required=True)
    parser.add_argument("--out")
    parser.add_argument("--in")
    args = parser.parse_args()
    generate(args) if args.mode == "generate" else check(args)


if __name__ == "__main__":
    main()
