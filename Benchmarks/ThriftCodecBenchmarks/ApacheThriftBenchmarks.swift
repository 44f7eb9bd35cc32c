import ApacheThriftReference
import Benchmark
import DynamicCodec

/// Registers the reference: Apache Thrift's C++ generated code (ApacheThriftReference/, a thin C API over
/// `thrift --gen cpp:templates` output) in the same protocol. Every operation decodes the received bytes into a
/// fresh generated struct, as a C++ service handling a request would; transports are reused across operations.
func registerApacheThriftBenchmarks(_ fixture: ThriftFixture, _ configuration: Benchmark.Configuration) {
    let library = fixture.encoding == .binary ? "ApacheBinary" : "ApacheCompact"
    let name = { (operation: String) in "\(library)/\(operation)/\(fixture.size)" }
    let size = fixture.cSize
    let proto = fixture.cProtocol
    let bytes = fixture.bytes
    fixture.checkApacheThrift()

    Benchmark(name("Decode"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_decode_all(size, proto, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeGetOne"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_get_one(size, proto, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeGetMany"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_get_many(size, proto, $0.baseAddress, $0.count) }))
        }
    }

    Benchmark(name("DecodeSetOneEncode"), configuration: configuration) { benchmark in
        var out: UnsafePointer<UInt8>?
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_set_one(size, proto, $0.baseAddress, $0.count, &out) }))
        }
    }

    Benchmark(name("DecodeSetManyEncode"), configuration: configuration) { benchmark in
        var out: UnsafePointer<UInt8>?
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_set_many(size, proto, $0.baseAddress, $0.count, &out) }))
        }
    }

    Benchmark(name("Encode"), configuration: configuration) { benchmark in
        let decoded = bytes.withUnsafeBufferPointer { thrift_decoded(size, proto, $0.baseAddress, $0.count) }
        defer { thrift_free(size, decoded) }
        var out: UnsafePointer<UInt8>?
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(thrift_encode(size, proto, decoded, &out)))
        }
    }

    if fixture.trimTarget != nil {
        Benchmark(name("Trim"), configuration: configuration) { benchmark in
            var out: UnsafePointer<UInt8>?
            for _ in benchmark.scaledIterations {
                blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_trim(size, proto, $0.baseAddress, $0.count, &out) }))
            }
        }
    }

    Benchmark(name("Skip"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(succeeded(bytes.withUnsafeBufferPointer { thrift_skip(proto, $0.baseAddress, $0.count) }))
        }
    }
}

extension ThriftFixture {
    /// The struct selector of the C API: 0 small, 1 medium, 2 large.
    var cSize: Int32 { size == "small" ? 0 : size == "medium" ? 1 : 2 }
    var cProtocol: Int32 { encoding == .binary ? 0 : 1 }

    /// Apache Thrift must read the same bytes, reach the same fields and write what Portico writes.
    func checkApacheThrift() {
        do {
            try checkApacheOperations()
        } catch {
            fatalError("Apache Thrift reference check failed on \(size) \(encoding): \(error)")
        }
    }

    private func checkApacheOperations() throws {
        func call(_ body: (UnsafePointer<UInt8>?, Int) -> Int) -> Int {
            bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
        func written(_ body: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafePointer<UInt8>?>) -> Int)
            throws -> [UInt8]
        {
            var out: UnsafePointer<UInt8>?
            let length = bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count, &out) }
            try require(length >= 0 && out != nil, "Apache Thrift encodes")
            return Array(UnsafeBufferPointer(start: out, count: length))
        }
        try require(call { thrift_decode_all(cSize, cProtocol, $0, $1) } == 0, "Apache Thrift decodes")
        try require(call { thrift_get_one(cSize, cProtocol, $0, $1) } == 32, "Apache Thrift reads the GetOne field")
        try require(call { thrift_get_many(cSize, cProtocol, $0, $1) } > 2, "Apache Thrift reads the GetMany fields")
        try require(call { thrift_skip(cProtocol, $0, $1) } == bytes.count, "Apache Thrift skips the whole struct")

        // Apache writes map entries in std::map order (keys sorted as strings: "0", "1", "10", ...), the input has
        // them in insertion order, so results are compared by size and by the fields read back, not byte for byte.
        func same(_ theirs: [UInt8], _ ours: ThriftValue, _ claim: String) throws {
            let value = try ThriftValue(bytes: theirs, encoding: encoding, descriptor: ours.descriptor, schema: schema)
            try value.validate()
            try require(theirs.count == ours.bytes.count, "\(claim): same size")
            try require(try value.get(getOne)?.scalar == ours.get(getOne)?.scalar, "\(claim): same GetOne field")
        }
        var portico = try value()
        try portico.set(setOne, to: .scalar(.i64(42)))
        let setOneBytes = try written { thrift_set_one(cSize, cProtocol, $0, $1, $2) }
        try same(setOneBytes, portico, "Apache Thrift SetOne")
        try require(
            try ThriftValue(bytes: setOneBytes, encoding: encoding, descriptor: descriptor, schema: schema)
                .get(setOne)?.scalar == .i64(42), "Apache Thrift SetOne writes 42")
        let setMany = try ThriftValue(
            bytes: try written { thrift_set_many(cSize, cProtocol, $0, $1, $2) }, encoding: encoding,
            descriptor: descriptor, schema: schema)
        for assignment in self.setMany {
            try require(
                try setMany.get(assignment.path)?.scalar == assignment.value.scalar,
                "Apache Thrift SetMany writes \(assignment.path)")
        }
        let decoded = bytes.withUnsafeBufferPointer { thrift_decoded(cSize, cProtocol, $0.baseAddress, $0.count) }
        defer { thrift_free(cSize, decoded) }
        var out: UnsafePointer<UInt8>?
        let length = thrift_encode(cSize, cProtocol, decoded, &out)
        try require(length >= 0, "Apache Thrift encodes")
        try same(Array(UnsafeBufferPointer(start: out, count: length)), try value(), "Apache Thrift re-encodes")
        if let trimTarget {
            try same(
                try written { thrift_trim(cSize, cProtocol, $0, $1, $2) }, try value().trimmed(to: trimTarget),
                "Apache Thrift trims")
        }
    }

    private func require(_ condition: Bool, _ claim: String) throws {
        if !condition { throw CodecError(.invalidValue, "not true: \(claim)") }
    }
}

/// The C++ reference's result, or a stop: a call that fails early would otherwise measure as fast.
@inline(__always)
func succeeded(_ result: Int) -> Int {
    if result < 0 { fatalError("Apache Thrift failed during the measurement") }
    return result
}
