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
            setOne: { $0.i64Field = 42 },
            setMany: {
                $0.byteField = 1
                $0.doubleField = 1.5
                $0.binaryField = Data([1, 2, 3])
            },
            trim: { try Baseline_PartialSimple(serializedBytes: $0, options: discardUnknown).serializedBytes() })
    case "medium":
        registerReference(
            Baseline_Nesting.self, fixture, configuration,
            readOne: { $0.mapStringSimple["15"]?.binaryField },
            setOne: { $0.mapStringSimple["15"]?.i64Field = 42 },
            setMany: {
                $0.i32 = 1
                $0.simpleStruct.doubleField = 1.5
                $0.mapStringSimple["15"]?.binaryField = Data([1, 2, 3])
            },
            trim: { try Baseline_PartialNesting(serializedBytes: $0, options: discardUnknown).serializedBytes() })
    default:
        registerReference(
            Baseline_Nesting2.self, fixture, configuration,
            readOne: { $0.listNesting[15].mapStringSimple["15"]?.binaryField },
            setOne: { $0.listNesting[15].mapStringSimple["15"]?.i64Field = 42 },
            setMany: {
                $0.i32 = 1
                $0.nesting.simpleStruct.doubleField = 1.5
                $0.listNesting[15].mapStringSimple["15"]?.binaryField = Data([1, 2, 3])
            },
            trim: nil)
    }
}

/// Trimming with generated code: decode as the Partial type without keeping the fields it lacks, encode.
private var discardUnknown: BinaryDecodingOptions {
    var options = BinaryDecodingOptions()
    options.discardUnknownFields = true
    return options
}

/// `readOne`, `setOne` and `setMany` touch the same fields as Portico's GetOne, SetOne and SetMany on this message.
private func registerReference<Message: SwiftProtobuf.Message>(
    _ type: Message.Type, _ fixture: BaselineFixture, _ configuration: Benchmark.Configuration,
    readOne: @escaping (Message) -> Data?, setOne: @escaping (inout Message) -> Void,
    setMany: @escaping (inout Message) -> Void, trim: (@Sendable ([UInt8]) throws -> [UInt8])?
) {
    let name = { (operation: String) in "SwiftProtobuf/\(operation)/\(fixture.size)" }
    checkReference(Message.self, fixture, readOne: readOne, setOne: setOne)
    checkJSON(Message.self, fixture)

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

    Benchmark(name("DecodeSetManyEncode"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var message = try Message(serializedBytes: fixture.bytes)
            setMany(&message)
            let encoded: [UInt8] = try message.serializedBytes()
            blackHole(encoded)
        }
    }

    if let trim {
        checkTrim(fixture, trim)
        Benchmark(name("Trim"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try trim(fixture.bytes))
            }
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

    Benchmark(name("BinaryToJSON"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let json: [UInt8] = try Message(serializedBytes: fixture.bytes).jsonUTF8Bytes()
            blackHole(json)
        }
    }

    Benchmark(name("JSONToBinary"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let encoded: [UInt8] = try Message(jsonUTF8Bytes: fixture.json).serializedBytes()
            blackHole(encoded)
        }
    }
}

/// Checks that swift-protobuf's trim keeps what Portico's keeps: same size (swift-protobuf may order map entries
/// differently, so bytes are not compared) and the GetOne field readable in the Partial type.
private func checkTrim(_ fixture: BaselineFixture, _ trim: ([UInt8]) throws -> [UInt8]) {
    do {
        guard let target = fixture.trimTarget else { return }
        let theirs = try ProtoValue(bytes: try trim(fixture.bytes), descriptor: target, schema: fixture.schema)
        let ours = try fixture.value().trimmed(to: target)
        guard theirs.bytes.count == ours.bytes.count,
            try theirs.get(fixture.getOne)?.scalar == ours.get(fixture.getOne)?.scalar
        else {
            fatalError("swift-protobuf's trim of \(fixture.size) differs from Portico's")
        }
    } catch {
        fatalError("swift-protobuf trim check failed on \(fixture.size): \(error)")
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

/// Checks Portico's JSON conversion against swift-protobuf's, both ways: our JSON parses to the message decoded from
/// the binary, and our binary from the JSON file decodes to the message swift-protobuf reads from that file. Also
/// checks that the `.pb` and `.json` files hold the same message, so both directions convert the same content.
private func checkJSON<Message: SwiftProtobuf.Message>(_ type: Message.Type, _ fixture: BaselineFixture) {
    do {
        let fromBinary = try Message(serializedBytes: fixture.bytes)
        let fromJSON = try Message(jsonUTF8Bytes: fixture.json)
        guard fromJSON.isEqualTo(message: fromBinary) else {
            fatalError("\(fixture.size).pb and \(fixture.size).json hold different messages")
        }
        guard try Message(jsonUTF8Bytes: try fixture.value().json()).isEqualTo(message: fromBinary) else {
            fatalError("Portico's JSON of \(fixture.size) is not the message of the binary for swift-protobuf")
        }
        let converted = try ProtoJSON.decode(fixture.json, as: fixture.descriptor, schema: fixture.schema)
        guard try Message(serializedBytes: converted).isEqualTo(message: fromJSON) else {
            fatalError("Portico's binary from \(fixture.size).json is not the message of the JSON for swift-protobuf")
        }
    } catch {
        fatalError("JSON conversion check failed on \(fixture.size): \(error)")
    }
}
