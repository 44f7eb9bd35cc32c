#!/usr/bin/env python3
"""Apache Thrift (Python runtime + `thrift -r --gen py` code) as a peer for Portico's HTTP mapping tests.

  decode --gen DIR     stdin: JSON list of {"module", "struct", "protocol", "hex"}; each struct is decoded by Apache
                       and printed as JSON (fields that are None left out, binary as "b64:...", sets sorted).
  encode --gen DIR     stdin: JSON list of {"module", "struct", "protocol", "value"}; each value (the same JSON shape)
                       is built into Apache objects and encoded; prints a JSON list of hex strings.
"""
import argparse, base64, importlib, json, sys

from thrift.Thrift import TType


def protocol_class(name):
    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    return {"binary": TBinaryProtocol.TBinaryProtocol, "compact": TCompactProtocol.TCompactProtocol}[name]


def struct_class(entry):
    return getattr(importlib.import_module(entry["module"]), entry["struct"])


def to_json(value, ttype, args):
    if value is None:
        return None
    if ttype == TType.STRUCT:
        cls = args[0]
        out = {}
        for spec in cls.thrift_spec:
            if spec is None:
                continue
            field = getattr(value, spec[2])
            if field is not None:
                out[spec[2]] = to_json(field, spec[1], spec[3])
        return out
    if ttype in (TType.LIST, TType.SET):
        items = [to_json(item, args[0], args[1]) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True)) if ttype == TType.SET else items
    if ttype == TType.MAP:
        return {str(to_json(k, args[0], args[1])): to_json(v, args[2], args[3]) for k, v in value.items()}
    if ttype == TType.STRING:
        if args == "BINARY" or isinstance(value, bytes):
            return "b64:" + base64.b64encode(value).decode()
        return value
    return value


def from_json(data, ttype, args):
    if data is None:
        return None
    if ttype == TType.STRUCT:
        cls = args[0]
        # Keyword arguments: generated exceptions are immutable once built.
        return cls(**{spec[2]: from_json(data[spec[2]], spec[1], spec[3])
                      for spec in cls.thrift_spec if spec is not None and spec[2] in data})
    if ttype == TType.LIST:
        return [from_json(item, args[0], args[1]) for item in data]
    if ttype == TType.SET:
        return set(from_json(item, args[0], args[1]) for item in data)
    if ttype == TType.MAP:
        return {from_json(json.loads(k) if args[0] != TType.STRING else k, args[0], args[1]): from_json(v, args[2], args[3])
                for k, v in data.items()}
    if ttype == TType.STRING and isinstance(data, str) and data.startswith("b64:"):
        return base64.b64decode(data[4:])
    if ttype == TType.DOUBLE:
        return float(data)
    return data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["decode", "encode"])
    parser.add_argument("--gen", required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.gen)
    from thrift.transport import TTransport
    results = []
    for entry in json.load(sys.stdin):
        cls = struct_class(entry)
        protocol = protocol_class(entry["protocol"])
        try:
            if args.mode == "decode":
                obj = cls()
                obj.read(protocol(TTransport.TMemoryBuffer(bytes.fromhex(entry["hex"]))))
                obj.validate()
                results.append(to_json(obj, TType.STRUCT, [cls, None]))
            else:
                obj = from_json(entry["value"], TType.STRUCT, [cls, None])
                buffer = TTransport.TMemoryBuffer()
                obj.write(protocol(buffer))
                results.append(buffer.getvalue().hex())
        except Exception as error:  # reported per entry so one bad case does not hide the others
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
