import Foundation
import Testing

@testable import DynamicCodec

/// Defects the fuzzers found (docs/fuzzing.md), each pinned by the smallest case that shows it. Their inputs are
/// also kept in FuzzTesting/Regressions/ and replayed by FuzzCorpusReplayTests.
@Suite struct FuzzFoundDefectTests {
    static let proto = try! ProtoSchema(
        protoFiles: ["z.proto"],
        source: ProtoFileSource(files: [
            "z.proto": """
                syntax = "proto3";
                message Z {
                  int32 i = 1; string s = 2; double d = 3; bool b = 4; bytes by = 5; E e = 6; float f = 7;
                  optional int32 o = 8;
                  oneof pick { int32 p = 9; }
                  map<int32, int32> m = 10;
                  repeated int32 r = 11;
                }
                enum E { E0 = 0; E1 = 1; }
                """
        ]))

    /// proto3 JSON -> binary wrote fields without presence holding their zero value (`"i": 0` as `08 00`), so the
    /// binary was not canonical and its JSON listed the fields in another order than the JSON read.
    @Test func protoJSONLeavesOutZeroValuesOfFieldsWithoutPresence() throws {
        let type = try Self.proto.requireMessage(named: "Z")
        let zeros = #"{"i":0,"s":"","d":0,"b":false,"by":"","e":"E0","f":0}"#
        #expect(try ProtoJSON.decode(Array(zeros.utf8), as: type, schema: Self.proto) == [])
        // Presence keeps them; so do map entries, lists and -0.0 (not the zero value: its bits differ).
        let kept = #"{"o":0,"p":0,"m":{"0":0},"r":[0],"d":-0}"#
        let binary = try ProtoJSON.decode(Array(kept.utf8), as: type, schema: Self.proto)
        #expect(binary == [0x40, 0x00, 0x48, 0x00, 0x52, 0x04, 0x08, 0x00, 0x10, 0x00, 0x5A, 0x01, 0x00,
                           0x19, 0, 0, 0, 0, 0, 0, 0, 0x80])
        let options = ProtoJSONOptions(emitDefaults: true)
        let json = try ProtoJSON.encode(
            try ProtoJSON.decode(Array(zeros.utf8), as: type, schema: Self.proto), as: type, schema: Self.proto,
            options: options)
        #expect(try ProtoJSON.encode(ProtoJSON.decode(json, as: type, schema: Self.proto), as: type,
                                     schema: Self.proto, options: options) == json)
    }

    /// Binary -> JSON wrote a field without presence whose last value on the wire is the zero value (`08 00`, an
    /// empty packed block), which parsers treat as unset: Python's json_format writes `{}`, and the JSON read back
    /// gave other bytes and, with emitDefaults, another field order.
    @Test func protoJSONWritesZeroValuesOnTheWireAsUnset() throws {
        let type = try Self.proto.requireMessage(named: "Z")
        // i = 0, s = "", r = [] (empty packed block), i = 2^32 (0 as an int32), then d = +0.0.
        let zeros: [UInt8] = [0x08, 0x00, 0x12, 0x00, 0x5A, 0x00, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10,
                              0x19, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(try ProtoJSON.encode(zeros, as: type, schema: Self.proto) == Array("{}".utf8))
        let options = ProtoJSONOptions(emitDefaults: true)
        #expect(
            try ProtoJSON.encode(zeros, as: type, schema: Self.proto, options: options)
                == ProtoJSON.encode([], as: type, schema: Self.proto, options: options))
        // A later non-zero value wins; presence keeps a zero.
        #expect(try ProtoJSON.encode([0x08, 0x00, 0x08, 0x05], as: type, schema: Self.proto) == Array(#"{"i":5}"#.utf8))
        #expect(try ProtoJSON.encode([0x40, 0x00], as: type, schema: Self.proto) == Array(#"{"o":0}"#.utf8))
    }

    static let proto2 = try! ProtoSchema(
        protoFiles: ["c.proto"],
        source: ProtoFileSource(files: [
            "c.proto": """
                syntax = "proto2";
                enum E { A = 1; B = 2; }
                message C { optional E e = 1; repeated E r = 2; repeated E p = 3 [packed = true]; }
                """
        ]))

    /// Binary -> JSON wrote numbers a closed (proto2) enum lacks, which JSON -> binary refuses: parsers keep them as
    /// unknown fields, so a singular field keeps its last known value and lists skip them.
    @Test func protoJSONSkipsNumbersAClosedEnumLacks() throws {
        let type = try Self.proto2.requireMessage(named: "C")
        let bytes: [UInt8] = [0x08, 0x01, 0x08, 0x07, 0x10, 0x07, 0x10, 0x02, 0x1A, 0x02, 0x07, 0x09, 0x1A, 0x02, 0x07, 0x01]
        let json = try ProtoJSON.encode(bytes, as: type, schema: Self.proto2)
        #expect(json == Array(#"{"e":"A","r":["B"],"p":["A"]}"#.utf8))
        #expect(try ProtoJSON.encode([0x08, 0x07, 0x1A, 0x01, 0x09], as: type, schema: Self.proto2) == Array("{}".utf8))
        let binary = try ProtoJSON.decode(json, as: type, schema: Self.proto2)
        #expect(try ProtoJSON.encode(binary, as: type, schema: Self.proto2) == json)
    }

    static let thrift = try! ThriftSchema(
        thriftFiles: ["n.thrift"],
        source: ThriftFileSource(files: [
            "n.thrift": """
                struct Node { 1: i32 count = 5; 2: Node next; 3: optional Node other }
                struct Outer { 1: Inner inner }
                struct Inner { 1: i32 a; 2: Leafy l }
                struct Leafy { 1: string s }
                """
        ]))

    /// Thrift -> JSON with writeDefault/writeOptional filled the zero value it wrote for an absent struct field in
    /// turn: a type holding itself never ended (DEPTH_LIMIT_EXCEEDED on every input).
    @Test func thriftJSONFillsAbsentFieldsOfRecursiveTypesOnce() throws {
        let node = try Self.thrift.requireStruct(named: "Node")
        let options = ThriftJSONOptions(writeDefault: true, writeOptional: true)
        for encoding in ThriftProtocol.allCases {
            #expect(
                try ThriftJSON.encode([0], as: node, schema: Self.thrift, encoding: encoding, options: options)
                    == Array(#"{"count":5,"next":{"count":5},"other":{"count":5}}"#.utf8))
        }
    }

    /// Zero values of other struct types are still filled in turn, so a filled struct reads back to the same JSON
    /// (the first fix filled none: each JSON -> Thrift -> JSON pass added a level).
    @Test func thriftJSONFillsZeroValuesOfOtherTypesCompletely() throws {
        let outer = try Self.thrift.requireStruct(named: "Outer")
        let options = ThriftJSONOptions(writeDefault: true)
        let json = try ThriftJSON.encode([0], as: outer, schema: Self.thrift, options: options)
        #expect(json == Array(#"{"inner":{"a":0,"l":{"s":""}}}"#.utf8))
        let bytes = try ThriftJSON.decode(Array("{}".utf8), as: outer, schema: Self.thrift, options: options)
        #expect(try ThriftJSON.encode(bytes, as: outer, schema: Self.thrift, options: options) == json)
        let again = try ThriftJSON.decode(json, as: outer, schema: Self.thrift, options: options)
        #expect(try ThriftJSON.encode(again, as: outer, schema: Self.thrift, options: options) == json)
    }

    /// The compact protocol writes no types for an empty map, so a converter that does not know the declared types
    /// (an unknown field) writes 0, 0 in the binary protocol, as Apache Thrift does; the binary reader refused them.
    @Test func thriftBinaryReadsEmptyMapsWithoutTypes() throws {
        let compact: [UInt8] = [0x0B | 0x10, 0x00, 0x00]  // field 1: map, empty; STOP
        let binary = try ThriftTranscoder.convert(compact, from: .compact, to: .binary)
        #expect(binary == [0x0D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(try ThriftTranscoder.convert(binary, from: .binary, to: .compact) == compact)
        // Types are still checked when the map has entries.
        let error = #expect(throws: CodecError.self) {
            try ThriftTranscoder.convert([0x0D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00], from: .binary, to: .compact)
        }
        #expect(error?.code == .invalidWireType)
        #expect(error?.offset == 3)
    }
}
