// swift-tools-version:6.1
// libFuzzer harnesses for every decoder of Portico that reads untrusted input (docs/fuzzing.md). Each executable
// only exports LLVMFuzzerTestOneInput; the checks themselves are the FuzzChecks library of the main package, which
// the normal tests also run over Corpus/ and Regressions/. Build with run.sh (or `make fuzz`):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let harnesses = [
    "FuzzProtobufBinary", "FuzzThriftBinary", "FuzzThriftCompact", "FuzzProtoJSON", "FuzzThriftJSON",
    "FuzzProtoIDL", "FuzzThriftIDL", "FuzzEnvelopes", "FuzzHTTPMapping", "FuzzShmIPCEvents",
]

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Portico", path: "..")],
    targets: [
        // The declaration of libFuzzer's driver, which each harness's entry point calls.
        .target(name: "CLibFuzzer")
    ] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "CLibFuzzer",
                .product(name: "FuzzChecks", package: "Portico"),
                .product(name: "DynamicCodec", package: "Portico"),
                .product(name: "HTTPMapping", package: "Portico"),
                .product(name: "GenericCall", package: "Portico"),
                .product(name: "ShmIPC", package: "Portico"),
            ]
        )
    },
    swiftLanguageModes: [.v6]
)
