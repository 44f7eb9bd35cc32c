import DynamicCodec
import Foundation

/// One benchmark message (small, medium or large) in one Thrift protocol, with the paths each operation uses on it.
///
/// The bytes come from `Benchmarks/data/thrift-*.binary` and `*.compact` (written with Apache Thrift's Python runtime
/// by `data/make_thrift_data.py`), the schema from `Descriptors/baseline.thrift`; all are found relative to this
/// source file, so the suite runs from any directory.
struct ThriftFixture: Sendable {
    /// "small", "medium" or "large": the data file's stem and the suffix of every benchmark name.
    let size: String
    let encoding: ThriftProtocol
    let bytes: [UInt8]
    /// The same message in the other protocol, as Apache Thrift wrote it: the expected output of the conversion.
    let otherBytes: [UInt8]
    let descriptor: ThriftStructDescriptor
    let schema: ThriftSchema

    /// A `binary` field, deepest on the path the spec names for GetOne.
    let getOne: FieldPath
    /// Three fields read in one call.
    let getMany: [FieldPath]
    /// The i64 field next to ``getOne`` (max i64: 8 bytes in binary, a 10-byte varint in compact).
    let setOne: FieldPath
    /// Three edits at different depths, applied in one call.
    let setMany: [(path: FieldPath, value: ThriftFieldValue)]
    /// The same field as ``getOne``, removed.
    let unset: FieldPath
    /// The narrower type for trimming, when the schema has one.
    let trimTarget: ThriftStructDescriptor?
    /// The path to the i64 field edited in the DOM: field ids, list indices and string map keys.
    let domEdit: [DOMStep]

    /// The protocol the conversion benchmark converts to.
    var otherEncoding: ThriftProtocol { encoding == .binary ? .compact : .binary }

    func value() throws(CodecError) -> ThriftValue {
        try ThriftValue(bytes: bytes, encoding: encoding, descriptor: descriptor, schema: schema)
    }
}

/// A step in ``ThriftDOM`` navigation by hand: the benchmark finds the edited node once, outside the measurement.
enum DOMStep: Sendable {
    case field(Int16)
    case index(Int)
    case key(String)
}

extension ThriftFixture {
    /// Every message in both protocols; loading them is the suite's start-up cost, not part of any measurement.
    static let all: [ThriftFixture] = {
        do {
            return try loadAll()
        } catch {
            fatalError("cannot load the Thrift benchmark data: \(error)")
        }
    }()

    static let benchmarksDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()

    static func data(_ size: String, _ encoding: ThriftProtocol) throws -> [UInt8] {
        let url = benchmarksDirectory.appendingPathComponent("data/thrift-\(size).\(encoding.rawValue)")
        return [UInt8](try Data(contentsOf: url))
    }

    private static func loadAll() throws -> [ThriftFixture] {
        let descriptors = benchmarksDirectory.deletingLastPathComponent().appendingPathComponent("Descriptors").path
        let schema = try ThriftSchema(
            thriftFiles: ["baseline.thrift"], source: ThriftFileSource(directories: [descriptors]))
        func type(_ name: String) throws -> ThriftStructDescriptor {
            try schema.requireStruct(named: "baseline.\(name)")
        }
        func path(_ text: String) throws -> FieldPath { try FieldPath(parsing: text) }

        // The same field ladder on every size: Simple's fields, then the same inside MapStringSimple["15"], then
        // inside ListNesting[15] of Nesting2.
        let nested = #"MapStringSimple["15"]"#
        let deep = #"ListNesting[15].MapStringSimple["15"]"#
        let newBinary = ThriftFieldValue.scalar(.binary([1, 2, 3]))

        var fixtures: [ThriftFixture] = []
        for encoding in ThriftProtocol.allCases {
            let other: ThriftProtocol = encoding == .binary ? .compact : .binary
            func load(_ size: String) throws -> (bytes: [UInt8], other: [UInt8]) {
                (try data(size, encoding), try data(size, other))
            }

            let small = try load("small")
            fixtures.append(
                ThriftFixture(
                    size: "small", encoding: encoding, bytes: small.bytes, otherBytes: small.other,
                    descriptor: try type("Simple"), schema: schema,
                    getOne: try path("binary_field"),
                    getMany: [try path("byte_field"), try path("double_field"), try path("binary_field")],
                    setOne: try path("i64_field"),
                    setMany: [
                        (try path("byte_field"), .scalar(.byte(1))),
                        (try path("double_field"), .scalar(.double(1.5))),
                        (try path("binary_field"), newBinary),
                    ],
                    unset: try path("binary_field"),
                    trimTarget: try type("PartialSimple"),
                    domEdit: [.field(2)]))

            let medium = try load("medium")
            fixtures.append(
                ThriftFixture(
                    size: "medium", encoding: encoding, bytes: medium.bytes, otherBytes: medium.other,
                    descriptor: try type("Nesting"), schema: schema,
                    getOne: try path("\(nested).binary_field"),
                    getMany: [try path("ListSimple"), try path("SimpleStruct"), try path("MapStringSimple")],
                    setOne: try path("\(nested).i64_field"),
                    setMany: [
                        (try path("I32"), .scalar(.i32(1))),
                        (try path("SimpleStruct.double_field"), .scalar(.double(1.5))),
                        (try path("\(nested).binary_field"), newBinary),
                    ],
                    unset: try path("\(nested).binary_field"),
                    trimTarget: try type("PartialNesting"),
                    domEdit: [.field(15), .key("15"), .field(2)]))

            let large = try load("large")
            fixtures.append(
                ThriftFixture(
                    size: "large", encoding: encoding, bytes: large.bytes, otherBytes: large.other,
                    descriptor: try type("Nesting2"), schema: schema,
                    getOne: try path("\(deep).binary_field"),
                    // Nesting2.Nesting (field 4) follows the three 16-element collections: the scan skips most of
                    // the message.
                    getMany: [
                        try path("Nesting.ListSimple"), try path("Nesting.SimpleStruct"),
                        try path("Nesting.MapStringSimple"),
                    ],
                    setOne: try path("\(deep).i64_field"),
                    setMany: [
                        (try path("I32"), .scalar(.i32(1))),
                        (try path("Nesting.SimpleStruct.double_field"), .scalar(.double(1.5))),
                        (try path("\(deep).binary_field"), newBinary),
                    ],
                    unset: try path("\(deep).binary_field"),
                    trimTarget: nil,
                    domEdit: [.field(2), .index(15), .field(15), .key("15"), .field(2)]))
        }
        return fixtures
    }
}
