#!/usr/bin/env bash
# Instructions per operation on the medium message, with valgrind's callgrind (Debian `valgrind`), for the
# operations CallgrindProbe knows (`make bench-instructions`). Usage: Benchmarks/CallgrindProbe/callgrind.sh [COUNT]
# (default 200). Writes "operation instructions-per-op" lines to Benchmarks/results/instructions.txt (read by
# make_report.py) and keeps each profile as /tmp/callgrind.<operation>.out for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product CallgrindProbe 2>&1 | grep -E "error|complete"
mkdir -p results
out=results/instructions.txt
: > "$out"
count="${1:-200}"
# A copy without DWARF: valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 emits ("corrupted debuginfo").
probe="$(mktemp -d)/CallgrindProbe"
cp .build/release/CallgrindProbe "$probe"
strip -g "$probe"
ir() { valgrind --tool=callgrind --callgrind-out-file="$2" "$probe" "$1" "$3" 2>&1 | sed -n 's/.*Collected : //p'; }
for operation in Portico/GetOne Portico/DOMLoad Portico/BinaryToJSON Portico/JSONToBinary SwiftProtobuf/Decode \
    SwiftProtobuf/BinaryToJSON SwiftProtobuf/JSONToBinary ProtobufC/Decode ThriftBinary/GetOne ThriftBinary/DOMLoad \
    ThriftCompact/GetOne ThriftCompact/DOMLoad ApacheBinary/Decode ApacheCompact/Decode ThriftBinary/ToJSON \
    ThriftBinary/FromJSON ThriftCompact/ToJSON ThriftCompact/FromJSON; do
    file="/tmp/callgrind.${operation//\//-}.out"
    base=$(ir "$operation" /dev/null 0)
    total=$(ir "$operation" "$file" "$count")
    echo "$operation/medium $(( (total - base) / count ))" | tee -a "$out"
done
