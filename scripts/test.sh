#!/usr/bin/env bash
# Installs the test dependencies, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
swift build --build-tests
swift test --skip-build "$@"
