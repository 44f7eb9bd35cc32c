#!/usr/bin/env bash
# Builds the gateway load run's grpc-gateway proxy (main.go here) into .build/peers/grpc-gateway-proxy, from
# Debian's packages only and offline: scripts/install-bench-deps.sh grpc-gateway installs them at pinned versions
# (grpc-gateway 1.6.4, protoc-gen-go 1.3.5, golang/protobuf 1.3.5, grpc-go 1.33, Go 1.19, protoc 3.21).
#
# The Go code for Descriptors/bench/echo.proto (and the baseline.proto it imports) is generated here at every
# build, not committed: protoc-gen-go (plugins=grpc) writes the messages and gRPC stubs, protoc-gen-grpc-gateway
# the HTTP handlers, with the routes taken from echo-http.yaml (grpc_api_configuration) so the .proto files stay
# as they are. Both go into one Go package, portico/echopb, in a GOPATH of its own under .build/peers; the proxy
# is then built in GOPATH mode over it and Debian's /usr/share/gocode, as scripts/install-test-deps.sh builds the
# grpc-go echo server. Does nothing when the binary is newer than its sources (REBUILD=1 forces a build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/.build/peers
binary=$out/grpc-gateway-proxy
descriptors=$root/Descriptors
sources=("$here/main.go" "$here/echo-http.yaml" "$here/build.sh" "$descriptors/bench/echo.proto"
    "$descriptors/baseline.proto")
if [ -x "$binary" ] && [ "${REBUILD:-0}" != 1 ]; then
    stale=0
    for source in "${sources[@]}"; do [ "$source" -nt "$binary" ] && stale=1; done
    [ $stale = 0 ] && exit 0
fi
bash "$root/scripts/install-bench-deps.sh" grpc-gateway

gopath=$out/grpc-gateway-gopath
package=$gopath/src/portico/echopb
generated=$gopath/generated
rm -rf "$generated" "$package"
mkdir -p "$generated" "$package"
# Both files map to the one import path, so echo.proto's stubs use baseline.proto's messages without an import.
mapping=Mbaseline.proto=portico/echopb,Mbench/echo.proto=portico/echopb
protoc -I "$descriptors" --plugin=protoc-gen-go=/usr/bin/protoc-gen-go \
    --go_out="plugins=grpc,$mapping:$generated" "$descriptors/baseline.proto" "$descriptors/bench/echo.proto"
protoc -I "$descriptors" --plugin=protoc-gen-grpc-gateway=/usr/bin/protoc-gen-grpc-gateway \
    --grpc-gateway_out="grpc_api_configuration=$here/echo-http.yaml,$mapping:$generated" \
    "$descriptors/bench/echo.proto"
find "$generated" -name '*.go' -exec mv {} "$package/" \;
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOCACHE="$out/gocache" \
    go build -o "$binary" "$here/main.go"
echo "built $binary ($(ls "$package" | tr '\n' ' '))"
