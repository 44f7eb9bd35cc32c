import Benchmark
import DynamicCodec

/// Registers the Thrift operations on one message in one protocol. Every operation starts from the original bytes
/// each time, so edits never accumulate.
func registerThriftBenchmarks(_ fixture: ThriftFixture, _ configuration: Benchmark.Configuration) {
    let library = fixture.encoding == .binary ? "ThriftBinary" : "ThriftCompact"
    let name = { (operation: String) in "\(library)/\(operation)/\(fixture.size)" }
    let newI64 = ThriftFieldValue.scalar(.i64(42))

    Benchmark(name("GetOne"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            // Wrapping the bytes is part of the operation: it is what a caller does with a message it just received.
            blackHole(try fixture.value().get(fixture.getOne))
        }
    }

    Benchmark(name("GetMany"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixture.value().get(many: fixture.getMany))
        }
    }

    Benchmark(name("SetOne"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var value = try fixture.value()
            try value.set(fixture.setOne, to: newI64)
            blackHole(value)
        }
    }

    Benchmark(name("SetMany"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var value = try fixture.value()
            try value.set(fixture.setMany)
            blackHole(value)
        }
    }

    Benchmark(name("Unset"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var value = try fixture.value()
            try value.unset(fixture.unset)
            blackHole(value)
        }
    }

    if let target = fixture.trimTarget {
        Benchmark(name("Trim"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try fixture.value().trimmed(to: target))
            }
        }
    }

    Benchmark(name("DOMLoad"), configuration: configuration) { benchmark in
        // One DOM reused across loads: after the first load its node storage is already allocated.
        var dom = ThriftDOM(schema: fixture.schema, encoding: fixture.encoding)
        try dom.load(fixture.bytes, as: fixture.descriptor)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try dom.load(fixture.bytes, as: fixture.descriptor)
        }
        blackHole(dom)
    }

    Benchmark(name("DOMMarshalEdited"), configuration: configuration) { benchmark in
        var dom = ThriftDOM(schema: fixture.schema, encoding: fixture.encoding)
        try dom.load(fixture.bytes, as: fixture.descriptor)
        try dom.setValue(.i64(42), at: try dom.node(at: fixture.domEdit))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(dom.marshal())
        }
    }

    Benchmark(name("Validate"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            try fixture.value().validate()
        }
    }

    let conversion = fixture.encoding == .binary ? "ToCompact" : "ToBinary"
    Benchmark(name(conversion), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ThriftTranscoder.convert(
                    fixture.bytes, from: fixture.encoding, to: fixture.otherEncoding, type: fixture.descriptor,
                    schema: fixture.schema))
        }
    }
}
