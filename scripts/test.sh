#!/usr/bin/env bash
# Installs the test dependencies, builds, and runs every test.
#
# Each test target runs in its own process, one after the other: the networking suites (GenericCall, Gateway,
# ShmIPC) start real servers and measure deadlines of a few hundred milliseconds, and on a 2-core machine the
# CPU-heavy codec oracle tests running beside them would starve them. Extra arguments go to every `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
swift build --build-tests
status=0
for target in DynamicCodecTests HTTPMappingTests GenericCallTests ShmIPCTests GatewayTests PorticoCLITests; do
    echo "== $target"
    swift test --skip-build --filter "^$target\\." "$@" || status=1
done
exit $status
