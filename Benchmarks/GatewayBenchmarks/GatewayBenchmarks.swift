import Benchmark
import GatewayBenchmarkSupport

// One gateway request at a time through the data plane — NIO's HTTP/1.1 parser, the gateway's connection handler,
// routing, JSON -> Thrift binary, the backend seam, Thrift binary -> JSON, the response encoder — on an
// EmbeddedChannel, with an in-process backend that answers on the spot. No sockets: what is counted is the
// request path's own work and allocations (mallocCountTotal per request), the figure issue 14 holds to 10.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 100, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 1_000_000)

    for size in ["small", "medium"] {
        Benchmark("Gateway request (framed Thrift generic route, \(size), in-process backend)") { benchmark in
            let fixture = try GatewayRequestFixture(size: size)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try fixture.exchange())
            }
            benchmark.stopMeasurement()
            try fixture.close()
        }
    }
}

