#!/usr/bin/env bash
# Installs the real peers the tests check Portico against: protoc (Debian protobuf-compiler), the Apache Thrift
# compiler (Debian thrift-compiler), the Python protobuf and thrift runtimes, and a grpc-go echo server built from
# Debian's Go toolchain and grpc-go sources (pinned: the GenericCall tests check our HTTP/2 client against grpc-go's
# default transport behaviour). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v thrift >/dev/null 2>&1 || need_apt+=(thrift-compiler)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
dpkg -s golang-go 2>/dev/null | grep -q '^Version: 2:1.19~1$' || need_apt+=("golang-go=2:1.19~1")
dpkg -s golang-google-grpc-dev 2>/dev/null | grep -q '^Version: 1.33.3-2$' || need_apt+=("golang-google-grpc-dev=1.33.3-2")
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
python3 -c "import google.protobuf" 2>/dev/null || python3 -m pip install -q "protobuf>=5"
python3 -c "import thrift" 2>/dev/null || python3 -m pip install -q "thrift>=0.16"
python3 -c "import grpc" 2>/dev/null || python3 -m pip install -q "grpcio>=1.60"
# The grpc-go peer, in GOPATH mode over the Debian sources (offline; no module download).
peer_dir=.build/peers
if [ ! -x "$peer_dir/grpc-go-echo" ] || [ Tests/peers/grpc-go-echo/main.go -nt "$peer_dir/grpc-go-echo" ]; then
    mkdir -p "$peer_dir"
    GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$PWD/$peer_dir/gocache" \
        go build -o "$peer_dir/grpc-go-echo" Tests/peers/grpc-go-echo/main.go
fi
