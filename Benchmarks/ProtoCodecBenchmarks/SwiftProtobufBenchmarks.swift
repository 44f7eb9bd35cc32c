import Benchmark
import DynamicCodec
import Foundation
import SwiftProtobuf

/// Registers the reference: swift-protobuf's generated types (Generated/baseline.pb.swift) doing the same jobs the
/// way an application with generated code would, by decoding the whole message first.
func registerSwiftProtobufBenchmarks(_ fixture: BaselineFixture, _ configuration: Benchmark.Configuration) {
    switch fixture.size {
    case "small":
        registerReference(
            Baseline_Simple.self, fixture, configuration,
            readOne: { $0.binaryField },
            setOne: { $0.i64Field = 42 })
    case "medium":
        registerReference(
            Baseline_Nesting.self, fixture, configuration,
            readOne: { $0.mapStringSimple["15"]?.binaryField },
            setOne: { $0.mapStringSimple["15"]?.i64Field = 42 })
    default:
        registerReference(
            Baseline_Nesting2.self, fixture, configuration,
            readOne: { $0.listNesting[15].mapStringSimple["15"]?.binaryField },
            setOne: { $0.listNesting[15].mapStringSimple["15"]?.i64Field = 42 })
    }
}

/// `readOne` and `setOne` touch the same fields as Portico's GetOne and SetOne on this message.
private func registerReference<Message: SwiftProtobuf.Message>(
    _ type: Message.Type, _ fixture: BaselineFixture, _ configuration: Benchmark.Configuration,
    readOne: @escaping (Message) -> Data?, setOne: @escaping (inout Message) -> Void
) {
    let name = { (operation: String) in "SwiftProtobuf/\(operation)/\(fixture.size)" }
    checkReference(Message.self, fixture, readOne: readOne, setOne: setOne)

    Benchmark(name("Decode"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Message(serializedBytes: fixture.bytes))
        }
    }

    Benchmark(name("DecodeGetOne"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(readOne(try Message(serializedBytes: fixture.bytes)))
        }
    }

    Benchmark(name("DecodeSetOneEncode"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var message = try Message(serializedBytes: fixture.bytes)
            setOne(&message)
            let encoded: [UInt8] = try message.serializedBytes()
            blackHole(encoded)
        }
    }

    Benchmark(name("Encode"), configuration: configuration) { benchmark in
        let message = try Message(serializedBytes: fixture.bytes)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let encoded: [UInt8] = try message.serializedBytes()
            blackHole(encoded)
        }
    }
}

/// Checks that the reference reads and writes the same fields as Portico: same value read, and the same message
/// after the edit (compared decoded, as swift-protobuf may order map entries differently on encode).
private func checkReference<Message: SwiftProtobuf.Message>(
    _ type: Message.Type, _ fixture: BaselineFixture,
    readOne: (Message) -> Data?, setOne: (inout Message) -> Void
) {
    do {
        var message = try Message(serializedBytes: fixture.bytes)
        guard readOne(message) == Data(Array(0..<16) + Array(0..<16) as [UInt8]) else {
            fatalError("swift-protobuf reference on \(fixture.size) does not read the GetOne field")
        }
        setOne(&message)
        var edited = try fixture.value()
        try edited.set(fixture.setOne, to: .scalar(.int64(42)))
        guard try Message(serializedBytes: edited.bytes).isEqualTo(message: message) else {
            fatalError("swift-protobuf reference on \(fixture.size) does not edit the SetOne field")
        }
    } catch {
        fatalError("swift-protobuf reference check failed on \(fixture.size): \(error)")
    }
}
