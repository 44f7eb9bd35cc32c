#!/bin/bash
# Builds the libFuzzer harnesses and runs each for a bounded time (docs/fuzzing.md).
#
#   FuzzTesting/run.sh [seconds-per-harness] [harness...]     (default: 300 s, every harness, one after another)
#
# Each harness starts from its committed corpus (Corpus/<harness>/) in a scratch copy, runs one job for
# -max_total_time seconds with a per-input timeout (hangs are found) and an RSS limit (unbounded memory is found),
# and saves every crash, timeout or out-of-memory input to Regressions/<harness>/. Afterwards the corpus is
# minimised (-set_cover_merge=1) back into Corpus/<harness>/, and the CPU seconds the harness used are printed and
# appended to .build/fuzz-times.txt. Exit status 1 when any harness found something.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_HARNESS=${1:-300}
shift || true
ALL=(FuzzProtobufBinary FuzzThriftBinary FuzzThriftCompact FuzzProtoJSON FuzzThriftJSON FuzzProtoIDL FuzzThriftIDL
    FuzzEnvelopes FuzzHTTPMapping FuzzShmIPCEvents)
if [ $# -gt 0 ]; then HARNESSES=("$@"); else HARNESSES=("${ALL[@]}"); fi

# Release with the fuzzer's coverage instrumentation and AddressSanitizer. -parse-as-library: a harness has no
# top-level code; its entry point (`<harness>_main`, the name SwiftPM links as main) runs libFuzzer's driver.
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BIN=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)

# Leak checking is off: the Swift runtime's lazily allocated metadata and caches look like leaks to LeakSanitizer.
# Unbounded growth is caught by -rss_limit_mb and -malloc_limit_mb instead.
export ASAN_OPTIONS=detect_leaks=0
# Swift's own crash backtracer would take over the signal from libFuzzer (and hang under ASan).
export SWIFT_BACKTRACE=enable=no

found=0
for harness in "${HARNESSES[@]}"; do
    mkdir -p "Corpus/$harness" "Regressions/$harness"
    here=$(pwd)
    scratch=$(mktemp -d)
    mkdir "$scratch/corpus" "$scratch/crashes"
    cp -r "Corpus/$harness/." "$scratch/corpus/"
    echo "== $harness: ${SECONDS_PER_HARNESS}s"
    start=$(date +%s)
    # One job in fork mode: a crash, a timeout or an out-of-memory input is saved and fuzzing goes on until the
    # time is up. GNU time reports the CPU time of the fuzzer and its children (user + system).
    (cd "$scratch" && /usr/bin/time -f "%U %S" -o "$scratch/time" "$BIN/$harness" "$scratch/corpus" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$SECONDS_PER_HARNESS" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$scratch/crashes/" > "$scratch/log" 2>&1) || true
    grep -E '^(#[0-9]+.*DONE|INFO: fuzzed for|stat::)' "$scratch/log" | tail -3 || true
    # GNU time writes "Command exited with non-zero status N" first when the fuzzer found something.
    read -r user system < <(tail -n 1 "$scratch/time")
    cpu=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.0f", u + s }')
    new=0
    for crash in "$scratch"/crashes/*; do
        [ -e "$crash" ] || continue
        cp "$crash" "Regressions/$harness/"
        new=$((new + 1))
        echo "   found: Regressions/$harness/$(basename "$crash")"
    done
    # Keep a minimal set of inputs that covers every edge (greedy set cover, hit counts ignored): the committed
    # corpus stays at a few hundred files.
    merged=$(mktemp -d)
    (cd "$scratch" && "$BIN/$harness" -set_cover_merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 "$merged" \
        "$here/Corpus/$harness" "$scratch/corpus" > "$scratch/merge.log" 2>&1) || true
    if [ -n "$(ls "$merged")" ]; then
        rm -rf "Corpus/$harness"
        mv "$merged" "Corpus/$harness"
    fi
    wall=$(( $(date +%s) - start ))
    echo "== $harness: ${cpu}s CPU in ${wall}s, corpus $(ls "Corpus/$harness" | wc -l) files, $new new input(s)"
    mkdir -p .build
    echo "$(date -u +%FT%TZ) $harness cpu=${cpu}s wall=${wall}s new=$new" >> .build/fuzz-times.txt
    [ "$new" -gt 0 ] && found=1
    rm -rf "$scratch"
done
exit $found
