#!/usr/bin/env python3
"""PASETO peer for Portico's interoperability tests, built on pyseto (a second, independent implementation).

Reads one JSON object from standard input: {"ops": [...]}, each op either
  {"op": "issue", "key": PASERK, "payload": str, "footer": str, "implicit": str}  -> {"token": str}
  {"op": "verify", "key": PASERK, "token": str, "implicit": str}                  -> {"payload": str, "footer": str}
and prints {"results": [...]} in the same order; a failed op gives {"error": "..."}.
"""

import json
import sys

import pyseto
from pyseto import Key


def run(op):
    key = Key.from_paserk(op["key"])
    implicit = op.get("implicit", "").encode()
    if op["op"] == "issue":
        token = pyseto.encode(key, op["payload"].encode(), footer=op.get("footer", "").encode(), implicit_assertion=implicit)
        return {"token": token.decode()}
    if op["op"] == "verify":
        decoded = pyseto.decode(key, op["token"], implicit_assertion=implicit)
        return {"payload": decoded.payload.decode(), "footer": decoded.footer.decode()}
    raise ValueError("unknown op " + op["op"])


def main():
    request = json.load(sys.stdin)
    results = []
    for op in request["ops"]:
        try:
            results.append(run(op))
        except Exception as error:  # reported per op: the Swift side expects some to fail
            results.append({"error": "%s: %s" % (type(error).__name__, error)})
    json.dump({"version": pyseto.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
