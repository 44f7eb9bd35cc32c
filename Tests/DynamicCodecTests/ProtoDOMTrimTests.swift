import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

@Suite struct ProtoDOMTests {
    let schema = Schemas.baseline

    func nesting() throws -> [UInt8] {
        try Protoc.encode("baseline.Nesting", ProtoValueGetSetTests.nestingText, file: "baseline.proto")
    }

    @Test func loadWalkAndMarshalRoundTripsByteForByte() throws {
        let bytes = try nesting()
        var dom = ProtoDOM(schema: schema)
        try dom.load(bytes, as: try schema.requireMessage(named: "baseline.Nesting"))
        #expect(dom.marshal() == bytes)
        let rootFields = dom.children(of: 0).compactMap { dom.field(of: $0)?.name }
        #expect(rootFields.first == "string")
        #expect(rootFields.filter { $0 == "map_string_simple" }.count == 2)
        // The packed list_i32 block has three element nodes.
        let packed = dom.children(of: 0).first { dom.nodes[$0].kind == .packed }!
        let elements = dom.children(of: packed)
        #expect(try elements.map { try dom.value(of: $0).scalar } == [.int32(.min), .int32(5), .int32(6)])
        // Reloading reuses the node storage.
        let capacity = dom.nodes.capacity
        try dom.load(bytes, as: try schema.requireMessage(named: "baseline.Nesting"))
        #expect(dom.nodes.capacity == capacity)
    }

    @Test func editsMarshalToWhatProtocExpects() throws {
        let bytes = try nesting()
        var dom = ProtoDOM(schema: schema)
        try dom.load(bytes, as: try schema.requireMessage(named: "baseline.Nesting"))
        let root = dom.children(of: 0)
        let i32 = root.first { dom.field(of: $0)?.name == "i32" }!
        try dom.setValue(.int32(1234), at: i32)
        let packed = root.first { dom.nodes[$0].kind == .packed }!
        try dom.setValue(.int32(-5), at: dom.children(of: packed)[1])
        let entry = root.last { dom.field(of: $0)?.name == "map_string_simple" }!
        try dom.remove(entry)
        let simple = root.first { dom.field(of: $0)?.name == "simple_struct" }!
        try dom.append(.scalar(.int32(77)), field: 4, toMessage: simple)
        let text = try Protoc.decode("baseline.Nesting", dom.marshal(), file: "baseline.proto")
        #expect(text.contains("i32: 1234"))
        #expect(text.contains("list_i32: -5"))
        #expect(!text.contains("key: \"16\""))
        #expect(text.contains("i32_field: 77"))
        #expect(text.contains("string_field: \"inner\""))
    }

    @Test func malformedInputIsAnErrorWithAnOffset() throws {
        var dom = ProtoDOM(schema: schema)
        let type = try schema.requireMessage(named: "baseline.Nesting")
        // list_simple (2) claiming 100 bytes with 1 present.
        do {
            try dom.load([0x12, 0x64, 0x08], as: type)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .lengthOutOfBounds)
            #expect(error.offset == 1)
        }
        // i32 (4) sent as length-delimited.
        #expect(throws: CodecError.self) { try dom.load([0x22, 0x00], as: type) }
    }
}

@Suite struct ProtoTrimTests {
    let schema = Schemas.baseline

    @Test func trimToPartialTypeMatchesProtoc() throws {
        let bytes = try Protoc.encode("baseline.Nesting", ProtoValueGetSetTests.nestingText, file: "baseline.proto")
        let value = try ProtoValue(bytes: bytes, descriptor: schema.requireMessage(named: "baseline.Nesting"),
                                   schema: schema)
        let trimmed = try value.trimmed(to: schema.requireMessage(named: "baseline.PartialNesting"))
        let expected = try Protoc.encode(
            "baseline.PartialNesting",
            """
            list_simple { byte_field: 1 }
            list_simple { byte_field: 2 binary_field: "\\001\\002" }
            simple_struct { }
            map_string_simple { key: "15" value { binary_field: "\\377" } }
            map_string_simple { key: "16" value { byte_field: 3 } }
            """, file: "baseline.proto")
        #expect(trimmed.bytes == expected)
    }

