# Developer tasks. The benchmarks are a separate package (Benchmarks/) with its own .build directory.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.PHONY: bench bench-deps bench-instructions bench-report bench-all bench-data bench-reference-code

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
