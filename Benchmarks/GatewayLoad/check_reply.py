#!/usr/bin/env python3
"""Checks that a reply body is the full message the mock was told to answer: same JSON value as the request body
the load run sends (the mock replies with the benchmark message itself).

Usage: check_reply.py REPLY_FILE EXPECTED_FILE   (exit status 1 and a message on a mismatch)
"""

import json
import sys


def main():
    reply_path, expected_path = sys.argv[1], sys.argv[2]
    with open(reply_path, "rb") as file:
        raw = file.read()
    try:
        reply = json.loads(raw)
    except ValueError as error:
        sys.exit(f"{reply_path}: not JSON ({error}): {raw[:200]!r}")
    with open(expected_path, "rb") as file:
        expected = json.load(file)
    if reply != expected:
        missing = sorted(set(expected) - set(reply)) if isinstance(reply, dict) else "?"
        sys.exit(f"{reply_path}: the reply is not the full message (missing keys: {missing})")
    print(f"{reply_path}: full message, {len(raw)} bytes")


if __name__ == "__main__":
    main()
