import Benchmark

/// Portico's in-place Thrift operations, DOM and protocol conversion on the baseline messages, in the binary and
/// compact protocols. Names are `ThriftBinary/Operation/size` and `ThriftCompact/Operation/size`;
/// docs/benchmarks.md explains each one. No reference implementation runs here yet.
let benchmarks: @Sendable () -> Void = {
    // The same configuration as ProtoCodecBenchmarks: fixed units (nanoseconds, plain counts) so that the text
    // output keeps every digit for summarize_results.py.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .nanoseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 3,
        maxDuration: .seconds(1),
        maxIterations: 10_000
    )

    // The harness's own cost per sample, included in every figure measured without an inner loop (the large
    // message); summarize_results.py subtracts it.
    Benchmark("Harness/Empty", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(benchmark) }
    }

    for fixture in ThriftFixture.all {
        fixture.checkOperations()
        // Small and medium: an inner loop of 1,000 keeps the harness's own cost out of the figures, reported per
        // operation. Large operations take up to milliseconds and run once per sample.
        let configuration = Benchmark.Configuration(scalingFactor: fixture.size == "large" ? .one : .kilo)
        registerThriftBenchmarks(fixture, configuration)
        registerThriftJSONBenchmarks(fixture, configuration)
        registerApacheThriftBenchmarks(fixture, configuration)
    }
}
