import DynamicCodec
import Foundation

/// One benchmark message (small, medium or large) with the paths each operation uses on it.
///
/// The bytes come from `Benchmarks/data/*.pb` and the same message as JSON from `*.json` (both written by
/// `data/make_baseline_data.py`), the schema from `Descriptors/baseline.pb`; all are found relative to this source
/// file, so the suite runs from any directory.
struct BaselineFixture: Sendable {
    /// "small", "medium" or "large": the data file's stem and the suffix of every benchmark name.
    let size: String
    let bytes: [UInt8]
    /// The same message as compact proto3 JSON (lowerCamelCase names), the input of the JSON → binary benchmarks.
    let json: [UInt8]
    let descriptor: ProtoMessageDescriptor
    let schema: ProtoSchema

    /// A `bytes` field, deepest on the path the spec names for GetOne.
    let getOne: FieldPath
    /// Three fields read in one pass.
    let getMany: [FieldPath]
    /// An int64 field next to ``getOne``: its varint shrinks from 9 bytes to 1, so enclosing lengths change.
    let setOne: FieldPath
    /// Three edits at different depths, applied in one call.
    let setMany: [(path: FieldPath, value: ProtoFieldValue)]
    /// The same field as ``getOne``, removed.
    let unset: FieldPath
    /// The narrower type for trimming, when the schema has one.
    let trimTarget: ProtoMessageDescriptor?
    /// The path to the int64 field edited in the DOM: field numbers, list indices and string map keys.
    let domEdit: [DOMStep]

    func value() throws(CodecError) -> ProtoValue {
        try ProtoValue(bytes: bytes, descriptor: descriptor, schema: schema)
    }
}

/// A step in ``ProtoDOM`` navigation by hand: the benchmark finds the edited node once, outside the measurement.
enum DOMStep: Sendable {
    case field(Int32)
    case index(Int)
    case key(String)
}

extension BaselineFixture {
    /// All three messages; loading them is the suite's start-up cost, not part of any measurement.
    static let all: [BaselineFixture] = {
        do {
            return try loadAll()
        } catch {
            fatalError("cannot load the benchmark data: \(error)")
        }
    }()

    static let benchmarksDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()

    static func readFile(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    static func data(_ stem: String, _ fileExtension: String = "pb") throws -> [UInt8] {
        try readFile(benchmarksDirectory.appendingPathComponent("data/\(stem).\(fileExtension)"))
    }

    private static func loadAll() throws -> [BaselineFixture] {
        let descriptorSet = benchmarksDirectory.deletingLastPathComponent()
            .appendingPathComponent("Descriptors/baseline.pb")
        let schema = try ProtoSchema(descriptorSet: try readFile(descriptorSet))
        func type(_ name: String) throws -> ProtoMessageDescriptor {
            try schema.requireMessage(named: "baseline.\(name)")
        }
        func path(_ text: String) throws -> FieldPath { try FieldPath(parsing: text) }

        // The same field ladder on every size: Simple's fields, then the same inside map_string_simple["15"],
        // then inside list_nesting[15] of Nesting2.
        let nested = #"map_string_simple["15"]"#
        let deep = #"list_nesting[15].map_string_simple["15"]"#
        let newBinary = ProtoFieldValue.scalar(.bytes([1, 2, 3]))

        let small = BaselineFixture(
            size: "small", bytes: try data("small"), json: try data("small", "json"),
            descriptor: try type("Simple"), schema: schema,
            getOne: try path("binary_field"),
            getMany: [try path("byte_field"), try path("double_field"), try path("binary_field")],
            setOne: try path("i64_field"),
            setMany: [
                (try path("byte_field"), .scalar(.int32(1))),
                (try path("double_field"), .scalar(.double(1.5))),
                (try path("binary_field"), newBinary),
            ],
            unset: try path("binary_field"),
            trimTarget: try type("PartialSimple"),
            domEdit: [.field(2)])

        let medium = BaselineFixture(
            size: "medium", bytes: try data("medium"), json: try data("medium", "json"),
            descriptor: try type("Nesting"), schema: schema,
            getOne: try path("\(nested).binary_field"),
            getMany: [try path("list_simple"), try path("simple_struct"), try path("map_string_simple")],
            setOne: try path("\(nested).i64_field"),
            setMany: [
                (try path("i32"), .scalar(.int32(1))),
                (try path("simple_struct.double_field"), .scalar(.double(1.5))),
                (try path("\(nested).binary_field"), newBinary),
            ],
            unset: try path("\(nested).binary_field"),
            trimTarget: try type("PartialNesting"),
            domEdit: [.field(15), .key("15"), .field(2)])

        let large = BaselineFixture(
            size: "large", bytes: try data("large"), json: try data("large", "json"),
            descriptor: try type("Nesting2"), schema: schema,
            getOne: try path("\(deep).binary_field"),
            // Nesting2.nesting (field 4) follows the three 16-element collections: the scan skips most of the message.
            getMany: [
                try path("nesting.list_simple"), try path("nesting.simple_struct"),
                try path("nesting.map_string_simple"),
            ],
            setOne: try path("\(deep).i64_field"),
            setMany: [
                (try path("i32"), .scalar(.int32(1))),
                (try path("nesting.simple_struct.double_field"), .scalar(.double(1.5))),
                (try path("\(deep).binary_field"), newBinary),
            ],
            unset: try path("\(deep).binary_field"),
            trimTarget: nil,
            domEdit: [.field(2), .index(15), .field(15), .key("15"), .field(2)])

        return [small, medium, large]
    }
}
