#!/usr/bin/env bash
# Installs the real peers the tests check Portico against, at exact versions so a new machine tests what was
# tested: protoc (Debian protobuf-compiler), the Apache Thrift compiler (Debian thrift-compiler), the Python
# protobuf, thrift and grpcio runtimes, pyseto (the second PASETO implementation), opentelemetry-proto (the
# OTLP receiver the tracing tests export to), etcd 3.4 (the fleet tests start their own clusters; Debian's
# package also enables a systemd unit, which the tests neither need nor use), and a grpc-go echo server built
# from Debian's Go toolchain and grpc-go sources (the GenericCall tests check our HTTP/2 client against grpc-go's
# default transport behaviour), openapi-spec-validator and schemathesis (the OpenAPI document is checked with them)
# and Debian's chromium (the console is driven headless). Idempotent: what is already there at the pinned version is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES=(
    "protobuf-compiler=3.21.12-3+deb12u1"
    "thrift-compiler=0.17.0-2+b2"
    "golang-go=2:1.19~1"
    "golang-google-grpc-dev=1.33.3-2"
    "chromium=156.0.8078.129-1~deb12u1"
    "etcd-server=3.4.23-4+b4"
    "etcd-client=3.4.23-4+b4"
)
PIP_PACKAGES=(
    "protobuf==7.36.2"
    "thrift==0.25.0"
    "grpcio==1.85.4"
    "websockets==17.4"
    "pyseto==1.10.0"
    "opentelemetry-proto==1.45.2"
    "openapi-spec-validator==0.9.0"
    "schemathesis==4.32.5"
)
need_apt=()
for spec in "${APT_PACKAGES[@]}"; do
    name=${spec%%=*}
    version=${spec#*=}
    installed=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
    [ "$installed" = "$version" ] || need_apt+=("$spec")
done
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
# The TLS tests make their throwaway CA and certificates with the openssl command line (any version).
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --allow-downgrades "${need_apt[@]}"
fi
need_pip=()
for spec in "${PIP_PACKAGES[@]}"; do
    name=${spec%%==*}
    version=${spec#*==}
    installed=$(python3 -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')
    [ "$installed" = "$version" ] || need_pip+=("$spec")
done
if [ ${#need_pip[@]} -gt 0 ]; then
    python3 -m pip install -q --root-user-action=ignore "${need_pip[@]}"
fi
# The grpc-go peer, in GOPATH mode over the Debian sources (offline; no module download).
peer_dir=.build/peers
if [ ! -x "$peer_dir/grpc-go-echo" ] || [ Tests/peers/grpc-go-echo/main.go -nt "$peer_dir/grpc-go-echo" ]; then
    mkdir -p "$peer_dir"
    GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$PWD/$peer_dir/gocache" \
        go build -o "$peer_dir/grpc-go-echo" Tests/peers/grpc-go-echo/main.go
fi
