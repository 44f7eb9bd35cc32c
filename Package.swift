// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Portico",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DynamicCodec", targets: ["DynamicCodec"]),
        .library(name: "HTTPMapping", targets: ["HTTPMapping"]),
        .library(name: "GenericCall", targets: ["GenericCall"]),
        .library(name: "ShmIPC", targets: ["ShmIPC"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        // The per-input checks of the fuzzing harnesses, for the FuzzTesting/ package (not an API).
        .library(name: "FuzzChecks", targets: ["FuzzChecks"]),
        .executable(name: "portico", targets: ["portico"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // 4.x: its key types are Sendable (3.12.3 fails to build the PASETO keys in Swift 6 mode).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Only the OTLP/gRPC exporter: the HTTP one would pull in async-http-client and NIOSSL for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPGRPC"]),
        // The SSE client (Gateway/Clients/EventSource) and `portico watch`.
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        // TLS for GenericCall's gRPC connections (etcd's `etcds://` store); already in the graph through async-http-client.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    ],
    targets: [
        .target(
            name: "DynamicCodec",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: strict
        ),
        .target(name: "HTTPMapping", dependencies: ["DynamicCodec"], swiftSettings: strict),
        .target(name: "ShmIPC", swiftSettings: strict),
        .target(
            name: "GenericCall",
            dependencies: [
                // HTTPMapping only for JSONCaller's generic-route JSON convention.
                "DynamicCodec", "HTTPMapping", "ShmIPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "GenericCall", "HTTPMapping", "DynamicCodec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portico",
            dependencies: [
                "Gateway", "GenericCall", "HTTPMapping", "DynamicCodec", "ShmIPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // Helpers for tests that start real peer processes (paths, a server process with its port, generated code).
        .target(name: "PorticoTestSupport", dependencies: ["DynamicCodec"], path: "Tests/Support", swiftSettings: strict),
        // The per-input checks of the libFuzzer harnesses (FuzzTesting/), shared with the tests that replay their
        // corpus; free of libFuzzer.
        .target(
            name: "FuzzChecks", dependencies: ["DynamicCodec", "HTTPMapping", "GenericCall", "ShmIPC"],
            path: "Tests/FuzzChecks", swiftSettings: strict
        ),
        .testTarget(
            name: "DynamicCodecTests",
            dependencies: [
                "DynamicCodec", "PorticoTestSupport", "FuzzChecks",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPMappingTests",
            dependencies: ["HTTPMapping", "DynamicCodec", "PorticoTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GenericCallTests",
            dependencies: [
                "GenericCall", "portico", "PorticoTestSupport", .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ShmIPCTests", dependencies: ["ShmIPC", "portico"], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "GenericCall", "HTTPMapping", "DynamicCodec", "PorticoTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `portico` executable as a user would.
        .testTarget(name: "PorticoCLITests", dependencies: ["portico", "PorticoTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
