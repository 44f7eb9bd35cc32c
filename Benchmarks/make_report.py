#!/usr/bin/env python3
"""Writes the generated part of docs/benchmarks.md and the ratio chart docs/benchmarks-ratios.svg.

Usage (what `make bench-report` runs):
    python3 Benchmarks/make_report.py Benchmarks/results/bench*.txt

Input: the text output of one or more runs of `make bench` (both suites). With several runs, each benchmark's
figure is the lowest p50 time of the runs (and the malloc count of that run): on a shared machine other work only
ever adds time, so the lowest median is the best estimate of the code's own cost. Output: everything between the `<!-- report:begin -->` and
`<!-- report:end -->` markers of docs/benchmarks.md (the prose around them is kept), and the SVG chart. Python
standard library only.

Figures: p50 of the samples, per operation (small and medium run 1,000 operations per sample; large one, with the
harness's own mallocs per sample, `Harness/Empty`, subtracted). Ratios are the reference's p50 wall time divided by
Portico's: above 1, Portico is faster.
"""

import datetime
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
CHART = os.path.join(ROOT, "docs", "benchmarks-ratios.svg")
DATA = os.path.join(ROOT, "Benchmarks", "data")
SIZES = ("small", "medium", "large")
INNER_LOOP = {"small": True, "medium": True, "large": False}
BEGIN, END = "<!-- report:begin -->", "<!-- report:end -->"

# operation label -> (Portico benchmark, [(reference label, reference benchmark)]). None: no such operation.
PROTOBUF_ROWS = [
    ("decode everything", "Portico/DOMLoad", [("swift-protobuf", "SwiftProtobuf/Decode"), ("protobuf-c", "ProtobufC/Decode")]),
    ("encode everything", "Portico/DOMMarshalEdited", [("swift-protobuf", "SwiftProtobuf/Encode"), ("protobuf-c", "ProtobufC/Encode")]),
    ("get one", "Portico/GetOne", [("swift-protobuf", "SwiftProtobuf/DecodeGetOne"), ("protobuf-c", "ProtobufC/DecodeGetOne")]),
    ("get many", "Portico/GetMany", [("swift-protobuf", "SwiftProtobuf/Decode"), ("protobuf-c", "ProtobufC/DecodeGetMany")]),
    ("set one", "Portico/SetOne", [("swift-protobuf", "SwiftProtobuf/DecodeSetOneEncode"), ("protobuf-c", "ProtobufC/DecodeSetOneEncode")]),
    ("set many", "Portico/SetMany", [("swift-protobuf", "SwiftProtobuf/DecodeSetManyEncode"), ("protobuf-c", "ProtobufC/DecodeSetManyEncode")]),
    ("unset", "Portico/Unset", [("swift-protobuf", "SwiftProtobuf/DecodeSetOneEncode"), ("protobuf-c", None)]),
    ("trim", "Portico/Trim", [("swift-protobuf", "SwiftProtobuf/Trim"), ("protobuf-c", "ProtobufC/Trim")]),
    ("skip (validate)", "Portico/Validate", [("swift-protobuf", "SwiftProtobuf/Decode"), ("protobuf-c", "ProtobufC/Decode")]),
    ("binary -> JSON", "Portico/BinaryToJSON", [("swift-protobuf", "SwiftProtobuf/BinaryToJSON"), ("protobuf-c", None)]),
    ("JSON -> binary", "Portico/JSONToBinary", [("swift-protobuf", "SwiftProtobuf/JSONToBinary"), ("protobuf-c", None)]),
    ("HTTP request -> binary", "Portico/HTTPToBinary", [("swift-protobuf", "SwiftProtobuf/JSONToBinary"), ("protobuf-c", None)]),
]


