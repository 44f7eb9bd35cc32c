#!/usr/bin/env python3
"""Writes the inputs of the gateway load run into a work directory.

  requests/thrift-small.json, thrift-medium.json   request bodies of POST /BaselineService/SimpleMethod and
                                                   .../NestingMethod: baseline.Simple / baseline.Nesting as the
                                                   gateway's Thrift JSON (field names as keys, i64 as numbers)
  requests/grpc-small.json, grpc-medium.json       the same messages as proto3 JSON (Benchmarks/data/*.json)
  responses/thrift.json, responses/grpc.json       `portico mock --responses` files: each method replies with
                                                   the full message it was benchmarked with (SimpleMethod: small,
                                                   NestingMethod: medium)

The Thrift JSON comes from the benchmark's own Thrift binary messages (Benchmarks/data/thrift-*.binary) converted by
`portico convert`, so both protocols carry the same values.

Usage: make_inputs.py --portico PATH --root REPO --work DIR
"""

import argparse
import json
import pathlib
import subprocess

SIZES = {"small": ("Simple", "SimpleMethod"), "medium": ("Nesting", "NestingMethod")}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portico", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    work = pathlib.Path(args.work)
    (work / "requests").mkdir(parents=True, exist_ok=True)
    (work / "responses").mkdir(parents=True, exist_ok=True)
    thrift_replies = {}
    grpc_replies = {}
    for size, (struct, method) in SIZES.items():
        converted = subprocess.run(
            [args.portico, "convert", "--schema", str(root / "Descriptors" / "baseline.thrift"),
             "--type", f"baseline.{struct}", "--from", "binary", "--to", "json",
             "--input", str(root / "Benchmarks" / "data" / f"thrift-{size}.binary")],
            check=True, capture_output=True).stdout
        thrift_value = json.loads(converted)
        (work / "requests" / f"thrift-{size}.json").write_bytes(compact(thrift_value))
        thrift_replies[method] = {"reply": thrift_value}

        proto_text = (root / "Benchmarks" / "data" / f"{size}.json").read_bytes()
        (work / "requests" / f"grpc-{size}.json").write_bytes(proto_text.strip())
        grpc_replies[method] = {"reply": json.loads(proto_text)}
    (work / "responses" / "thrift.json").write_bytes(compact(thrift_replies))
    (work / "responses" / "grpc.json").write_bytes(compact(grpc_replies))


if __name__ == "__main__":
    main()
