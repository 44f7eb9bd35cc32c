#!/bin/bash
# Builds the libFuzzer harnesses and runs each for a bounded time (docs/fuzzing.md).
#
#   FuzzTesting/run.sh [seconds-per-harness] [harness...]     (default: 300 s, every harness, one after another)
#
# Each harness starts from its committed corpus (Corpus/<harness>/) in a scratch copy, runs one job for
# -max_total_time seconds with a per-input timeout (hangs are found) and an RSS limit (unbounded memory is found),
# and saves every crash, timeout or out-of-memory input to Regressions/<harness>/. Afterwards the corpus is
# minimised with -merge=1 back into Corpus/<harness>/, and the CPU seconds the harness used are printed and
# appended to .build/fuzz-times.txt. Exit status 1 when any harness found something.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_HARNESS=${1:-300}
shift || true
ALL=(FuzzProtobufBinary FuzzThriftBinary FuzzThriftCompact FuzzProtoJSON FuzzThriftJSON FuzzProtoIDL FuzzThriftIDL
    FuzzEnvelopes FuzzHTTPMapping FuzzShmIPCEvents)
if [ $# -gt 0 ]; then HARNESSES=("$@"); else HARNESSES=("${ALL[@]}"); fi

# Release with the fuzzer's coverage instrumentation and AddressSanitizer. -parse-as-library: the harnesses have
# no main (libFuzzer brings it).
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BIN=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)

# Leak checking is off: the Swift runtime's lazily allocated metadata and caches look like leaks to LeakSanitizer.
# Unbounded growth is caught by -rss_limit_mb and -malloc_limit_mb instead.
export ASAN_OPTIONS=detect_leaks=0

found=0
for harness in "${HARNESSES[@]}"; do
    mkdir -p "Corpus/$harness" "Regressions/$harness"
    scratch=$(mktemp -d)
    cp -r "Corpus/$harness/." "$scratch/"
    echo "== $harness: ${SECONDS_PER_HARNESS}s"
    before=$(ls "Regressions/$harness" | wc -l)
    start=$(date +%s)
    # The harness's own CPU time (user + system), measured by GNU time around the one fuzzing process.
    /usr/bin/time -f "%U %S" -o "$scratch.time" "$BIN/$harness" "$scratch" \
        -max_total_time="$SECONDS_PER_HARNESS" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="Regressions/$harness/" 2>&1 | grep -v '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)' || true
    read -r user system < "$scratch.time"
    cpu=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.0f", u + s }')
    # Keep only the inputs that add coverage: the committed corpus stays small.
    merged=$(mktemp -d)
    "$BIN/$harness" -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=16384 "$merged" "Corpus/$harness" "$scratch" \
        > /dev/null 2>&1 || true
    if [ -n "$(ls "$merged")" ]; then
        rm -rf "Corpus/$harness"
        mv "$merged" "Corpus/$harness"
    fi
    after=$(ls "Regressions/$harness" | wc -l)
    echo "== $harness: ${cpu}s CPU in $(( $(date +%s) - start ))s, corpus $(ls "Corpus/$harness" | wc -l) files," \
        "$((after - before)) new regression input(s)"
    echo "$(date -u +%FT%TZ) $harness cpu=${cpu}s wall=$(( $(date +%s) - start ))s new=$((after - before))" \
        >> .build/fuzz-times.txt
    [ "$after" -gt "$before" ] && found=1
    rm -rf "$scratch" "$scratch.time"
done
exit $found
