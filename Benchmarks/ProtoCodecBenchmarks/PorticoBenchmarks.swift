import Benchmark
import DynamicCodec

/// Registers the DynamicCodec operations on one message. Every operation starts from the original bytes each
/// time, so edits never accumulate.
func registerPorticoBenchmarks(_ fixture: BaselineFixture, _ configuration: Benchmark.Configuration) {
    let name = { (operation: String) in "Portico/\(operation)/\(fixture.size)" }
    let newInt64 = ProtoFieldValue.scalar(.int64(42))

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
            try value.set(fixture.setOne, to: newInt64)
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
        var dom = ProtoDOM(schema: fixture.schema)
        try dom.load(fixture.bytes, as: fixture.descriptor)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try dom.load(fixture.bytes, as: fixture.descriptor)
        }
        blackHole(dom)
    }

    Benchmark(name("DOMMarshalEdited"), configuration: configuration) { benchmark in
        var dom = ProtoDOM(schema: fixture.schema)
        try dom.load(fixture.bytes, as: fixture.descriptor)
        try dom.setValue(.int64(42), at: try dom.node(at: fixture.domEdit))
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

    Benchmark(name("BinaryToJSON"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixture.value().json())
        }
    }

    Benchmark(name("JSONToBinary"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ProtoJSON.decode(fixture.json, as: fixture.descriptor, schema: fixture.schema))
        }
    }
}
