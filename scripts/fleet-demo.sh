#!/usr/bin/env bash
# make fleet-demo: three etcd members, three gateways sharing them, and a mock backend that registers itself the
# way Kitex's registry-etcd does. Everything listens on 127.0.0.1; Ctrl-C stops it all and removes the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTICO=${PORTICO:-.build/debug/portico}
command -v etcd >/dev/null || { echo "etcd is not installed (bash scripts/install-test-deps.sh)"; exit 1; }
[ -x "$PORTICO" ] || { echo "$PORTICO is missing (swift build)"; exit 1; }
work=$(mktemp -d /tmp/portico-fleet-demo.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cluster="e0=http://127.0.0.1:23800,e1=http://127.0.0.1:23810,e2=http://127.0.0.1:23820"
for i in 0 1 2; do
    etcd --name "e$i" --data-dir "$work/e$i" \
        --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
        --listen-peer-urls "http://127.0.0.1:238${i}0" --initial-advertise-peer-urls "http://127.0.0.1:238${i}0" \
        --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token portico-demo \
        --logger zap --log-outputs "$work/e$i.log" &
    pids+=($!)
done
store="etcd://127.0.0.1:23790,127.0.0.1:23791,127.0.0.1:23792/portico"
for _ in $(seq 100); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790,127.0.0.1:23791,127.0.0.1:23792 put /demo ok >/dev/null 2>&1 && break
    sleep 0.2
done

"$PORTICO" mock --schema Descriptors/bookstore.thrift --service Bookstore --framing framed --listen 127.0.0.1:0 \
    --register "$store" --register-name bookstore --ttl 5 > "$work/mock.log" 2>&1 &
pids+=($!)

for i in 0 1 2; do
    cat > "$work/gateway$i.yaml" <<YAML
listen: 127.0.0.1:808$i
store: $store
admin: { token: demo }
services: []
YAML
    "$PORTICO" serve --config "$work/gateway$i.yaml" > "$work/gateway$i.log" 2>&1 &
    pids+=($!)
done
for i in 0 1 2; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:808$i/readyz" >/dev/null && break; sleep 0.1; done
done

cat <<TEXT
Portico fleet demo ($work)
  etcd:      127.0.0.1:23790, :23791, :23792
  gateways:  http://127.0.0.1:8080, :8081, :8082 (admin token: demo)
  backend:   portico mock registered under kitex/registry-etcd/bookstore/

Upload the bookstore IDL through gateway 0, add a service that discovers its endpoints, and call gateway 2:
  curl -s -H 'Authorization: Bearer demo' -X POST http://127.0.0.1:8080/admin/descriptors/shop \\
    -F files=@Descriptors/bookstore.thrift -F files=@Descriptors/bookstore_common.thrift -F main=bookstore.thrift
  curl -s -H 'Authorization: Bearer demo' -X PUT http://127.0.0.1:8080/admin/services/shop -d \\
    '{"schema":"registry:shop","service":"Bookstore","framing":"framed","endpoints":{"discover":"kitex","service":"bookstore"}}'
  curl -s http://127.0.0.1:8082/v1/shelves/5
  curl -s http://127.0.0.1:8081/readyz
See who is in the fleet:  ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 get --prefix --keys-only /portico/members/
Ctrl-C stops everything.
TEXT
wait
