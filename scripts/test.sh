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
# GenericCall's TLS peer suite makes keys and certificates with openssl and runs TLS servers: beside it, the
# multiplexing and ejection tests of the same target missed their deadlines, so it has a pass of its own.
tls='GenericCallTests\.GRPCTLSPeerTests'
for target in DynamicCodecTests HTTPMappingTests GenericCallTests ShmIPCTests; do
    echo "== $target"
    swift test --skip-build --filter "^$target\\." --skip "$tls" "$@" || status=1
done
echo "== GenericCallTests (TLS)"
swift test --skip-build --filter "^$tls" "$@" || status=1
# The OpenAPI suites drive headless Chromium, schemathesis and the spec validator (seconds of CPU each): they run in
# a pass of their own, so the gateway suites that time deadlines of a few hundred milliseconds are not starved.
# The WebSocket and browser stream suites (thousands of sessions, headless Chromium) get a pass of their own too.
heavy='GatewayTests\.(ConsoleLiveTests|OpenAPIDocumentTests)'
sockets='GatewayTests\.(WebSocketBridgeTests|WebSocketProxyTests|BrowserStreamTests)'
echo "== GatewayTests"
swift test --skip-build --filter '^GatewayTests\.' --skip "$heavy" --skip "$sockets" "$@" || status=1
echo "== GatewayTests (OpenAPI, console)"
swift test --skip-build --filter "^$heavy" "$@" || status=1
echo "== GatewayTests (WebSocket, browser streams)"
swift test --skip-build --filter "^$sockets" "$@" || status=1
echo "== PorticoCLITests"
swift test --skip-build --filter '^PorticoCLITests\.' "$@" || status=1
exit $status
