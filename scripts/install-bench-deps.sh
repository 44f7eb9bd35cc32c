#!/usr/bin/env bash
# Installs what the benchmark package (Benchmarks/) needs beyond Swift: the reference codecs it links against,
# the reference load clients of the call benchmark (Benchmarks/CallReference) and the tools of the report. Not
# needed by the library's build or its tests (scripts/test.sh). Idempotent; called by `make bench` and
# Benchmarks/CallReference/run.sh.
#   libprotobuf-c-dev, protobuf-c-compiler   protobuf-c runtime and protoc-c (ProtobufCReference)
#   libthrift-dev, thrift-compiler            Apache Thrift C++ runtime and compiler (ApacheThriftReference)
#   libboost-dev                              headers libthrift-dev's headers include but Debian does not pull in
#   libgrpc++-dev, protobuf-compiler-grpc,    gRPC C++ runtime, protoc and grpc_cpp_plugin (CallReference's gRPC client)
#   libprotobuf-dev, protobuf-compiler,
#   pkg-config, g++                           builds CallReference's clients (Benchmarks/CallReference/build.sh)
#   valgrind                                  callgrind, for profiling the codec (see docs/benchmarks.md)
#   python3                                   the report generator (standard library only)
set -euo pipefail
packages=(libprotobuf-c-dev protobuf-c-compiler libthrift-dev thrift-compiler libboost-dev libgrpc++-dev
    protobuf-compiler-grpc libprotobuf-dev protobuf-compiler pkg-config g++ valgrind python3)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
