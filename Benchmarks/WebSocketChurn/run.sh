#!/usr/bin/env bash
# 10,000 short-lived WebSocket sessions against `portico serve` (the demo: inventory.v1.Inventory/Relay behind the
# in-process gRPC mock), twice, 16 at a time, from Tests/peers/ws_client.py (the Python websockets library). Each
# session opens, sends one message, half-closes, reads the reply and the status frame, and ends with close 1000.
# Prints the gateway's resident memory, open descriptors and threads before, between and after the two rounds,
# and the sessions per second. Usage: Benchmarks/WebSocketChurn/run.sh [COUNT] [CONCURRENCY] [PORTICO]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-10000}
concurrency=${2:-16}
portico=${3:-.build/release/portico}
port=18931
"$portico" serve --listen 127.0.0.1:$port > /tmp/portico-ws-churn.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -sf http://127.0.0.1:$port/readyz > /dev/null && break
    sleep 0.1
done
state() {
    local rss fds threads
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    fds=$(ls /proc/$pid/fd | wc -l)
    threads=$(ls /proc/$pid/task | wc -l)
    echo "$1: rss_kib=$rss fds=$fds threads=$threads sessions_gauge=$(curl -s http://127.0.0.1:$port/metrics | awk '/^portico_websocket_sessions / {print $2}')"
}
churn() {
    printf '{"kind":"churn","url":"ws://127.0.0.1:%d/v1/inventory:relay","message":"{\\"delta\\":3}","count":%d,"concurrency":%d}' \
        $port "$count" "$concurrency" | python3 Tests/peers/ws_client.py
}
echo "portico: $portico, $count sessions per round, $concurrency at a time, $(nproc) cores"
churn > /dev/null  # warm-up round: pools, allocator arenas
state "after warm-up"
echo "round 1: $(churn)"
sleep 1
state "after round 1"
echo "round 2: $(churn)"
sleep 1
state "after round 2"
