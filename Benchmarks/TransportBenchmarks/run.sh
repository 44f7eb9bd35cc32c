#!/bin/bash
# The full transport benchmark: builds TransportBenchmarks (release), runs the main matrix (3 repetitions) into
# Benchmarks/results/transport.txt, appends three ShmIPC-only variants (their lines start with VARIANT), and
# regenerates docs/benchmarks-transport.md's table and docs/benchmarks-transport.svg.
# Run from the repository root; wrap it in the machine lock where builds and measurements must not overlap:
#   flock /work/machine.lock bash Benchmarks/TransportBenchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product TransportBenchmarks
binary=.build/release/TransportBenchmarks
out=results/transport.txt
mkdir -p results
{
    echo "# machine: $(uname -sr), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ), portico $(git rev-parse --short HEAD)"
    "$binary" --reps 3 --warmup 0.2 --duration 0.8
} | tee "$out"
variant() {
    local name=$1
    shift
    echo "# variant $name: $*" | tee -a "$out"
    "$binary" --reps 3 --warmup 0.2 --duration 0.8 --transports shmipc "$@" | sed "s/^RESULT /VARIANT variant=$name /" \
        | tee -a "$out"
}
variant writer-threads --modes stream --shm-writer-threads
variant copy --shm-copy
variant no-spin --shm-spin 0
cd ..
python3 Benchmarks/make_transport_report.py Benchmarks/results/transport.txt
