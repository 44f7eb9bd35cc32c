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

    // The gateway's generic route (`POST /baseline.BaselineService/Method`, body "*"): the JSON body becomes the
    // request message. baseline.proto has no google.api.http rules, so path and query play no part here.
    let request = HTTPRequestParts(
        method: "POST", path: "/baseline.BaselineService/\(fixture.httpMethod.name)",
        headers: [HTTPHeader("Content-Type", "application/json")], body: fixture.json)
    fixture.checkHTTP(request)
    Benchmark(name("HTTPToBinary"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ProtoHTTPMapping.request(request, rule: nil, method: fixture.httpMethod, schema: fixture.schema))
        }
    }
}

extension BaselineFixture {
    /// The BaselineService method whose request type is this message.
    var httpMethod: ProtoMethodDescriptor {
        let name = ["small": "SimpleMethod", "medium": "NestingMethod", "large": "Nesting2Method"][size]!
        return schema.services.first { $0.fullName == "baseline.BaselineService" }!.method(named: name)!
    }

    /// The HTTP path gives the same bytes as the JSON conversion of the body.
    func checkHTTP(_ request: HTTPRequestParts) {
        do {
            let mapped = try ProtoHTTPMapping.request(request, rule: nil, method: httpMethod, schema: schema)
            guard mapped == (try ProtoJSON.decode(json, as: descriptor, schema: schema)) else {
                fatalError("HTTP request -> binary of \(size) differs from the JSON conversion of its body")
            }
        } catch {
            fatalError("HTTP request -> binary check failed on \(size): \(error)")
        }
    }
}
