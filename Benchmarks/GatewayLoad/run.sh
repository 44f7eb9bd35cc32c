#!/usr/bin/env bash
# The gateway load run (issue 9, Speed): requests/s, p50/p99 latency and CPU time per request of `portico serve`
# in front of framed-Thrift and gRPC `portico mock` backends and a grpc-go echo server, and, in the same run, of
# nginx reverse-proxying a reply of exactly the same bytes and (issue 14) of grpc-gateway in front of the same
# grpc-go echo server, for small and medium messages at 1, 16 and 128 connections on loopback.
#
#   Benchmarks/GatewayLoad/run.sh            from the repository root (or anywhere)
#
# Environment knobs (defaults in brackets):
#   DURATION [10]        seconds wrk measures each point
#   WARMUP [3]           seconds of unmeasured load before each point
#   CONNECTIONS [1 16 128]
#   SIZES [small medium]  PROTOCOLS [thrift grpc grpcgo]   (grpcgo: a grpc-go echo server, default settings)
#   GRPC_GATEWAY [1]     1: grpc-gateway (Benchmarks/GatewayLoad/grpc-gateway) is a third front at the grpcgo points
#   SKIP_BUILD [0]       1: use the existing .build/release/portico
#   OUT [Benchmarks/results/gateway.txt]   raw output (wrk's own output plus one RESULT line per point)
#   REPORT [docs/benchmarks-gateway.md]    the markdown report written from OUT ("" to skip it)
#   PORT_BASE [18080]    the run listens on PORT_BASE .. PORT_BASE+5 on 127.0.0.1
#   KEEP_WORK [0]        1: keep the work directory (configs, logs, bodies)
#   TRACING [0]          1: every point is also measured with tracing on (target gateway-traced: 100 % sampling,
#                        spans exported over OTLP/gRPC to Tests/peers/otlp_collector.py, which needs
#                        opentelemetry-proto and grpcio from scripts/install-test-deps.sh)
#
# Installs wrk and nginx with apt-get when missing, builds portico in release, starts every server as its own
# process, checks every route with curl (status 200 and the full message in the reply), measures, and stops
# everything it started on exit. Needs: bash, curl, python3, swift. The grpcgo points also need the grpc-go echo
# server and Python's protobuf (scripts/install-test-deps.sh, run when either is missing) and, for grpc-gateway,
# the Debian packages of scripts/install-bench-deps.sh grpc-gateway (its build.sh installs and builds).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-"1 16 128"}
SIZES=${SIZES:-"small medium"}
PROTOCOLS=${PROTOCOLS:-"thrift grpc grpcgo"}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT-$ROOT/Benchmarks/results/gateway.txt}
REPORT=${REPORT-$ROOT/docs/benchmarks-gateway.md}
PORT_BASE=${PORT_BASE:-18080}
KEEP_WORK=${KEEP_WORK:-0}
TRACING=${TRACING:-0}
GRPC_GATEWAY=${GRPC_GATEWAY:-1}
[[ $PROTOCOLS == *grpcgo* ]] || GRPC_GATEWAY=0

GATEWAY_PORT=$PORT_BASE
THRIFT_PORT=$((PORT_BASE + 1))
GRPC_PORT=$((PORT_BASE + 2))
NGINX_BACKEND_PORT=$((PORT_BASE + 3))
NGINX_PROXY_PORT=$((PORT_BASE + 4))
GRPC_GATEWAY_PORT=$((PORT_BASE + 5))

