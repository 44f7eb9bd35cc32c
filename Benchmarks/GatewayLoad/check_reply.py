#!/usr/bin/env python3
"""Checks that a reply body is the full message the backend was told to answer: the same message as the request
body the load run sends (the mocks and the echo server reply with the benchmark message itself).

Without --type the reply must be the same JSON value as the request (the Portico gateway's replies are).
With --descriptor-set and --type, both bodies are parsed as proto3 JSON of that message type by Google's Python
protobuf (json_format, unknown keys refused) and the messages compared, so a front that renders the same message
in another correct proto3 JSON form passes: grpc-gateway's default marshaler writes the proto field names
(`byte_field`, where the request has the JSON names, `byteField`) and escapes some characters differently.

Usage: check_reply.py REPLY_FILE EXPECTED_FILE [--descriptor-set SET.pb --type baseline.Simple]
       (exit status 1 and a message on a mismatch)
"""

import argparse
import json
import sys


def message_class(descriptor_set, type_name):
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    files = descriptor_pb2.FileDescriptorSet()
    with open(descriptor_set, "rb") as file:
        files.ParseFromString(file.read())
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:
        pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(type_name))


def same_message(reply_path, raw, expected_path, descriptor_set, type_name):
    from google.protobuf import json_format

    cls = message_class(descriptor_set, type_name)
    try:
        reply = json_format.Parse(raw, cls())
    except json_format.ParseError as error:
        sys.exit(f"{reply_path}: not proto3 JSON of {type_name}: {error}")
    with open(expected_path, "rb") as file:
        expected = json_format.Parse(file.read(), cls())
    if reply != expected:
        differing = [field.name for field in cls.DESCRIPTOR.fields
                     if getattr(reply, field.name) != getattr(expected, field.name)]
        sys.exit(f"{reply_path}: the reply is not the request's {type_name} (fields differing: {differing})")
    same_form = json.loads(raw) == json.loads(open(expected_path, "rb").read())
    form = "the same JSON value" if same_form else "another proto3 JSON rendering of it"
    print(f"{reply_path}: the full {type_name}, {len(raw)} bytes ({form})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("reply")
    parser.add_argument("expected")
    parser.add_argument("--descriptor-set")
    parser.add_argument("--type")
    args = parser.parse_args()
    with open(args.reply, "rb") as file:
        raw = file.read()
    try:
        reply = json.loads(raw)
    except ValueError as error:
        sys.exit(f"{args.reply}: not JSON ({error}): {raw[:200]!r}")
    if args.type:
        if not args.descriptor_set:
            sys.exit("--type needs --descriptor-set")
        same_message(args.reply, raw, args.expected, args.descriptor_set, args.type)
        return
    with open(args.expected, "rb") as file:
        expected = json.load(file)
    if reply != expected:
        missing = sorted(set(expected) - set(reply)) if isinstance(reply, dict) else "?"
        sys.exit(f"{args.reply}: the reply is not the full message (missing keys: {missing})")
    print(f"{args.reply}: full message, {len(raw)} bytes")


if __name__ == "__main__":
    main()
