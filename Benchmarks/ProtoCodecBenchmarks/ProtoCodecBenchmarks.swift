import Benchmark

/// Portico's in-place Protobuf operations and its binary <-> JSON conversion on the baseline messages, with
/// swift-protobuf's generated code measured in the same run as the reference. Names are `Library/Operation/size`;
/// docs/benchmarks.md explains each one.
let benchmarks: @Sendable () -> Void = {
    // Fixed units (nanoseconds, plain counts) so that the text output keeps every digit for
    // summarize_results.py.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .nanoseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 3,
        maxDuration: .seconds(1),
        maxIterations: 10_000
    )

    // The harness's own cost per sample (about 16 mallocs here), included in every figure measured without an
    // inner loop (the large message); docs/benchmarks.md subtracts it.
    Benchmark("Harness/Empty", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(benchmark) }
    }

    for fixture in BaselineFixture.all {
        fixture.checkOperations()
        // Small and medium operations take nanoseconds to microseconds: an inner loop of 1,000 keeps the harness's
        // own cost out of the figures, which are reported per inner iteration (one operation). Large operations
        // take up to milliseconds and run once per sample.
        let configuration = Benchmark.Configuration(scalingFactor: fixture.size == "large" ? .one : .kilo)
        registerPorticoBenchmarks(fixture, configuration)
        registerSwiftProtobufBenchmarks(fixture, configuration)
        registerProtobufCBenchmarks(fixture, configuration)
    }
}
