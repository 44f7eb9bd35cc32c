#!/usr/bin/env bash
# Installs what the benchmark package (Benchmarks/) needs beyond Swift: the reference codecs it links against,
# the reference load clients of the call benchmark (Benchmarks/CallReference), the grpc-gateway proxy of the gateway
# load run (Benchmarks/GatewayLoad/grpc-gateway) and the tools of the report. Not needed by the library's build or
# its tests (scripts/test.sh). Idempotent; called by `make bench`, Benchmarks/CallReference/run.sh and
# Benchmarks/GatewayLoad/run.sh.
#
#   install-bench-deps.sh                 everything below
#   install-bench-deps.sh grpc-gateway    only the grpc-gateway proxy's packages (what the gateway load run needs)
#
#   libprotobuf-c-dev, protobuf-c-compiler   protobuf-c runtime and protoc-c (ProtobufCReference)
#   libthrift-dev, thrift-compiler            Apache Thrift C++ runtime and compiler (ApacheThriftReference)
#   libboost-dev                              headers libthrift-dev's headers include but Debian does not pull in
#   libgrpc++-dev, protobuf-compiler-grpc,    gRPC C++ runtime, protoc and grpc_cpp_plugin (CallReference's gRPC client)
#   libprotobuf-dev, protobuf-compiler,
#   pkg-config, g++                           builds CallReference's clients (Benchmarks/CallReference/build.sh)
#   valgrind                                  callgrind, for profiling the codec (see docs/benchmarks.md)
#   python3                                   the report generator (standard library only)
#
# The grpc-gateway proxy, at exact versions so that the competitor measured is the one named in the report
# (Debian bookworm's; the Go sources are built offline in GOPATH mode, as scripts/install-test-deps.sh builds
# the grpc-go echo server):
#   golang-grpc-gateway                       protoc-gen-grpc-gateway 1.6.4 (generates the proxy's handlers)
#   golang-github-grpc-ecosystem-grpc-gateway-dev   grpc-gateway 1.6.4's runtime sources
#   golang-goprotobuf-dev, protoc-gen-go-1-3, golang-github-golang-protobuf-1-3-dev
#                                             protoc-gen-go 1.3.5 (plugins=grpc) and golang/protobuf 1.3.5 (jsonpb),
#                                             the protobuf API grpc-gateway 1.6.4 and Debian's grpc-go are built
#                                             on; Debian's protoc-gen-go 1.28 (APIv2) conflicts with them
#   golang-google-grpc-dev, golang-google-genproto-dev, golang-go, protobuf-compiler
#                                             grpc-go 1.33, genproto, Go 1.19 and protoc (the same versions
#                                             scripts/install-test-deps.sh pins for the grpc-go echo server)
set -euo pipefail
group=${1:-all}
case $group in all | grpc-gateway) ;; *) echo "usage: $0 [all|grpc-gateway]" >&2; exit 2 ;; esac
packages=()
if [ "$group" = all ]; then
    packages=(libprotobuf-c-dev protobuf-c-compiler libthrift-dev thrift-compiler libboost-dev libgrpc++-dev
        protobuf-compiler-grpc libprotobuf-dev protobuf-compiler pkg-config g++ valgrind python3)
fi
pinned=(
    "golang-grpc-gateway=1.6.4-2+b23"
    "golang-github-grpc-ecosystem-grpc-gateway-dev=1.6.4-2"
    "golang-goprotobuf-dev=1.3.5-4+b3"
    "protoc-gen-go-1-3=1.3.5-4+b3"
    "golang-github-golang-protobuf-1-3-dev=1.3.5-4"
    "golang-google-grpc-dev=1.33.3-2"
    "golang-google-genproto-dev=0.0~git20200413.b5235f6-3"
    "golang-go=2:1.19~1"
    "protobuf-compiler=3.21.12-3+deb12u1"
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
for spec in "${pinned[@]}"; do
    installed=$(dpkg-query -W -f='${Version}' "${spec%%=*}" 2>/dev/null || true)
    [ "$installed" = "${spec#*=}" ] || missing+=("$spec")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades \
        "${missing[@]}"
fi