def thrift_rows(protocol):
    ours, apache = ("ThriftBinary", "ApacheBinary") if protocol == "binary" else ("ThriftCompact", "ApacheCompact")
    ref = lambda name: [("Apache C++", f"{apache}/{name}" if name else None)]
    return [
        ("decode everything", f"{ours}/DOMLoad", ref("Decode")),
        ("encode everything", f"{ours}/DOMMarshalEdited", ref("Encode")),
        ("get one", f"{ours}/GetOne", ref("DecodeGetOne")),
        ("get many", f"{ours}/GetMany", ref("DecodeGetMany")),
        ("set one", f"{ours}/SetOne", ref("DecodeSetOneEncode")),
        ("set many", f"{ours}/SetMany", ref("DecodeSetManyEncode")),
        ("unset", f"{ours}/Unset", ref("DecodeSetOneEncode")),
        ("trim", f"{ours}/Trim", ref("Trim")),
        ("skip", f"{ours}/Validate", ref("Skip")),
        ("binary -> JSON", f"{ours}/ToJSON", ref(None)),
        ("JSON -> binary", f"{ours}/FromJSON", ref(None)),
        ("HTTP request -> binary", f"{ours}/HTTPToBinary", ref(None)),
    ]


def parse(text):
    """{benchmark name: {"ns": p50, "mallocs": p50, "peak": p50 bytes}} from package-benchmark's text tables."""
    results = {}
    for block in re.split(r"\n(?=[A-Za-z]+/\S+\n╒)", text)[1:]:
        name, body = block.split("\n", 1)
        metrics = {}
        for line in body.splitlines():
            if not line.startswith("│"):
                continue
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            label = cells[0]
            try:
                value = float(cells[3].replace(",", ""))  # large values print as 1.50e+07
            except (IndexError, ValueError):
                continue
            scale = 1_000_000 if "(M)" in label else 1_000 if "(K)" in label else 1
            if label.startswith("Time (wall clock) (ns)"):
                metrics["ns"] = value
            elif label.startswith("Malloc (total)"):
                metrics["mallocs"] = value * scale
            elif label.startswith("Memory (resident peak)"):
                metrics["peak"] = value * scale * (1 if "(K)" in label or "(M)" in label else 1)
        if "ns" in metrics:
            results[name.strip()] = metrics
    return results


def message_bytes():
    """Encoded size of each message per encoding, from the data files."""
    sizes = {}
    for size in SIZES:
        sizes[("protobuf", size)] = os.path.getsize(os.path.join(DATA, f"{size}.pb"))
        sizes[("json", size)] = os.path.getsize(os.path.join(DATA, f"{size}.json"))
        for protocol in ("binary", "compact"):
            sizes[(protocol, size)] = os.path.getsize(os.path.join(DATA, f"thrift-{size}.{protocol}"))
    return sizes


def duration(ns):
    if ns >= 1_000_000:
        return f"{ns / 1_000_000:.2f} ms"
    if ns >= 10_000:
        return f"{ns / 1000:.0f} µs"
    if ns >= 1_000:
        return f"{ns / 1000:.1f} µs"
    return f"{ns:.0f} ns"


def count(value):
    if value >= 10_000_000:
        return f"{value / 1_000_000:.0f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}"


def ratio_text(value):
    if value is None:
        return "—"
    return f"{value:.0f}x" if value >= 10 else f"{value:.2f}x" if value < 1 else f"{value:.1f}x"


