import Benchmark
import DynamicCodec
import ProtobufCReference

/// Registers the second reference: protobuf-c's generated C code (ProtobufCReference/, a thin C API over
/// `protoc-c` output). Every operation unpacks the received bytes with protobuf-c's default (malloc) allocator and
/// frees the result, as a C application would; packing writes into a buffer reused across operations.
func registerProtobufCBenchmarks(_ fixture: BaselineFixture, _ configuration: Benchmark.Configuration) {
    let name = { (operation: String) in "ProtobufC/\(operation)/\(fixture.size)" }
    let size = fixture.cSize
    let bytes = fixture.bytes
    fixture.checkProtobufC()

    Benchmark(name("Decode"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { pbc_decode_all(size, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeGetOne"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { pbc_get_one(size, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeGetMany"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { pbc_get_many(size, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeSetOneEncode"), configuration: configuration) { benchmark in
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let length = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { pbc_set_one(size, input.baseAddress, input.count, $0.baseAddress, $0.count) }
            }
            blackHole(succeeded(length))
        }
    }

    Benchmark(name("DecodeSetManyEncode"), configuration: configuration) { benchmark in
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let length = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { pbc_set_many(size, input.baseAddress, input.count, $0.baseAddress, $0.count) }
            }
            blackHole(succeeded(length))
        }
    }

    Benchmark(name("Encode"), configuration: configuration) { benchmark in
        let message = bytes.withUnsafeBufferPointer { pbc_unpack(size, $0.baseAddress, $0.count) }
        defer { pbc_free(size, message) }
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(out.withUnsafeMutableBufferPointer { pbc_pack(size, message, $0.baseAddress, $0.count) }))
        }
    }

    if fixture.trimTarget != nil {
        Benchmark(name("Trim"), configuration: configuration) { benchmark in
            var out = [UInt8](repeating: 0, count: bytes.count)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let length = bytes.withUnsafeBufferPointer { input in
                    out.withUnsafeMutableBufferPointer { pbc_trim(size, input.baseAddress, input.count, $0.baseAddress, $0.count) }
                }
                blackHole(succeeded(length))
            }
        }
    }
}

extension BaselineFixture {
    /// The message selector of the C API: 0 small, 1 medium, 2 large.
    var cSize: Int32 { size == "small" ? 0 : size == "medium" ? 1 : 2 }

    /// protobuf-c must read the same bytes, reach the same fields and write what Portico writes.
    func checkProtobufC() {
        do {
            try checkProtobufCOperations()
        } catch {
            fatalError("protobuf-c reference check failed on \(size): \(error)")
        }
    }

    private func checkProtobufCOperations() throws {
        func call(_ body: (UnsafePointer<UInt8>?, Int) -> Int) -> Int {
            bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
        func packed(_ body: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?, Int) -> Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: bytes.count * 2)
            let length = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { body(input.baseAddress, input.count, $0.baseAddress, $0.count) }
            }
            try require(length >= 0, "protobuf-c packs")
            return Array(out[..<length])
        }
        try require(call { pbc_decode_all(cSize, $0, $1) } == 0, "protobuf-c unpacks")
        try require(call { pbc_get_one(cSize, $0, $1) } == 32, "protobuf-c reads the 32-byte GetOne field")
        try require(call { pbc_get_many(cSize, $0, $1) } > 2, "protobuf-c reads the GetMany fields")

        // Same content as Portico's edits, compared as JSON (the encodings may differ in ways that do not change
        // the message, e.g. where zero values are written).
        var ours = try value()
        try ours.set(self.setOne, to: .scalar(.int64(42)))
        let setOne = try packed { pbc_set_one(cSize, $0, $1, $2, $3) }
        try require(
            try ProtoValue(bytes: setOne, descriptor: descriptor, schema: schema).json() == ours.json(),
            "protobuf-c SetOne gives the message of Portico's SetOne")
        ours = try value()
        try ours.set(self.setMany)
        let setMany = try packed { pbc_set_many(cSize, $0, $1, $2, $3) }
        try require(
            try ProtoValue(bytes: setMany, descriptor: descriptor, schema: schema).json() == ours.json(),
            "protobuf-c SetMany gives the message of Portico's SetMany")
        let message = bytes.withUnsafeBufferPointer { pbc_unpack(cSize, $0.baseAddress, $0.count) }
        defer { pbc_free(cSize, message) }
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        let encoded = out.withUnsafeMutableBufferPointer { pbc_pack(cSize, message, $0.baseAddress, $0.count) }
        let reencoded = Array(out[..<max(encoded, 0)])
        try require(
            try ProtoValue(bytes: reencoded, descriptor: descriptor, schema: schema).json() == value().json(),
            "protobuf-c encodes the whole message")
        if let trimTarget {
            let trimmed = try packed { pbc_trim(cSize, $0, $1, $2, $3) }
            try require(
                try ProtoValue(bytes: trimmed, descriptor: trimTarget, schema: schema).json()
                    == value().trimmed(to: trimTarget).json(),
                "protobuf-c trims to the message of Portico's trim")
        }
    }

    private func require(_ condition: Bool, _ claim: String) throws {
        if !condition { throw CodecError(.invalidValue, "not true: \(claim)") }
    }
}

/// The C reference's result, or a stop: a call that fails early would otherwise measure as fast.
@inline(__always)
func succeeded(_ result: Int) -> Int {
    if result < 0 { fatalError("the C reference failed during the measurement") }
    return result
}
