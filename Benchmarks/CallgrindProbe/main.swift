import ApacheThriftReference
import DynamicCodec
import Foundation
import ProtobufCReference
import SwiftProtobuf

// Usage: CallgrindProbe OPERATION COUNT — runs the operation COUNT times on the medium message, with the same calls
// as the benchmark of that name. Instructions per operation = (Ir of a run with COUNT) - (Ir of the same run with
// 0), divided by COUNT (callgrind.sh does this).

let benchmarks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
func data(_ name: String) -> [UInt8] {
    [UInt8](try! Data(contentsOf: benchmarks.appendingPathComponent("data/\(name)")))
}

let schema = try ProtoSchema(
    descriptorSet: [UInt8](try Data(contentsOf: benchmarks.deletingLastPathComponent()
        .appendingPathComponent("Descriptors/baseline.pb"))))
let nesting = try schema.requireMessage(named: "baseline.Nesting")
let protoBytes = data("medium.pb")
let protoJSON = data("medium.json")
let getOne = try FieldPath(parsing: #"map_string_simple["15"].binary_field"#)

let thriftSchema = try ThriftSchema(
    thriftFiles: ["baseline.thrift"],
    source: ThriftFileSource(directories: [benchmarks.deletingLastPathComponent().appendingPathComponent("Descriptors").path]))
let thriftNesting = try thriftSchema.requireStruct(named: "baseline.Nesting")
let thriftBytes = data("thrift-medium.binary")
let thriftCompact = data("thrift-medium.compact")
let thriftJSON = try ThriftJSON.encode(thriftBytes, as: thriftNesting, schema: thriftSchema)
let thriftCompactJSON = try ThriftJSON.encode(thriftCompact, as: thriftNesting, schema: thriftSchema, encoding: .compact)
let thriftGetOne = try FieldPath(parsing: #"MapStringSimple["15"].binary_field"#)

let operation = CommandLine.arguments[1]
let count = Int(CommandLine.arguments[2])!
var protoDOM = ProtoDOM(schema: schema)
try protoDOM.load(protoBytes, as: nesting)
var thriftDOM = ThriftDOM(schema: thriftSchema, encoding: .binary)
try thriftDOM.load(thriftBytes, as: thriftNesting)
var thriftCompactDOM = ThriftDOM(schema: thriftSchema, encoding: .compact)
try thriftCompactDOM.load(thriftCompact, as: thriftNesting)
var sink = 0

for _ in 0..<count {
    switch operation {
    case "Portico/GetOne": sink &+= try ProtoValue(bytes: protoBytes, descriptor: nesting, schema: schema).get(getOne) == nil ? 0 : 1
    case "Portico/DOMLoad": try protoDOM.load(protoBytes, as: nesting)
    case "Portico/BinaryToJSON": sink &+= try ProtoValue(bytes: protoBytes, descriptor: nesting, schema: schema).json().count
    case "Portico/JSONToBinary": sink &+= try ProtoJSON.decode(protoJSON, as: nesting, schema: schema).count
    case "SwiftProtobuf/Decode": sink &+= try Baseline_Nesting(serializedBytes: protoBytes).i32 == 0 ? 0 : 1
    case "SwiftProtobuf/BinaryToJSON":
        let json: [UInt8] = try Baseline_Nesting(serializedBytes: protoBytes).jsonUTF8Bytes()
        sink &+= json.count
    case "SwiftProtobuf/JSONToBinary":
        let binary: [UInt8] = try Baseline_Nesting(jsonUTF8Bytes: protoJSON).serializedBytes()
        sink &+= binary.count
    case "ProtobufC/Decode":
        sink &+= protoBytes.withUnsafeBufferPointer { pbc_decode_all(1, $0.baseAddress, $0.count) }
    case "ThriftCompact/DOMLoad": try thriftCompactDOM.load(thriftCompact, as: thriftNesting)
    case "ThriftCompact/GetOne":
        sink &+= try ThriftValue(bytes: thriftCompact, encoding: .compact, descriptor: thriftNesting, schema: thriftSchema)
            .get(thriftGetOne) == nil ? 0 : 1
    case "ApacheBinary/Decode":
        sink &+= thriftBytes.withUnsafeBufferPointer { thrift_decode_all(1, 0, $0.baseAddress, $0.count) }
    case "ApacheCompact/Decode":
        sink &+= thriftCompact.withUnsafeBufferPointer { thrift_decode_all(1, 1, $0.baseAddress, $0.count) }
    case "ThriftBinary/GetOne":
        sink &+= try ThriftValue(bytes: thriftBytes, encoding: .binary, descriptor: thriftNesting, schema: thriftSchema)
            .get(thriftGetOne) == nil ? 0 : 1
    case "ThriftBinary/DOMLoad": try thriftDOM.load(thriftBytes, as: thriftNesting)
    case "ThriftBinary/ToJSON": sink &+= try ThriftJSON.encode(thriftBytes, as: thriftNesting, schema: thriftSchema).count
    case "ThriftCompact/ToJSON":
        sink &+= try ThriftJSON.encode(thriftCompact, as: thriftNesting, schema: thriftSchema, encoding: .compact).count
    case "ThriftCompact/FromJSON":
        sink &+= try ThriftJSON.decode(thriftCompactJSON, as: thriftNesting, schema: thriftSchema, encoding: .compact)
            .count
    case "ThriftBinary/FromJSON": sink &+= try ThriftJSON.decode(thriftJSON, as: thriftNesting, schema: thriftSchema).count
    default: fatalError("unknown operation \(operation)")
    }
}
if sink < 0 { print(sink) }
