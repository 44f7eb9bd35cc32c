#!/usr/bin/env python3
"""Turns TransportBenchmarks output into the table of docs/benchmarks-transport.md and docs/benchmarks-transport.svg.

    python3 Benchmarks/make_transport_report.py [Benchmarks/results/transport.txt]

Reads the RESULT lines, takes the median of the repetitions per (mode, size, streams, transport), rewrites the part
of docs/benchmarks-transport.md between the GENERATED markers and writes the SVG chart. Standard library only.
"""
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks-transport.md"
SVG = ROOT / "docs" / "benchmarks-transport.svg"
BEGIN = "<!-- GENERATED: make_transport_report.py -->"
END = "<!-- END GENERATED -->"
TRANSPORTS = ["shmipc", "uds", "tcp"]
MODES = [("pingpong", "ping-pong"), ("stream", "streaming")]


def size_label(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1024:
        return f"{size >> 10} KiB"
    return f"{size} B"


def target(size):
    """The issue's target for ShmIPC / UDS at this payload size, and its wording."""
    if size >= 64 * 1024:
        return 2.5, ">= 2.5x"
    if size >= 4 * 1024:
        return 1.5, ">= 1.5x"
    return 1.0, ">= 1x"


def load(path):
    """RESULT lines (the main matrix) and VARIANT lines (ShmIPC-only reruns with other settings)."""
    runs = defaultdict(list)
    fallback = defaultdict(bool)
    variants = defaultdict(lambda: defaultdict(list))
    variant_args = {}
    header = []
    pattern = re.compile(r"(\w+)=(\S+)")
    in_variants = False
    for line in Path(path).read_text().splitlines():
        if line.startswith("# variant "):
            in_variants = True
            name, _, args = line[len("# variant "):].partition(":")
            variant_args[name] = args.strip()
        if not in_variants and (line.startswith("# TransportBenchmarks") or line.startswith("# machine")):
            header.append(line[2:])
        if line.startswith("VARIANT "):
            fields = dict(pattern.findall(line))
            key = (fields["mode"], int(fields["size"]), int(fields["streams"]))
            variants[fields["variant"]][key].append(float(fields["per_second"]))
            continue
        if not line.startswith("RESULT "):
            continue
        fields = dict(pattern.findall(line))
        key = (fields["mode"], int(fields["size"]), int(fields["streams"]), fields["transport"])
        runs[key].append(float(fields["per_second"]))
        fallback[key] |= fields.get("fallback") == "1"
    return runs, fallback, header, variants, variant_args


def variant_tables(variants, variant_args, med):
    lines = []
    for name, rows in variants.items():
        lines += [
            "",
            f"Variant `{name}` (`{variant_args.get(name, '')}`), ShmIPC only, medians; ratios against the main run's medians:",
            "",
            "| mode | size | streams | ShmIPC /s | ShmIPC MB/s | vs main ShmIPC | ShmIPC/UDS | target met |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for mode, mode_name in MODES:
            for (m, size, streams) in sorted(k for k in rows if k[0] == mode):
                rate = statistics.median(rows[(m, size, streams)])
                main = med.get((mode, size, streams, "shmipc"))
                uds = med.get((mode, size, streams, "uds"))
                ratio = rate / uds if uds else float("nan")
                goal, _ = target(size)
                lines.append(
                    f"| {mode_name} | {size_label(size)} | {streams} | {rate:,.0f} | {megabytes(mode, size, rate):,.1f} | "
                    f"{rate / main if main else float('nan'):.2f} | {ratio:.2f} | {'yes' if ratio >= goal else 'no'} |"
                )
    return lines


def medians(runs):
    return {key: statistics.median(values) for key, values in runs.items()}


def megabytes(mode, size, rate):
    return rate * size * (2 if mode == "pingpong" else 1) / 1e6


def table(runs, fallback):
    med = medians(runs)
    reps = max((len(v) for v in runs.values()), default=0)
    lines = [
        f"Medians of {reps} runs. Ping-pong: round trips/s, MB/s counts both directions (round trips/s x size x 2). "
        "Streaming: messages/s one way, MB/s = messages/s x size. Target = the issue's ShmIPC/UDS target for the size.",
        "",
        "| mode | size | streams | ShmIPC /s | ShmIPC MB/s | UDS /s | UDS MB/s | TCP /s | TCP MB/s | ShmIPC/UDS | ShmIPC/TCP | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    sizes = sorted({key[1] for key in med})
    streams_list = sorted({key[2] for key in med})
    for mode, mode_name in MODES:
        for size in sizes:
            for streams in streams_list:
                if (mode, size, streams, "shmipc") not in med:
                    continue
                cells = []
                for transport in TRANSPORTS:
                    rate = med.get((mode, size, streams, transport))
                    if rate is None:
                        cells += ["-", "-"]
                        continue
                    mark = " (fallback)" if fallback[(mode, size, streams, transport)] else ""
                    cells += [f"{rate:,.0f}{mark}", f"{megabytes(mode, size, rate):,.1f}"]
                shm = med[(mode, size, streams, "shmipc")]
                uds = med.get((mode, size, streams, "uds"))
                tcp = med.get((mode, size, streams, "tcp"))
                ratio_uds = shm / uds if uds else None
                ratio_tcp = shm / tcp if tcp else None
                goal, wording = target(size)
                met = ratio_uds is not None and ratio_uds >= goal
                verdicts.append((mode, size, streams, met))
                lines.append(
                    f"| {mode_name} | {size_label(size)} | {streams} | "
                    + " | ".join(cells)
                    + f" | {ratio_uds:.2f} | {ratio_tcp:.2f} | {wording} | {'yes' if met else '**no**'} |"
                )
    return lines, verdicts, med


def svg(med):
    """Two rows (ping-pong, streaming) x two columns (1 and 8 streams) of ShmIPC/UDS and ShmIPC/TCP bars per size,
    with the issue's targets as a step line; logarithmic ratio axis."""
    import math

    sizes = sorted({key[1] for key in med})
    streams_list = sorted({key[2] for key in med})
    panel_w, panel_h = 460, 250
    left, top, gap = 60, 60, 40
    width = left + len(streams_list) * (panel_w + gap)
    height = top + len(MODES) * (panel_h + 70) + 30
    lo, hi = 0.25, 32.0

    def y_of(value, y0):
        value = min(max(value, lo), hi)
        return y0 + panel_h - (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo)) * panel_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15" font-weight="bold">ShmIPC throughput relative to a Unix-domain socket and TCP loopback (same exchange, same run; medians)</text>',
        f'<rect x="{left}" y="34" width="12" height="10" fill="#1f77b4"/><text x="{left + 16}" y="43">ShmIPC / UDS</text>',
        f'<rect x="{left + 110}" y="34" width="12" height="10" fill="#ff7f0e"/><text x="{left + 126}" y="43">ShmIPC / TCP</text>',
        f'<line x1="{left + 220}" y1="39" x2="{left + 245}" y2="39" stroke="#d62728" stroke-width="2" stroke-dasharray="5,3"/>'
        f'<text x="{left + 250}" y="43">target for ShmIPC / UDS</text>',
    ]
    for row, (mode, mode_name) in enumerate(MODES):
        for column, streams in enumerate(streams_list):
            x0 = left + column * (panel_w + gap)
            y0 = top + row * (panel_h + 70) + 20
            out.append(f'<text x="{x0}" y="{y0 - 8}" font-size="13" font-weight="bold">{mode_name}, {streams} stream(s)</text>')
            out.append(f'<rect x="{x0}" y="{y0}" width="{panel_w}" height="{panel_h}" fill="none" stroke="#999"/>')
            for tick in [0.25, 0.5, 1, 2, 4, 8, 16, 32]:
                y = y_of(tick, y0)
                color = "#444" if tick == 1 else "#ddd"
                out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w}" y2="{y:.1f}" stroke="{color}"/>')
                out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}x</text>')
            slot = panel_w / len(sizes)
            target_points = []
            for index, size in enumerate(sizes):
                shm = med.get((mode, size, streams, "shmipc"))
                cx = x0 + slot * index
                for offset, other, color in [(0.18, "uds", "#1f77b4"), (0.5, "tcp", "#ff7f0e")]:
                    base = med.get((mode, size, streams, other))
                    if not shm or not base:
                        continue
                    ratio = shm / base
                    y = y_of(ratio, y0)
                    y1 = y_of(1, y0)
                    bx = cx + slot * offset
                    out.append(
                        f'<rect x="{bx:.1f}" y="{min(y, y1):.1f}" width="{slot * 0.3:.1f}" height="{abs(y1 - y):.1f}" fill="{color}">'
                        f"<title>{mode_name} {size_label(size)} x{streams}: ShmIPC/{other.upper()} {ratio:.2f}</title></rect>"
                    )
                    out.append(
                        f'<text x="{bx + slot * 0.15:.1f}" y="{(y - 3 if ratio >= 1 else y + 11):.1f}" text-anchor="middle" font-size="9">{ratio:.1f}</text>'
                    )
                goal, _ = target(size)
                gy = y_of(goal, y0)
                target_points += [(cx, gy), (cx + slot, gy)]
                out.append(f'<text x="{cx + slot / 2:.1f}" y="{y0 + panel_h + 14}" text-anchor="middle">{size_label(size)}</text>')
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in target_points)
            out.append(f'<polyline points="{path}" fill="none" stroke="#d62728" stroke-width="2" stroke-dasharray="5,3"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "Benchmarks" / "results" / "transport.txt")
    runs, fallback, header, variants, variant_args = load(path)
    if not runs:
        sys.exit(f"no RESULT lines in {path}")
    lines, verdicts, med = table(runs, fallback)
    met = sum(1 for v in verdicts if v[3])
    lines += ["", f"Targets met in {met} of {len(verdicts)} rows."]
    lines += variant_tables(variants, variant_args, med)
    generated = "\n".join([BEGIN, *(f"`{h}`  " for h in header), "", *lines, END])
    text = DOC.read_text() if DOC.exists() else f"# Transport benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        start = text.index(BEGIN)
        stop = text.index(END) + len(END)
        text = text[:start] + generated + text[stop:]
    else:
        text += "\n" + generated + "\n"
    DOC.write_text(text)
    SVG.write_text(svg(med))
    print(f"wrote {DOC.relative_to(ROOT)} ({len(verdicts)} rows, {met} meet the target) and {SVG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
