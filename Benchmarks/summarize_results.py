#!/usr/bin/env python3
"""Turns the text output of `make bench` into the Markdown tables of docs/benchmarks.md.

Usage: make bench | tee /tmp/bench.txt; python3 Benchmarks/summarize_results.py /tmp/bench.txt

Prints the Protobuf tables when the output has ProtoCodecBenchmarks' figures, and the Thrift table when it has
ThriftCodecBenchmarks' (each target runs its own `Harness/Empty`; the figures of the two are alike).

Reads each benchmark's p50 wall-clock time (ns) and p50 malloc count, both per operation. Benchmarks run without an
inner loop (the large message) also count the harness's own allocations per sample; the `Harness/Empty` figure is
subtracted from their malloc counts. Ratios are swift-protobuf's time divided by Portico's (above 1: Portico faster).
Ends with the issue's JSON speed targets on the medium message and whether this run meets them.
"""

import re
import sys

SIZES = ("small", "medium", "large")
INNER_LOOP = {"small": True, "medium": True, "large": False}

# Portico operation -> the swift-protobuf benchmark that does the same job with generated code.
REFERENCES = {
    "GetOne": ("DecodeGetOne", "decode + read one field"),
    "GetMany": ("Decode", "full decode"),
    "SetOne": ("DecodeSetOneEncode", "decode + set + encode"),
    "SetMany": ("DecodeSetOneEncode", "decode + set one + encode"),
    "Unset": ("DecodeSetOneEncode", "decode + set one + encode"),
    "Trim": ("Decode", "full decode"),
    "DOMLoad": ("Decode", "full decode"),
    "DOMMarshalEdited": ("Encode", "encode"),
    "Validate": ("Decode", "full decode"),
    "BinaryToJSON": ("BinaryToJSON", "decode + jsonUTF8Bytes"),
    "JSONToBinary": ("JSONToBinary", "JSON decode + serializedBytes"),
}
OPERATIONS = list(REFERENCES)
REFERENCE_OPERATIONS = ("Decode", "DecodeGetOne", "DecodeSetOneEncode", "Encode", "BinaryToJSON", "JSONToBinary")

# Thrift operations in table order; the conversion is ToCompact from binary input and ToBinary from compact input.
THRIFT_OPERATIONS = (
    "GetOne", "GetMany", "SetOne", "SetMany", "Unset", "Trim", "DOMLoad", "DOMMarshalEdited", "Validate", "Convert",
)
THRIFT_PROTOCOLS = {"binary": ("ThriftBinary", "ToCompact"), "compact": ("ThriftCompact", "ToBinary")}

# The speed targets on the medium message: Portico at least this many times faster than swift-protobuf.
TARGETS = {"BinaryToJSON": 3.0, "JSONToBinary": 2.0}


def parse(text):
    """{benchmark name: {"ns": p50, "mallocs": p50}} from the text tables."""
    results = {}
    for block in re.split(r"\n(?=[A-Za-z]+/\S+\n╒)", text)[1:]:
        name, body = block.split("\n", 1)
        metrics = {}
        for line in body.splitlines():
            if not line.startswith("│"):
                continue
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            if cells[0].startswith("Time (wall clock) (ns)"):
                metrics["ns"] = int(cells[3])
            elif cells[0].startswith("Malloc (total)"):
                if "(K)" in cells[0] or "(M)" in cells[0]:
                    sys.exit(f"{name}: malloc counts are scaled; the suite should report plain counts")
                metrics["mallocs"] = int(cells[3])
        if "ns" in metrics:
            results[name.strip()] = metrics
    return results


def duration(ns):
    if ns >= 1_000_000:
        return f"{ns / 1_000_000:.2f} ms"
    if ns >= 10_000:
        return f"{ns / 1000:.0f} µs"
    if ns >= 1_000:
        return f"{ns / 1000:.1f} µs"
    return f"{ns} ns"


def allocations(count):
    return f"{count} malloc" if count == 1 else f"{count} mallocs"


def ratio(reference, ours):
    value = reference / ours
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def print_thrift(results, mallocs):
    print("| operation | protocol | " + " | ".join(SIZES) + " |")
    print("|---|---|" + "---|" * len(SIZES))
    for operation in THRIFT_OPERATIONS:
        for protocol, (library, conversion) in THRIFT_PROTOCOLS.items():
            measured = conversion if operation == "Convert" else operation
            label = f"{operation} (to {conversion[2:].lower()})" if operation == "Convert" else operation
            cells = []
            for size in SIZES:
                name = f"{library}/{measured}/{size}"
                if name in results:
                    cells.append(f"{duration(results[name]['ns'])}, {allocations(mallocs(name, size))}")
                else:
                    cells.append("not measured")
            print(f"| {label} | {protocol} | " + " | ".join(cells) + " |")


def main():
    results = parse(open(sys.argv[1], encoding="utf-8").read())
    overhead = results.get("Harness/Empty", {}).get("mallocs", 0)

    def mallocs(name, size):
        count = results[name]["mallocs"]
        return count if INNER_LOOP[size] else max(count - overhead, 0)

    if any(name.startswith("Thrift") for name in results):
        print_thrift(results, mallocs)
        print()
    if any(name.startswith(("Portico/", "SwiftProtobuf/")) for name in results):
        print_protobuf(results, mallocs)
    if "Harness/Empty" in results:
        harness = results["Harness/Empty"]
        print()
        print(f"Harness/Empty: {harness['ns']} ns and {harness['mallocs']} mallocs per sample.")


def print_protobuf(results, mallocs):
    print("| operation | " + " | ".join(SIZES) + " |")
    print("|---|" + "---|" * len(SIZES))
    for operation in OPERATIONS:
        cells = []
        for size in SIZES:
            name = f"Portico/{operation}/{size}"
            if name not in results:
                cells.append("not measured")
                continue
            cell = f"{duration(results[name]['ns'])}, {allocations(mallocs(name, size))}"
            reference_op, _ = REFERENCES[operation]
            reference = f"SwiftProtobuf/{reference_op}/{size}"
            if reference in results:
                cell += f" ({ratio(results[reference]['ns'], results[name]['ns'])})"
            cells.append(cell)
        print(f"| {operation} (vs {REFERENCES[operation][1]}) | " + " | ".join(cells) + " |")

    print()
    print("| swift-protobuf | " + " | ".join(SIZES) + " |")
    print("|---|" + "---|" * len(SIZES))
    for operation in REFERENCE_OPERATIONS:
        cells = []
        for size in SIZES:
            name = f"SwiftProtobuf/{operation}/{size}"
            if name not in results:
                cells.append("-")
                continue
            cells.append(f"{duration(results[name]['ns'])}, {allocations(mallocs(name, size))}")
        print(f"| {operation} | " + " | ".join(cells) + " |")

    print()
    for operation, target in TARGETS.items():
        ours, reference = f"Portico/{operation}/medium", f"SwiftProtobuf/{operation}/medium"
        if ours not in results or reference not in results:
            print(f"{operation} on medium: not measured (target {target:g}x)")
            continue
        value = results[reference]["ns"] / results[ours]["ns"]
        verdict = "met" if value >= target else "NOT met"
        print(f"{operation} on medium: {value:.2f}x faster than swift-protobuf (target {target:g}x: {verdict}).")


if __name__ == "__main__":
    main()
