# Developer tasks. The benchmarks are a separate package (Benchmarks/) with its own .build directory.

.PHONY: bench bench-data

# Runs the whole benchmark suite in release mode (several minutes on 2 cores; the first build takes longer).
# Pass extra options with ARGS, e.g. make bench ARGS='--filter "Portico/GetOne/.*"'.
bench:
	cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --no-progress $(ARGS)

# Rewrites Benchmarks/data/*.pb and *.json from Descriptors/baseline.pb (needs pip's protobuf), and
# thrift-*.binary / *.compact from Descriptors/baseline.thrift (needs pip's thrift and the thrift compiler).
bench-data:
	python3 Benchmarks/data/make_baseline_data.py
	python3 Benchmarks/data/make_thrift_data.py
