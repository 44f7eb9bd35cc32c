#!/usr/bin/env bash
# Installs the real peers the tests check Portico against: protoc (Debian protobuf-compiler), the Apache Thrift
# compiler (Debian thrift-compiler), the Python protobuf and thrift runtimes, and pyseto (the second PASETO
# implementation; exact version, since the interop test checks it). Idempotent.
set -euo pipefail
need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v thrift >/dev/null 2>&1 || need_apt+=(thrift-compiler)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
python3 -c "import google.protobuf" 2>/dev/null || python3 -m pip install -q "protobuf>=5"
python3 -c "import thrift" 2>/dev/null || python3 -m pip install -q "thrift>=0.16"
python3 -c "import grpc" 2>/dev/null || python3 -m pip install -q "grpcio>=1.60"
python3 -c "import pyseto, sys; sys.exit(pyseto.__version__ != '1.10.0')" 2>/dev/null || python3 -m pip install -q "pyseto==1.10.0"
