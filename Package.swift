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
        .library(name: "GenericCall", targets: ["GenericCall"]),
        .library(name: "ShmIPC", targets: ["ShmIPC"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .executable(name: "portico", targets: ["portico"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "DynamicCodec",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: strict
        ),
        .target(name: "ShmIPC", swiftSettings: strict),
        .target(name: "GenericCall", dependencies: ["DynamicCodec", "ShmIPC"], swiftSettings: strict),
        .target(name: "Gateway", dependencies: ["GenericCall", "DynamicCodec"], swiftSettings: strict),
        .executableTarget(
            name: "portico",
            dependencies: [
                "Gateway", "GenericCall", "DynamicCodec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DynamicCodecTests",
            dependencies: ["DynamicCodec", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: strict
        ),
        .testTarget(name: "GenericCallTests", dependencies: ["GenericCall"], swiftSettings: strict),
        .testTarget(name: "ShmIPCTests", dependencies: ["ShmIPC"], swiftSettings: strict),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway"], swiftSettings: strict),
        // Runs the built `portico` executable as a user would.
        .testTarget(name: "PorticoCLITests", dependencies: ["portico"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
