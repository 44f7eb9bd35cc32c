#!/usr/bin/env bash
# Builds the reference load clients of the call benchmark into Benchmarks/CallReference/build/:
#   thrift_call_bench  Apache Thrift C++ (Debian libthrift-dev 0.17), generated code from call_baseline.thrift
#   grpc_call_bench    gRPC C++ (Debian libgrpc++-dev 1.51), generated code from Descriptors/baseline.proto
# The generated code is committed in generated/; REGENERATE=1 regenerates it first (thrift-compiler, protoc and
# protobuf-compiler-grpc's grpc_cpp_plugin). scripts/install-bench-deps.sh installs every package needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
generated="$here/generated"
out="$here/build"
if [ "${REGENERATE:-0}" = 1 ] || [ ! -f "$generated/BaselineService.cpp" ] || [ ! -f "$generated/baseline.grpc.pb.cc" ]; then
    rm -rf "$generated" && mkdir -p "$generated"
    thrift --gen cpp:no_skeleton -out "$generated" "$here/call_baseline.thrift" >/dev/null 2>&1
    protoc -I "$root/Descriptors" --cpp_out="$generated" --grpc_out="$generated" \
        --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "$root/Descriptors/baseline.proto"
fi
mkdir -p "$out"
flags=(-std=c++17 -O2 -DNDEBUG -I "$generated" -I "$here")
g++ "${flags[@]}" -o "$out/thrift_call_bench" "$here/thrift_call_bench.cpp" "$generated/BaselineService.cpp" \
    "$generated/call_baseline_types.cpp" -lthrift -lpthread
g++ "${flags[@]}" -o "$out/grpc_call_bench" "$here/grpc_call_bench.cpp" "$generated/baseline.pb.cc" \
    "$generated/baseline.grpc.pb.cc" $(pkg-config --cflags --libs grpc++ protobuf) -lpthread
echo "built $out/thrift_call_bench $out/grpc_call_bench"
