#!/usr/bin/env python3
"""The cost of tracing: a markdown table of the gateway with tracing off and on (100 % sampling, OTLP/gRPC export)
at each point of a load run made with TRACING=1 (Benchmarks/GatewayLoad/run.sh).

  tracing_report.py --raw Benchmarks/results/gateway-tracing.txt
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from report import PROTOCOL_NAMES, collect, parse  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    args = parser.parse_args()
    meta, results = parse(args.raw)
    points, order = collect(results)
    print(f"Run {meta.get('date', '?')}, commit {meta.get('commit', '?')}, {meta.get('cores', '?')} cores, "
          f"{meta.get('duration', '?')} s per point.\n")
    print("| backend | size | conns | req/s off | req/s on | CPU µs/req off | CPU µs/req on | CPU on/off "
          "| p50 ms off | p50 ms on | p99 ms off | p99 ms on | errors on |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in order:
        protocol, size, connections = key
        off, on = points[key].get("gateway"), points[key].get("gateway-traced")
        if not off or not on:
            continue
        print(f"| {PROTOCOL_NAMES.get(protocol, protocol)} | {size} | {connections} | {off['rps']:.0f} | "
              f"{on['rps']:.0f} | {off['cpu']:.0f} | {on['cpu']:.0f} | {on['cpu'] / off['cpu']:.2f}x | "
              f"{off['p50']:.2f} | {on['p50']:.2f} | {off['p99']:.2f} | {on['p99']:.2f} | {on['errors']} |")


if __name__ == "__main__":
    main()