log() { printf '[gateway-load] %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------------------------------
install_packages() {
    log "installing $* with apt-get"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
    fi
}
command -v wrk >/dev/null || install_packages wrk
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then install_packages nginx-light || install_packages nginx; fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in curl python3 wrk; do command -v "$tool" >/dev/null || fail "$tool is needed"; done

PORTICO=$ROOT/.build/release/portico
if [[ $SKIP_BUILD != 1 ]]; then
    log "building portico (release)"
    (cd "$ROOT" && swift build -c release --product portico) >&2
fi
[[ -x $PORTICO ]] || fail "$PORTICO is missing (build it, or unset SKIP_BUILD)"

# --- processes ---------------------------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portico-gateway-load.XXXXXX")
chmod 755 "$WORK"  # nginx workers (user nobody when started as root) read the reply files
STARTED=()
cleanup() {
    local status=$?
    for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
    for name in nginx-proxy nginx-backend; do
        if [[ -s $WORK/$name/nginx.pid ]]; then kill "$(cat "$WORK/$name/nginx.pid")" 2>/dev/null || true; fi
    done
    for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $KEEP_WORK == 1 || $status != 0 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
    local port=$1 name=$2
    for _ in $(seq 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    fail "$name did not listen on port $port"
}

# The grpc-go echo server (Tests/peers/grpc-go-echo, Debian's Go and grpc-go; scripts/install-test-deps.sh
# installs them): a real gRPC server with grpc-go's default transport settings behind the gateway.
GOECHO=$ROOT/.build/peers/grpc-go-echo
if [[ $PROTOCOLS == *grpcgo* ]]; then
    # Python's protobuf checks the grpcgo replies as messages (check_reply.py), at the version the tests pin.
    if [[ ! -x $GOECHO ]] || ! python3 -c 'import google.protobuf' 2>/dev/null; then
        (cd "$ROOT" && bash scripts/install-test-deps.sh) >&2
    fi
    [[ -x $GOECHO ]] || fail "$GOECHO is missing"
fi
# grpc-gateway 1.6.4 as users deploy it (Benchmarks/GatewayLoad/grpc-gateway/main.go), built from Debian's packages.
GRPC_GATEWAY_PROXY=$ROOT/.build/peers/grpc-gateway-proxy
if [[ $GRPC_GATEWAY == 1 ]]; then
    bash "$HERE/grpc-gateway/build.sh" >&2
    [[ -x $GRPC_GATEWAY_PROXY ]] || fail "$GRPC_GATEWAY_PROXY is missing"
fi

for port in $GATEWAY_PORT $THRIFT_PORT $GRPC_PORT $NGINX_BACKEND_PORT $NGINX_PROXY_PORT $GRPC_GATEWAY_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is taken (set PORT_BASE)"; fi
done

fill() { # template output key=value...
    local template=$1 output=$2 text
    shift 2
    text=$(<"$template")
    for pair in "$@"; do text=${text//@${pair%%=*}@/${pair#*=}}; done
    printf '%s\n' "$text" >"$output"
}

log "work directory $WORK"
python3 "$HERE/make_inputs.py" --portico "$PORTICO" --root "$ROOT" --work "$WORK"

# Both schemas declare `baseline.BaselineService`; the gateway serves one IDL service name once, so the Thrift
# file is loaded under another file name (its scope becomes `baseline_thrift`). Generic routes are by the
# configured name anyway: POST /BaselineService/... (Thrift) and POST /baseline.BaselineService/... (gRPC).
cp "$ROOT/Descriptors/baseline.thrift" "$WORK/baseline_thrift.thrift"
for size in $SIZES; do cp "$WORK/requests/grpc-$size.json" "$WORK/requests/grpcgo-$size.json"; done
GOECHO_PORT=0
GOECHO_PID=""
if [[ $PROTOCOLS == *grpcgo* ]]; then
    "$GOECHO" >"$WORK/grpc-go.out" 2>"$WORK/grpc-go.log" &
    GOECHO_PID=$!; STARTED+=("$GOECHO_PID")
    for _ in $(seq 200); do
        GOECHO_PORT=$(sed -n 's/^PORT //p' "$WORK/grpc-go.out" 2>/dev/null | head -1)
        [[ -n $GOECHO_PORT ]] && break
        sleep 0.05
    done
    [[ -n $GOECHO_PORT ]] || fail "the grpc-go echo server did not start: $(cat "$WORK/grpc-go.log")"
fi
fill "$HERE/gateway.yaml.template" "$WORK/gateway.yaml" PORT="$GATEWAY_PORT" WORK="$WORK" \
    THRIFT_SCHEMA="$WORK/baseline_thrift.thrift" PROTO_SCHEMA="$ROOT/Descriptors/baseline.proto" \
    THRIFT_PORT="$THRIFT_PORT" GRPC_PORT="$GRPC_PORT" ECHO_SCHEMA="$ROOT/Descriptors/bench/echo.proto" \
    DESCRIPTORS="$ROOT/Descriptors" GRPCGO_PORT="$GOECHO_PORT"
COLLECTOR_PID=""
if [[ $TRACING == 1 ]]; then
    python3 "$ROOT/Tests/peers/otlp_collector.py" --out "$WORK/spans.jsonl" >"$WORK/collector.out" 2>"$WORK/collector.log" &
    COLLECTOR_PID=$!; STARTED+=("$COLLECTOR_PID")
    COLLECTOR_PORT=""
    for _ in $(seq 200); do
        COLLECTOR_PORT=$(sed -n 's/^PORT //p' "$WORK/collector.out" 2>/dev/null | head -1)
        [[ -n $COLLECTOR_PORT ]] && break
        sleep 0.05
    done
    [[ -n $COLLECTOR_PORT ]] || fail "the OTLP collector did not start: $(cat "$WORK/collector.log")"
    cp "$WORK/gateway.yaml" "$WORK/gateway-traced.yaml"
    printf 'telemetry:\n  traces: { endpoint: "http://127.0.0.1:%s", sampler: always_on, export_delay: 1s }\n' \
        "$COLLECTOR_PORT" >>"$WORK/gateway-traced.yaml"
fi

# Fresh mocks and gateway, stopping the previous ones. run.sh starts them anew for every gateway point: wrk
# leaves up to C requests in flight when it stops, the gateway cancels their backend calls, and for gRPC each
# cancel is an RST_STREAM; the grpc-swift server of the mock closes a connection after 200 resets in 10 s
# (its rapid-reset protection), and GenericCall then ejects the only endpoint, so the gateway answers
# 503 UNAVAILABLE for seconds after a burst of client disconnects. A point must not inherit that from the one
# before it (see docs/benchmarks-gateway.md).
GATEWAY_PID=""; THRIFT_PID=""; GRPC_PID=""
start_gateway() { # [config file]
    local pid config=${1:-$WORK/gateway.yaml}
    for pid in $GATEWAY_PID $THRIFT_PID $GRPC_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    "$PORTICO" mock --schema "$ROOT/Descriptors/baseline.thrift" --service BaselineService --framing framed \
        --protocol binary --listen "127.0.0.1:$THRIFT_PORT" --responses "$WORK/responses/thrift.json" \
        >>"$WORK/mock-thrift.log" 2>&1 &
    THRIFT_PID=$!; STARTED+=("$THRIFT_PID")
    "$PORTICO" mock --schema "$ROOT/Descriptors/baseline.proto" --service baseline.BaselineService --framing grpc \
        --listen "127.0.0.1:$GRPC_PORT" --responses "$WORK/responses/grpc.json" \
        >>"$WORK/mock-grpc.log" 2>&1 &
    GRPC_PID=$!; STARTED+=("$GRPC_PID")
    wait_port "$THRIFT_PORT" "the Thrift mock"
    wait_port "$GRPC_PORT" "the gRPC mock"
    rm -rf "$WORK/store"
    "$PORTICO" serve --config "$config" >>"$WORK/gateway.log" 2>&1 &
    GATEWAY_PID=$!; STARTED+=("$GATEWAY_PID")
    wait_port "$GATEWAY_PORT" "portico serve"
}
start_gateway

route() { # protocol size -> gateway path
    local method
    if [[ $1 == grpcgo ]]; then
        if [[ $2 == small ]]; then echo "/baseline.SimpleEcho/Echo"; else echo "/baseline.NestingEcho/Echo"; fi
        return
    fi
    if [[ $2 == small ]]; then method=SimpleMethod; else method=NestingMethod; fi
    if [[ $1 == thrift ]]; then echo "/BaselineService/$method"; else echo "/baseline.BaselineService/$method"; fi
}

# grpc-gateway, started afresh before each of its points like the gateway; the grpc-go echo server stays.
GRPC_GATEWAY_PID=""
start_grpc_gateway() {
    if [[ -n $GRPC_GATEWAY_PID ]]; then
        kill "$GRPC_GATEWAY_PID" 2>/dev/null || true; wait "$GRPC_GATEWAY_PID" 2>/dev/null || true
    fi
    "$GRPC_GATEWAY_PROXY" -listen "127.0.0.1:$GRPC_GATEWAY_PORT" -backend "127.0.0.1:$GOECHO_PORT" \
        >>"$WORK/grpc-gateway.log" 2>&1 &
    GRPC_GATEWAY_PID=$!; STARTED+=("$GRPC_GATEWAY_PID")
    wait_port "$GRPC_GATEWAY_PORT" "grpc-gateway"
}

# Every route answers 200 with the full message; its exact reply bytes become the nginx reply of that point.
mkdir -p "$WORK/www" "$WORK/replies"
for protocol in $PROTOCOLS; do
    for size in $SIZES; do
        request=$WORK/requests/$protocol-$size.json
        reply=$WORK/replies/$protocol-$size.json
        status=$(curl -sS -o "$reply" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            --data-binary "@$request" "http://127.0.0.1:$GATEWAY_PORT$(route "$protocol" "$size")")
        [[ $status == 200 ]] || fail "$(route "$protocol" "$size") answered $status: $(head -c 300 "$reply")"
        python3 "$HERE/check_reply.py" "$reply" "$request" >&2
        cp "$reply" "$WORK/www/$protocol-$size"
    done
done
# grpc-gateway renders the same message in its own proto3 JSON (proto field names, Go's string escapes): its
# replies are checked as messages of the route's type, not as JSON values equal to the request.
if [[ $GRPC_GATEWAY == 1 ]]; then
    protoc -I "$ROOT/Descriptors" --include_imports -o "$WORK/echo.pb" "$ROOT/Descriptors/bench/echo.proto"
    start_grpc_gateway
    mkdir -p "$WORK/replies-grpc-gateway"
    for size in $SIZES; do
        request=$WORK/requests/grpcgo-$size.json
        reply=$WORK/replies-grpc-gateway/grpcgo-$size.json
        status=$(curl -sS -o "$reply" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            --data-binary "@$request" "http://127.0.0.1:$GRPC_GATEWAY_PORT$(route grpcgo "$size")")
        [[ $status == 200 ]] || fail "grpc-gateway $(route grpcgo "$size") answered $status: $(head -c 300 "$reply")"
        if [[ $size == small ]]; then type=baseline.Simple; else type=baseline.Nesting; fi
        python3 "$HERE/check_reply.py" "$reply" "$request" --descriptor-set "$WORK/echo.pb" --type "$type" >&2
    done
fi

for name in nginx-backend nginx-proxy; do mkdir -p "$WORK/$name"; done
fill "$HERE/nginx-backend.conf.template" "$WORK/nginx-backend/nginx.conf" WORK="$WORK" PORT="$NGINX_BACKEND_PORT"
fill "$HERE/nginx-proxy.conf.template" "$WORK/nginx-proxy/nginx.conf" WORK="$WORK" PORT="$NGINX_PROXY_PORT" \
    UPSTREAM_PORT="$NGINX_BACKEND_PORT"
for name in nginx-backend nginx-proxy; do
    "$NGINX" -p "$WORK/$name" -c "$WORK/$name/nginx.conf" -e "$WORK/$name/error.log" 2>"$WORK/$name/start.log" \
        || fail "$name did not start: $(cat "$WORK/$name/start.log")"
done
wait_port "$NGINX_BACKEND_PORT" "nginx (replies)"
wait_port "$NGINX_PROXY_PORT" "nginx (proxy)"
for protocol in $PROTOCOLS; do
    for size in $SIZES; do
        status=$(curl -sS -o "$WORK/proxied-$protocol-$size.json" -w '%{http_code}' -X POST \
            -H 'Content-Type: application/json' --data-binary "@$WORK/requests/$protocol-$size.json" \
            "http://127.0.0.1:$NGINX_PROXY_PORT/$protocol-$size")
        [[ $status == 200 ]] || fail "nginx /$protocol-$size answered $status"
        cmp -s "$WORK/proxied-$protocol-$size.json" "$WORK/replies/$protocol-$size.json" \
            || fail "nginx /$protocol-$size does not answer the gateway's reply bytes"
    done
done

nginx_pids() { # the master and its workers
    local master
    master=$(cat "$WORK/$1/nginx.pid")
    echo "$master $(pgrep -P "$master" | tr '\n' ' ')"
}

# utime + stime of the processes (all their threads), in clock ticks.
cpu_ticks() {
    local total=0 pid stat fields
    for pid in "$@"; do
        [[ -r /proc/$pid/stat ]] || continue
        stat=$(<"/proc/$pid/stat")
        read -r -a fields <<<"${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}
TICKS=$(getconf CLK_TCK)

# Context switches (voluntary + involuntary) of the processes, summed over all their threads.
context_switches() {
    local total=0 pid file value
    for pid in "$@"; do
        for file in /proc/"$pid"/task/*/status; do
            [[ -r $file ]] || continue
            while read -r key value; do
                case $key in voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) total=$((total + value)) ;; esac
            done <"$file"
        done
    done
    echo "$total"
}

# --- the run -----------------------------------------------------------------------------------------------------
if [[ -n $OUT ]]; then mkdir -p "$(dirname "$OUT")"; exec 3>"$OUT"; else exec 3>/dev/null; fi
meta() { printf 'META %s=%s\n' "$1" "$2" >&3; }
{
    echo "# Portico gateway load run (Benchmarks/GatewayLoad/run.sh); report: docs/benchmarks-gateway.md"
    echo "# RESULT lines: one per point; cpu_*_s are utime+stime deltas over the measured wrk run."
} >&3
meta date "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
meta commit "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD -- Sources 2>/dev/null || echo ' (with uncommitted Sources changes)')"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta cores "$(nproc)"
meta memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta swift "$(swift --version 2>/dev/null | head -1)"
meta nginx "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
meta wrk "$(wrk -v 2>&1 | head -1 | sed 's/ \[.*//')"
if [[ $GRPC_GATEWAY == 1 ]]; then
    version() { dpkg-query -W -f='${Version}' "$1"; }
    meta grpc_gateway "grpc-gateway $(version golang-github-grpc-ecosystem-grpc-gateway-dev), golang/protobuf \
$(version golang-github-golang-protobuf-1-3-dev), grpc-go $(version golang-google-grpc-dev), \
$(go version | cut -d' ' -f3-)"
fi
meta duration "$DURATION"
meta warmup "$WARMUP"
meta clk_tck "$TICKS"
for protocol in $PROTOCOLS; do
    for size in $SIZES; do
        meta "request_bytes_$protocol-$size" "$(wc -c <"$WORK/requests/$protocol-$size.json")"
        meta "reply_bytes_$protocol-$size" "$(wc -c <"$WORK/replies/$protocol-$size.json")"
        if [[ $protocol == grpcgo && $GRPC_GATEWAY == 1 ]]; then
            meta "grpc_gateway_reply_bytes_$protocol-$size" \
                "$(wc -c <"$WORK/replies-grpc-gateway/$protocol-$size.json")"
        fi
    done
done

# point TARGET PROTOCOL SIZE CONNECTIONS URL "FRONT PIDS" "BACKEND PIDS"
point() {
    local target=$1 protocol=$2 size=$3 connections=$4 url=$5 front=$6 backend=$7 threads=2
    [[ $connections -gt 1 ]] || threads=1
    local body=$WORK/requests/$protocol-$size.json
    log "$target $protocol $size: $connections connection(s)"
    BODY_FILE=$body wrk -t "$threads" -c "$connections" -d "${WARMUP}s" --timeout 5s -s "$HERE/post.lua" "$url" \
        >/dev/null
    local front_before backend_before front_after backend_after
    # shellcheck disable=SC2086
    front_before=$(cpu_ticks $front); backend_before=$(cpu_ticks $backend)
    # shellcheck disable=SC2086
    local switches_before switches_after
    switches_before=$(context_switches $front)
    BODY_FILE=$body wrk -t "$threads" -c "$connections" -d "${DURATION}s" --timeout 5s --latency \
        -s "$HERE/post.lua" "$url" >"$WORK/wrk.out"
    # shellcheck disable=SC2086
    front_after=$(cpu_ticks $front); backend_after=$(cpu_ticks $backend)
    # shellcheck disable=SC2086
    switches_after=$(context_switches $front)
    local pid
    for pid in $front $backend; do kill -0 "$pid" 2>/dev/null || fail "process $pid ($target) died during the point"; done
    local result
    result=$(grep '^WRKRESULT ' "$WORK/wrk.out" | sed 's/^WRKRESULT //') || fail "wrk printed no result"
    {
        echo "=== $target $protocol $size c=$connections t=$threads $url"
        grep -v '^WRKRESULT ' "$WORK/wrk.out"
        printf 'RESULT target=%s protocol=%s size=%s connections=%s threads=%s %s cpu_front_s=%s cpu_backend_s=%s ctx_switches_front=%s\n' \
            "$target" "$protocol" "$size" "$connections" "$threads" "$result" \
            "$(awk -v t=$((front_after - front_before)) -v hz="$TICKS" 'BEGIN {printf "%.2f", t / hz}')" \
            "$(awk -v t=$((backend_after - backend_before)) -v hz="$TICKS" 'BEGIN {printf "%.2f", t / hz}')" \
            "$((switches_after - switches_before))"
    } >&3
}

PROXY_PIDS=$(nginx_pids nginx-proxy)
REPLY_PIDS=$(nginx_pids nginx-backend)
for protocol in $PROTOCOLS; do
    for size in $SIZES; do
        for connections in $CONNECTIONS; do
            start_gateway
            case $protocol in thrift) mock=$THRIFT_PID ;; grpc) mock=$GRPC_PID ;; *) mock=$GOECHO_PID ;; esac
            point gateway "$protocol" "$size" "$connections" \
                "http://127.0.0.1:$GATEWAY_PORT$(route "$protocol" "$size")" "$GATEWAY_PID" "$mock"
            if [[ $TRACING == 1 ]]; then
                start_gateway "$WORK/gateway-traced.yaml"
                case $protocol in thrift) mock=$THRIFT_PID ;; grpc) mock=$GRPC_PID ;; *) mock=$GOECHO_PID ;; esac
                point gateway-traced "$protocol" "$size" "$connections" \
                    "http://127.0.0.1:$GATEWAY_PORT$(route "$protocol" "$size")" "$GATEWAY_PID" "$mock"
            fi
            if [[ $protocol == grpcgo && $GRPC_GATEWAY == 1 ]]; then
                start_grpc_gateway
                point grpc-gateway "$protocol" "$size" "$connections" \
                    "http://127.0.0.1:$GRPC_GATEWAY_PORT$(route "$protocol" "$size")" "$GRPC_GATEWAY_PID" \
                    "$GOECHO_PID"
            fi
            point nginx "$protocol" "$size" "$connections" \
                "http://127.0.0.1:$NGINX_PROXY_PORT/$protocol-$size" "$PROXY_PIDS" "$REPLY_PIDS"
        done
    done
done
exec 3>&-
if [[ $TRACING == 1 ]]; then
    sleep 2  # the last batch
    log "spans received by the collector: $(wc -l <"$WORK/spans.jsonl" 2>/dev/null || echo 0)"
fi

if [[ -n $OUT && -n $REPORT ]]; then
    python3 "$HERE/report.py" --raw "$OUT" --out "$REPORT" --commentary "$HERE/commentary.md" \
        --before "$ROOT/Benchmarks/results/gateway-hummingbird.txt" \
        --allocations "$ROOT/Benchmarks/results/gateway-allocations.txt"
    log "report: $REPORT"
fi
log "raw output: ${OUT:-(none)}"