class Report:
    def __init__(self, results, instructions):
        self.results = results
        self.instructions = instructions
        self.overhead = results.get("Harness/Empty", {}).get("mallocs", 0)
        self.sizes = message_bytes()

    def mallocs(self, name, size):
        value = self.results[name]["mallocs"]
        return value if INNER_LOOP[size] else max(value - self.overhead, 0)

    def ratio(self, reference, ours):
        """(reference / ours, "instr" or "wall"): instruction counts when both have them, else p50 wall time."""
        if reference in self.instructions and ours in self.instructions:
            return self.instructions[reference] / self.instructions[ours], "instr"
        if reference in self.results and ours in self.results:
            return self.results[reference]["ns"] / self.results[ours]["ns"], "wall"
        return None, None

    def cell(self, name, size, encoding):
        full = f"{name}/{size}"
        if full not in self.results:
            return "—"
        metrics = self.results[full]
        megabytes = self.sizes[(encoding, size)] / metrics["ns"] * 1000  # bytes/ns * 1000 = MB/s
        text = f"{duration(metrics['ns'])}, {megabytes:,.0f} MB/s, {count(self.mallocs(full, size))} mallocs"
        if full in self.instructions:
            text += f", {count(self.instructions[full])} instr"
        return text

    def table(self, rows, encoding, references, sizes=SIZES):
        lines = []
        header = "| operation | size | Portico | " + " | ".join(references)
        header += " | " + " | ".join(f"vs {label}" for label in references) + " |"
        lines.append(header)
        lines.append("|---|---|---|" + "---|" * (2 * len(references)))
        for label, ours, refs in rows:
            for size in sizes:
                if f"{ours}/{size}" not in self.results:
                    continue
                cells = [self.cell(ours, size, encoding)]
                ratios = []
                for _, reference in refs:
                    cells.append(self.cell(reference, size, encoding) if reference else "—")
                    value, basis = self.ratio(f"{reference}/{size}", f"{ours}/{size}") if reference else (None, None)
                    ratios.append(ratio_text(value) + (" (instr)" if basis == "instr" else ""))
                lines.append(f"| {label} | {size} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        return lines

    def throughput(self, name, encoding="protobuf"):
        metrics = self.results.get(f"{name}/medium")
        return None if metrics is None else self.sizes[(encoding, "medium")] / metrics["ns"] * 1000

    def targets(self):
        """(target, figure, met) rows on the medium message."""
        rows = []

        def against(text, reference, ours, minimum, inverse=False):
            value, basis = self.ratio(f"{reference}/medium", f"{ours}/medium")
            if value is None:
                rows.append((text, "not measured", False))
                return
            shown = 1 / value if inverse else value
            met = shown <= minimum if inverse else shown >= minimum
            figure = f"{shown:.2f}x ({'instructions' if basis == 'instr' else 'wall time'})"
            if basis == "instr" and f"{reference}/medium" in self.results and f"{ours}/medium" in self.results:
                wall = self.results[f"{reference}/medium"]["ns"] / self.results[f"{ours}/medium"]["ns"]
                figure += f"; wall time {1 / wall if inverse else wall:.2f}x"
            rows.append((text, figure, met))

        against("get one >= 20x faster than a full swift-protobuf decode", "SwiftProtobuf/Decode", "Portico/GetOne", 20)
        against("get one >= 5x faster than protobuf-c unpack", "ProtobufC/Decode", "Portico/GetOne", 5)
        against("DOM decode no slower than swift-protobuf decode", "SwiftProtobuf/Decode", "Portico/DOMLoad", 1)
        against("binary -> JSON >= 3x faster than swift-protobuf", "SwiftProtobuf/BinaryToJSON", "Portico/BinaryToJSON", 3)
        against("JSON -> binary >= 2x faster than swift-protobuf", "SwiftProtobuf/JSONToBinary", "Portico/JSONToBinary", 2)
        for protocol, ours, apache in (("binary", "ThriftBinary", "ApacheBinary"), ("compact", "ThriftCompact", "ApacheCompact")):
            against(f"Thrift {protocol}: decode everything within 1.5x of Apache C++ (Portico time / Apache time)",
                    f"{apache}/Decode", f"{ours}/DOMLoad", 1.5, inverse=True)
            against(f"Thrift {protocol}: get one >= 10x faster than Apache C++ full decode",
                    f"{apache}/Decode", f"{ours}/GetOne", 10)
        for name in ("Portico/GetOne", "Portico/SetOne", "Portico/BinaryToJSON", "Portico/JSONToBinary",
                     "ThriftBinary/GetOne", "ThriftBinary/SetOne", "ThriftBinary/ToJSON", "ThriftBinary/FromJSON"):
            full = f"{name}/medium"
            if full in self.results:
                value = self.mallocs(full, "medium")
                rows.append((f"zero allocations per op: {name}", f"{value:.0f} mallocs", value == 0))
        # Issue 5: Thrift JSON conversions at least as fast, per byte of the binary message, as the Protobuf ones.
        for thrift_name, proto_name, label in (("ThriftBinary/ToJSON", "Portico/BinaryToJSON", "Thrift -> JSON"),
                                               ("ThriftBinary/FromJSON", "Portico/JSONToBinary", "JSON -> Thrift"),
                                               ("ThriftCompact/ToJSON", "Portico/BinaryToJSON", "compact Thrift -> JSON"),
                                               ("ThriftCompact/FromJSON", "Portico/JSONToBinary", "JSON -> compact Thrift")):
            encoding = "compact" if thrift_name.startswith("ThriftCompact") else "binary"
            ours, proto = self.throughput(thrift_name, encoding), self.throughput(proto_name)
            thrift_instr, proto_instr = self.instructions.get(f"{thrift_name}/medium"), self.instructions.get(f"{proto_name}/medium")
            if thrift_instr and proto_instr:
                # Instructions per byte of the binary message, lower is faster.
                ours_per_byte = thrift_instr / self.sizes[(encoding, "medium")]
                proto_per_byte = proto_instr / self.sizes[("protobuf", "medium")]
                figure = f"{ours_per_byte:.0f} vs {proto_per_byte:.0f} instructions per byte"
                if ours is not None and proto is not None:
                    figure += f"; wall time {ours:,.0f} vs {proto:,.0f} MB/s"
                rows.append((f"{label} >= Protobuf's bytes per second (issue 5)", figure, ours_per_byte <= proto_per_byte))
            elif ours is None or proto is None:
                rows.append((f"{label} >= Protobuf's bytes per second (issue 5)", "not measured", False))
            else:
                rows.append((f"{label} >= Protobuf's bytes per second (issue 5)", f"{ours:,.0f} vs {proto:,.0f} MB/s (wall time)", ours >= proto))
        return rows

    def chart_bars(self):
        """(label, ratio, basis) for the chart: medium message, Portico vs each reference."""
        bars = []
        for label, ours, refs in PROTOBUF_ROWS:
            for reference_label, reference in refs:
                if reference:
                    value, basis = self.ratio(f"{reference}/medium", f"{ours}/medium")
                    if value:
                        bars.append((f"Protobuf {label} vs {reference_label}", value, basis))
        for protocol in ("binary", "compact"):
            for label, ours, refs in thrift_rows(protocol):
                for reference_label, reference in refs:
                    if reference:
                        value, basis = self.ratio(f"{reference}/medium", f"{ours}/medium")
                        if value:
                            bars.append((f"Thrift {protocol} {label} vs {reference_label}", value, basis))
        return bars


def svg_chart(bars, stamp):
    """A horizontal bar chart of the ratios on a log scale, 1x marked."""
    import math

    row, left, width, top = 18, 330, 580, 48
    height = top + row * len(bars) + 40
    low, high = 0.01, max(1000.0, max(value for _, value, _ in bars) * 1.5)
    scale = lambda value: left + width * (math.log10(max(value, low)) - math.log10(low)) / (math.log10(high) - math.log10(low))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="8" y="16" font-size="13" font-weight="bold">Portico vs reference codecs, medium message '
        '(reference cost / Portico cost; right of 1x: Portico faster; log scale)</text>',
        f'<text x="8" y="32" fill="#555">{escape(stamp)}</text>',
    ]
    ticks = [0.01, 0.1, 1, 10, 100, 1000, 10000]
    for tick in ticks:
        if tick > high:
            break
        x = scale(tick)
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 30}" '
                   f'stroke="{"#000" if tick == 1 else "#ddd"}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle">{tick:g}x</text>')
    for index, (label, value, basis) in enumerate(bars):
        y = top + index * row
        x0, x1 = scale(1), scale(value)
        color = "#2e7d32" if value >= 1 else "#c62828"
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{min(x0, x1):.1f}" y="{y + 3}" width="{abs(x1 - x0):.1f}" height="{row - 6}" fill="{color}"/>')
        out.append(f'<text x="{max(x0, x1) + 4:.1f}" y="{y + 12}">{ratio_text(value)}{" (instr)" if basis == "instr" else ""}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(open("/proc/meminfo", encoding="utf-8").readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        memory = 0
    swift = "unknown Swift"
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    # The last commit that changed the measured library (other parts of the repository do not affect the figures).
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "Sources/DynamicCodec"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return {
        "machine": f"{os.cpu_count()} cores, {cpu}, {memory:.0f} GiB, {platform.system()} {platform.release()}",
        "swift": swift,
        "commit": commit,
        "date": datetime.date.today().isoformat(),
    }


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    results = {}
    for path in sys.argv[1:]:
        for name, metrics in parse(open(path, encoding="utf-8", errors="replace").read()).items():
            if name not in results or metrics["ns"] < results[name]["ns"]:
                results[name] = metrics
    # Instruction counts (CallgrindProbe/callgrind.sh): "name count" lines.
    instructions = {}
    instructions_file = os.path.join(ROOT, "Benchmarks", "results", "instructions.txt")
    if os.path.exists(instructions_file):
        for line in open(instructions_file, encoding="utf-8"):
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                instructions[parts[0]] = int(parts[1])
    report = Report(results, instructions)
    info = machine()
    stamp = f"{info['machine']}; {info['swift']}; {info['date']}; DynamicCodec {info['commit']}; make bench-all"

    lines = [BEGIN, "", "<!-- Generated by Benchmarks/make_report.py; edit the script, not this part. -->", ""]
    lines += [
        f"- Machine: {info['machine']}.",
        f"- Toolchain: {info['swift']}; release build.",
        f"- Date: {info['date']}; code: DynamicCodec as of commit {info['commit']} (the last commit changing "
        "Sources/DynamicCodec when the report was written).",
        "- Command: `make bench` (both suites; output in Benchmarks/results/bench.txt, earlier runs kept as "
        "bench-*.txt), `make bench-instructions` (callgrind counts in Benchmarks/results/instructions.txt), then "
        "`make bench-report` (this section and the chart); `make bench-all` runs the three.",
        f"- Runs combined: {len(sys.argv) - 1} (lowest p50 per benchmark). Load average when the report was "
        f"written: {os.getloadavg()[0]:.1f} (2 shared cores: wall times are noisy).",
        "",
        "![Ratios, medium message](benchmarks-ratios.svg)",
        "",
        "### Targets (medium message)",
        "",
        "| target | figure | met |",
        "|---|---|---|",
    ]
    for target, figure, met in report.targets():
        lines.append(f"| {target} | {figure} | {'yes' if met else '**no**'} |")
    lines += [
        "",
        "Ratios marked (instr) and the targets that say so use instructions per operation from callgrind "
        "(`make bench-instructions`, Benchmarks/results/instructions.txt), which the machine's load does not "
        "change; the others are the reference's p50 wall time divided by Portico's.",
        "",
        "### Protobuf: Portico vs swift-protobuf vs protobuf-c",
        "",
        "Cells: p50 wall time per operation, throughput over the binary message size "
        "(small 97 B, medium 5,894 B, large 289,096 B), mallocs per operation, and callgrind instructions per "
        "operation where measured. Ratio columns: the reference's cost divided by Portico's.",
        "",
    ]
    lines += report.table(PROTOBUF_ROWS, "protobuf", ["swift-protobuf", "protobuf-c"])
    for protocol in ("binary", "compact"):
        lines += ["", f"### Thrift {protocol}: Portico vs Apache Thrift C++", ""]
        lines += report.table(thrift_rows(protocol), protocol, ["Apache C++"])
    peaks = [metrics["peak"] for metrics in results.values() if "peak" in metrics]
    if peaks:
        lines += ["", f"Peak resident memory (process-wide, so not per operation): {min(peaks) / 1e6:.0f} to "
                  f"{max(peaks) / 1e6:.0f} MB across the benchmarks."]
    harness = results.get("Harness/Empty")
    if harness:
        lines += ["", f"Harness/Empty: {harness['ns']} ns and {harness['mallocs']} mallocs per sample "
                  "(subtracted from the large message's malloc counts)."]
    lines += ["", END]

    text = open(DOC, encoding="utf-8").read()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + "\n".join(lines) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Generated report\n\n" + "\n".join(lines) + "\n"
    open(DOC, "w", encoding="utf-8").write(text)
    open(CHART, "w", encoding="utf-8").write(svg_chart(report.chart_bars(), stamp))
    print(f"wrote {DOC} and {CHART}")


if __name__ == "__main__":
    main()
