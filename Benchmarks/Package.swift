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
    ],
    targets: [
        .executableTarget(
            name: "ProtoCodecBenchmarks",
            dependencies: [
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "ProtoCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ThriftCodecBenchmarks",
            dependencies: [
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ThriftCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
