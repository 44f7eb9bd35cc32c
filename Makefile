# Developer tasks. The benchmarks are a separate package (Benchmarks/) with its own .build directory.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.PHONY: bench bench-deps bench-instructions bench-report bench-all bench-data bench-reference-code bench-calls \
	bench-gateway bench-gateway-allocations bench-transport fleet-demo fuzz

# Runs both benchmark suites in release mode (Portico, swift-protobuf, protobuf-c, Apache Thrift C++; about 10
# minutes on 2 cores once built, more for the first build) and keeps the output in Benchmarks/results/bench.txt.
# Pass extra options with ARGS, e.g. make bench ARGS='--filter "Portico/GetOne/.*"'.
bench: bench-deps
	mkdir -p Benchmarks/results
	cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --no-progress \
		--target ProtoCodecBenchmarks --target ThriftCodecBenchmarks $(ARGS) \
		| tee results/bench.txt

# The reference codecs' libraries and compilers (Debian packages; only the benchmarks need them).
bench-deps:
	bash scripts/install-bench-deps.sh

# Instructions per operation (valgrind's callgrind) for the medium-message operations the target ratios use,
# into Benchmarks/results/instructions.txt (about 5 minutes).
bench-instructions: bench-deps
	bash Benchmarks/CallgrindProbe/callgrind.sh

# Rewrites the generated part of docs/benchmarks.md and docs/benchmarks-ratios.svg from the last results.
bench-report:
	python3 Benchmarks/make_report.py Benchmarks/results/bench*.txt

# Everything the report needs, in one command.
bench-all: bench bench-instructions bench-report

# Rewrites Benchmarks/data/*.pb and *.json from Descriptors/baseline.pb (needs pip's protobuf), and
# thrift-*.binary / *.compact from Descriptors/baseline.thrift (needs pip's thrift and the thrift compiler).
bench-data:
	python3 Benchmarks/data/make_baseline_data.py
	python3 Benchmarks/data/make_thrift_data.py

# Regenerates the committed protobuf-c and Apache Thrift C++ code from Descriptors/baseline.{proto,thrift}.
bench-reference-code: bench-deps
	bash Benchmarks/generate_reference_code.sh

# GenericCall under load (issue 7): `portico bench` and the Apache Thrift / gRPC C++ reference clients against the
# same `portico mock` processes, framed Thrift and gRPC, small and medium, 1 and 64 callers; raw output in
# Benchmarks/results/calls.txt, report in docs/benchmarks-calls.md (about 20 minutes with builds).
bench-calls: bench-deps
	bash Benchmarks/CallReference/run.sh

# The gateway under wrk (issue 9): portico serve in front of framed-Thrift and gRPC mocks and a grpc-go echo server,
# nginx reverse-proxying the same reply bytes, and grpc-gateway 1.6.4 in front of the same grpc-go server (issue 14),
# at 1, 16 and 128 connections; raw output in Benchmarks/results/gateway.txt, report in docs/benchmarks-gateway.md
# (installs wrk and nginx from Debian, and grpc-gateway's Debian packages with scripts/install-bench-deps.sh
# grpc-gateway).
bench-gateway:
	bash Benchmarks/GatewayLoad/run.sh

# One gateway request through the data plane on an EmbeddedChannel with an in-process backend (issue 14): time and
# mallocCountTotal per request, small and medium, into Benchmarks/results/gateway-allocations.txt.
bench-gateway-allocations:
	mkdir -p Benchmarks/results
	cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --no-progress \
		--target GatewayBenchmarks $(ARGS) | tee results/gateway-allocations.txt

# ShmIPC against a Unix-domain socket and TCP loopback (issue 8): ping-pong and streaming, 64 B to 4 MiB, 1 and 8
# streams, echo peer in a child process; three runs plus ShmIPC variants into Benchmarks/results/transport.txt,
# then docs/benchmarks-transport.md and docs/benchmarks-transport.svg (about 9 minutes after the release build).
bench-transport:
	bash Benchmarks/TransportBenchmarks/run.sh

# A fleet on one machine: three etcd members, three gateways sharing them (8080-8082, admin token "demo") and a
# mock backend that registers itself as Kitex's registry-etcd does; prints what to try (docs/fleet.md).
fleet-demo:
	swift build --product portico
	bash scripts/fleet-demo.sh

# The libFuzzer harnesses of FuzzTesting/ (docs/fuzzing.md): builds them (release, -sanitize=fuzzer,address) and runs
# each for FUZZ_SECONDS (default 300) one after another; crashes go to FuzzTesting/Regressions/<harness>/ and the
# corpus is minimised back into FuzzTesting/Corpus/<harness>/. Pass harness names with HARNESSES to run only those.
FUZZ_SECONDS ?= 300
fuzz:
	bash FuzzTesting/run.sh $(FUZZ_SECONDS) $(HARNESSES)