    @Test func fieldMaskKeepsOnlyTheNamedPaths() throws {
        let bytes = try Protoc.encode("baseline.Nesting", ProtoValueGetSetTests.nestingText, file: "baseline.proto")
        let value = try ProtoValue(bytes: bytes, descriptor: schema.requireMessage(named: "baseline.Nesting"),
                                   schema: schema)
        let masked = try value.masked([
            try FieldPath(parsing: "i32"), try FieldPath(parsing: "simple_struct.string_field"),
            try FieldPath(parsing: "list_simple.byte_field"), try FieldPath(parsing: "map_string_simple.i32_field"),
        ])
        let expected = try Protoc.encode(
            "baseline.Nesting",
            """
            list_simple { byte_field: 1 }
            list_simple { byte_field: 2 }
            i32: -7
            simple_struct { string_field: "inner" }
            map_string_simple { key: "15" value { i32_field: 99 } }
            map_string_simple { key: "16" value { } }
            """, file: "baseline.proto")
        #expect(masked.bytes == expected)
        #expect(throws: CodecError.self) { try value.masked([try FieldPath(parsing: "nope")]) }
    }

    @Test func missingRequiredFieldsAfterTrimAreReported() throws {
        let schema = Schemas.rich2
        let required = schema.messages.first { !$0.requiredFieldNumbers.isEmpty }!
        let value = try ProtoValue(bytes: [], descriptor: required, schema: schema)
        do {
            _ = try value.trimmed(to: required)
            Issue.record("expected MISSING_REQUIRED_FIELD")
        } catch {
            #expect(error.code == .missingRequiredField)
        }
        _ = try value.trimmed(to: required, allowMissingRequired: true)
    }
}

/// Random and hostile bytes must give a CodecError, never a crash, a hang or a huge allocation.
@Suite struct ProtoMalformedInputTests {
    @Test func randomBytesNeverCrash() throws {
        let schema = Schemas.rich
        var generator = SystemRandomNumberGenerator()
        let seed = try Protoc.encode("baseline.Nesting", ProtoValueGetSetTests.nestingText, file: "baseline.proto")
        let nesting = try Schemas.baseline.requireMessage(named: "baseline.Nesting")
        var dom = ProtoDOM(schema: Schemas.baseline)
        var failures = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                // Mutate or truncate a valid message.
                bytes = Array(seed.prefix(Int.random(in: 0...seed.count, using: &generator)))
                for _ in 0..<Int.random(in: 0..<4, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            let value = try ProtoValue(bytes: bytes, descriptor: nesting, schema: Schemas.baseline)
            do { try value.validate() } catch { failures += 1 }
            _ = try? value.get("map_string_simple[\"15\"].binary_field")
            _ = try? value.get(many: [try FieldPath(parsing: "2"), try FieldPath(parsing: "8.1")])
            _ = try? value.trimmed(to: Schemas.baseline.requireMessage(named: "baseline.PartialNesting"))
            var copy = value
            _ = try? copy.set("list_simple[0].byte_field", to: .scalar(.int32(1)))
            _ = try? dom.load(bytes, as: nesting)
            _ = try? ProtoValue(bytes: bytes, descriptor: schema.messages[0], schema: schema).validate()
        }
        #expect(failures > 0)
    }

    @Test func deepNestingHitsTheDepthLimit() throws {
        let schema = Schemas.rich
        let recursive = schema.messages.first { message in
            message.fields.contains { !$0.isRepeated && $0.messageIndex == message.index }
        }!
        let field = recursive.fields.first { !$0.isRepeated && $0.messageIndex == recursive.index }!
        var bytes: [UInt8] = []
        for _ in 0..<200 {
            var outer: [UInt8] = []
            outer.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
            outer.appendVarint(UInt64(bytes.count))
            bytes = outer + bytes
        }
        let value = try ProtoValue(bytes: bytes, descriptor: recursive, schema: schema)
        do {
            try value.validate()
            Issue.record("expected a depth error")
        } catch {
            #expect(error.code == .depthLimitExceeded)
        }
        var dom = ProtoDOM(schema: schema)
        #expect(throws: CodecError.self) { try dom.load(bytes, as: recursive) }
    }

    @Test func oversizedInputIsRejectedUpFront() throws {
        let schema = Schemas.baseline
        let limits = CodecLimits(maxDepth: 10, maxMessageSize: 16)
        #expect(throws: CodecError.self) {
            try ProtoValue(bytes: [UInt8](repeating: 0, count: 17), descriptor: schema.messages[0], schema: schema,
                           limits: limits)
        }
    }
}
