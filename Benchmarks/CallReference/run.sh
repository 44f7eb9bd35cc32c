#!/usr/bin/env bash
# The call benchmark: `portico bench` and the C++ reference clients against the same `portico mock` processes on
# loopback, in one run. Writes the raw output to Benchmarks/results/calls.txt and the report to
# docs/benchmarks-calls.md.
#
#   Benchmarks/CallReference/run.sh            (DURATION=10s WARMUP=2s by default)
#   DURATION=2s WARMUP=500ms Benchmarks/CallReference/run.sh   (a quick look; do not publish)
#   SKIP_BUILD=1 ...                           (use the existing release portico and reference builds)
#   LOCK=/work/machine.lock ...                (hold this flock(1) lock around the builds and around the whole
#                                               measurement, so nothing else measures or builds meanwhile)
#
# For each of {framed Thrift, gRPC} x {small, medium} x {1, 64 callers}, one after another: portico bench, then the
# reference client on the same bytes (raw mode: pre-encoded request, reply kept as bytes — the work portico bench
# does), then the reference client's generated code (serializes the request and parses the reply every call).
# The servers are two `portico mock` processes (framed Thrift for BaselineService, gRPC for
# baseline.BaselineService), started once and always stopped (trap), replying with the full small or medium
# message. Their CPU time is read from /proc around every client run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
LOCK="${LOCK:-}"
locked() { if [ -n "$LOCK" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    bash scripts/install-bench-deps.sh
    locked swift build -c release --product portico
    locked "$here/build.sh"
fi
portico="$root/.build/release/portico"
thrift_ref="$here/build/thrift_call_bench"
grpc_ref="$here/build/grpc_call_bench"
for tool in "$portico" "$thrift_ref" "$grpc_ref"; do
    [ -x "$tool" ] || { echo "missing $tool (run without SKIP_BUILD=1)" >&2; exit 1; }
done

work="$(mktemp -d)"
mock_pids=()
cleanup() {
    for pid in "${mock_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${mock_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Requests and replies: the Thrift side's JSON is Apache's encoding of the benchmark messages
# (Benchmarks/data/thrift-*.binary) in Portico's Thrift JSON; the Protobuf side's is Benchmarks/data/*.json.
data="$root/Benchmarks/data"
"$portico" convert --schema Descriptors/baseline.thrift --type baseline.Simple --from binary --to json \
    --input "$data/thrift-small.binary" > "$work/thrift-small.json"
"$portico" convert --schema Descriptors/baseline.thrift --type baseline.Nesting --from binary --to json \
    --input "$data/thrift-medium.binary" > "$work/thrift-medium.json"
python3 - "$work" "$data" <<'PY'
import json, pathlib, sys
work, data = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def load(path): return json.loads(path.read_text())
(work / "thrift-replies.json").write_text(json.dumps({
    "SimpleMethod": {"reply": load(work / "thrift-small.json")},
    "NestingMethod": {"reply": load(work / "thrift-medium.json")}}, ensure_ascii=False))
(work / "grpc-replies.json").write_text(json.dumps({
    "SimpleMethod": {"reply": load(data / "small.json")},
    "NestingMethod": {"reply": load(data / "medium.json")}}, ensure_ascii=False))
PY

start_mock() { # name schema service framing replies -> sets mock_address, mock_pid
    local name="$1"
    "$portico" mock --schema "$2" --service "$3" --framing "$4" --listen 127.0.0.1:0 --responses "$5" \
        > "$work/$name.out" 2> "$work/$name.err" &
    mock_pid=$!
    mock_pids+=("$mock_pid")
    for _ in $(seq 1 200); do
        if grep -q "listening on" "$work/$name.out" 2>/dev/null; then break; fi
        kill -0 "$mock_pid" 2>/dev/null || { cat "$work/$name.err" >&2; exit 1; }
        sleep 0.05
    done
    mock_address="$(awk '/listening on/ {print $NF; exit}' "$work/$name.out")"
    [ -n "$mock_address" ] || { echo "mock $name did not start" >&2; exit 1; }
}
start_mock thrift-mock Descriptors/baseline.thrift BaselineService framed "$work/thrift-replies.json"
thrift_address="$mock_address"; thrift_pid="$mock_pid"
start_mock grpc-mock Descriptors/baseline.proto baseline.BaselineService grpc "$work/grpc-replies.json"
grpc_address="$mock_address"; grpc_pid="$mock_pid"

ticks="$(getconf CLK_TCK)"
cpu_of() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

raw="$root/Benchmarks/results/calls.txt"
mkdir -p "$(dirname "$raw")"
{
    echo "# call benchmark raw output ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources/GenericCall Sources/DynamicCodec Sources/portico Benchmarks/CallReference/*.cpp Benchmarks/CallReference/*.h || echo ' (with uncommitted changes)')"
    echo "# machine: $(uname -srm); $(nproc) cpus; $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "# swift: $(swift --version 2>&1 | head -1)"
    echo "# thrift: libthrift-dev $(dpkg-query -W -f='${Version}' libthrift-dev); grpc: libgrpc++-dev $(dpkg-query -W -f='${Version}' libgrpc++-dev)"
    echo "# duration $DURATION, warm-up $WARMUP per client run; servers: $thrift_address (thrift framed mock, pid $thrift_pid), $grpc_address (grpc mock, pid $grpc_pid)"
} > "$raw"

# Runs one client (standard input from INPUT, or none), appends "## label", the command, its JSON report and the
# server's CPU over the run to the raw file.
measure() { # label server_pid input command...
    local label="$1" server="$2" input="${3:-/dev/null}"
    shift 3
    local before after wall_before wall_after output status=0
    before="$(cpu_of "$server")"
    wall_before="$(date +%s.%N)"
    output="$("$@" < "$input")" || status=$?
    wall_after="$(date +%s.%N)"
    after="$(cpu_of "$server")"
    {
        echo "## $label"
        local shown="$*"
        shown="${shown//$root\//}"
        if [ "$input" != /dev/null ]; then
            input="${input//$work\//}"
            shown="$shown < ${input//$root\//}"
        fi
        echo "\$ $shown"
        echo "$output"
        awk -v a="$after" -v b="$before" -v wa="$wall_after" -v wb="$wall_before" \
            'BEGIN { printf "server_cpu_s %.2f over %.2f s (warm-up included)\n", a - b, wa - wb }'
    } >> "$raw"
    echo "$label: $(echo "$output" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["calls_per_second"], "calls/s, p50", r["latency_us"]["p50"], "us, p99", r["latency_us"]["p99"], "us, errors", r["errors"])' 2>/dev/null || echo "exit $status: $output")"
}

run_all() {
    local size method concurrency thrift_json pb thrift_bin
    for size in small medium; do
        if [ "$size" = small ]; then method=SimpleMethod; else method=NestingMethod; fi
        thrift_json="$work/thrift-$size.json"; thrift_bin="$data/thrift-$size.binary"; pb="$data/$size.pb"
        for concurrency in 1 64; do
            local load=(--concurrency "$concurrency" --duration "$DURATION" --warmup "$WARMUP" --json)
            measure "thrift $size c=$concurrency portico" "$thrift_pid" "$thrift_json" "$portico" bench \
                --schema Descriptors/baseline.thrift --method "BaselineService.$method" \
                --target "framed://$thrift_address" --data - "${load[@]}"
            measure "thrift $size c=$concurrency reference-raw" "$thrift_pid" "" "$thrift_ref" \
                --target "framed://$thrift_address" --method "$method" --payload "$thrift_bin" --mode raw "${load[@]}"
            measure "thrift $size c=$concurrency reference-generated" "$thrift_pid" "" "$thrift_ref" \
                --target "framed://$thrift_address" --method "$method" --payload "$thrift_bin" --mode generated "${load[@]}"
            measure "grpc $size c=$concurrency portico" "$grpc_pid" "$data/$size.json" "$portico" bench \
                --schema Descriptors/baseline.proto --method "baseline.BaselineService.$method" \
                --target "grpc://$grpc_address" --data - "${load[@]}"
            measure "grpc $size c=$concurrency reference-raw" "$grpc_pid" "" "$grpc_ref" \
                --target "grpc://$grpc_address" --method "$method" --payload "$pb" --mode raw "${load[@]}"
            measure "grpc $size c=$concurrency reference-generated" "$grpc_pid" "" "$grpc_ref" \
                --target "grpc://$grpc_address" --method "$method" --payload "$pb" --mode generated "${load[@]}"
        done
    done
}
if [ -n "$LOCK" ]; then
    # One hold of the lock for the whole measurement (the function runs in this shell, under flock on fd 9).
    exec 9>>"$LOCK"
    flock 9
    run_all
    flock -u 9
else
    run_all
fi
python3 "$here/make_report.py" "$raw" "$root/docs/benchmarks-calls.md" "$here/commentary.md"
echo "wrote $raw and docs/benchmarks-calls.md"
