// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that the library's build and CI stay free of the benchmark
// dependencies. Run with `make bench` from the repository root (see docs/benchmarks.md).
let package = Package(
    name: "PorticoBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Portico", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "ProtoCodecBenchmarks",
            dependencies: [
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "ProtobufCReference",
            ],
            path: "ProtoCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ThriftCodecBenchmarks",
            dependencies: [
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "Benchmark", package: "benchmark"),
                "ApacheThriftReference",
            ],
            path: "ThriftCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One gateway request through the data plane (EmbeddedChannel, in-process backend): time and mallocs.
        .executableTarget(
            name: "GatewayBenchmarks",
            dependencies: [
                "GatewayBenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "GatewayBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The same request for heaptrack (which call sites allocate per request): a plain executable.
        .executableTarget(
            name: "GatewayAllocationProbe",
            dependencies: ["GatewayBenchmarkSupport"],
            path: "GatewayAllocationProbe"
        ),
        .target(
            name: "GatewayBenchmarkSupport",
            dependencies: [
                .product(name: "Gateway", package: "Portico"),
                .product(name: "GenericCall", package: "Portico"),
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "GatewayBenchmarkSupport"
        ),
        // Runs one operation N times for valgrind's callgrind (CallgrindProbe/callgrind.sh): valgrind 3.19 crashes
        // loading the package-benchmark executables, so instruction counts come from this plain executable.
        .executableTarget(
            name: "CallgrindProbe",
            dependencies: [
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "ProtobufCReference",
                "ApacheThriftReference",
            ],
            path: "CallgrindProbe",
            exclude: ["callgrind.sh"]
        ),
        // ShmIPC against a Unix-domain socket and TCP loopback, cross-process (the echo peer is this executable
        // re-run as a child). A plain executable printing a table: see docs/benchmarks-transport.md for why.
        .executableTarget(
            name: "TransportBenchmarks",
            dependencies: [.product(name: "ShmIPC", package: "Portico")],
            path: "TransportBenchmarks"
        ),
        // The reference codecs (scripts/install-bench-deps.sh installs their Debian packages; the library's own build
        // and tests never need them). Generated code is committed; generate_reference_code.sh regenerates it.
        .systemLibrary(name: "CProtobufC", path: "SystemLibraries/CProtobufC", pkgConfig: "libprotobuf-c"),
        .target(
            name: "ProtobufCReference",
            dependencies: ["CProtobufC"],
            path: "ProtobufCReference"
        ),
        .target(
            name: "ApacheThriftReference",
            path: "ApacheThriftReference",
            exclude: ["generated/baseline_types.tcc"],
            linkerSettings: [.linkedLibrary("thrift")]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
