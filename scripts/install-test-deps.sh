#!/usr/bin/env bash
# Installs the real peers the tests check Portico against: protoc (Debian protobuf-compiler) and the Python
# protobuf runtime. Idempotent; skips what is already present.
set -euo pipefail
need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
python3 -c "import google.protobuf" 2>/dev/null || python3 -m pip install -q "protobuf>=5"
