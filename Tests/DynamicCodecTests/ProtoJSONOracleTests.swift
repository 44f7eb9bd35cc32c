import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Random messages converted by Python's `json_format` (`Tests/peers/proto_json_oracle.py`) as the oracle for the
/// proto3 JSON mapping, both ways and under every option:
/// - our binary -> JSON equals Python's value by value (`encode-<options>`);
/// - every JSON text Python writes (and legal variants of it) decodes to a binary Python reads back as the original
///   message (`decode-<variant>`);
/// - our own JSON decodes back to the original message (`roundtrip-<options>`).
@Suite struct ProtoJSONOracleTests {
    static let script = Repo.root.appendingPathComponent("Tests/peers/proto_json_oracle.py").path

    /// rich.proto and wkt.proto in one descriptor set, so an Any can hold any of their messages.
    static let descriptorSet: [UInt8] = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("portico-json-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: out) }
        try! runPeer(
            "protoc",
            [
                "--include_imports", "-o", out.path, "-I", Repo.descriptors, "test/rich.proto",
                "test/wkt.proto",
            ])
        return [UInt8](try! Data(contentsOf: out))
    }()
    static let schema: ProtoSchema = try! ProtoSchema(descriptorSet: descriptorSet)

    static let options: [(String, ProtoJSONOptions)] = [
        ("default", ProtoJSONOptions()),
        ("emitDefaults", ProtoJSONOptions(emitDefaults: true)),
        ("protoNames", ProtoJSONOptions(useProtoNames: true)),
        ("enumsAsInts", ProtoJSONOptions(enumsAsInts: true)),
    ]

    @Test func richMessagesMatchPython() throws {
        try Self.run(type: "rich.Rich", count: 1000, seed: 20_260_201)
    }

    @Test func wellKnownTypesMatchPython() throws {
        try Self.run(type: "wkt.Everything", count: 1000, seed: 20_260_202)
    }

    /// Has Python generate `count` messages, converts them every way, and has Python check the results.
    static func run(type: String, count: Int, seed: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-json-oracle-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let descriptors = directory.appendingPathComponent("all.pb")
        try Data(descriptorSet).write(to: descriptors)
        let generate = ["generate", "--type", type, "--count", "\(count)", "--seed", "\(seed)"]
        try runPeer("python3", [script] + generate + ["--descriptors", descriptors.path, "--out", directory.path])
        let manifest = try JSONDecoder().decode(
            JSONOracleManifest.self, from: Data(contentsOf: directory.appendingPathComponent("cases.json")))
        #expect(manifest.cases.count == count)

        var report = OracleReport(
            reproduce: "python3 Tests/peers/proto_json_oracle.py \(generate.joined(separator: " ")) --descriptors SET "
                + "--out DIR (SET: protoc --include_imports -o SET -I Descriptors test/rich.proto test/wkt.proto)")
        var results: [JSONOracleResult] = []
        for oracleCase in manifest.cases {
            report.messages += 1
            results.append(convert(oracleCase, &report))
        }
        try JSONEncoder().encode(JSONOracleResults(cases: results))
            .write(to: directory.appendingPathComponent("results.json"))
        let output = try runPeer(
            "python3", [script, "check", "--descriptors", descriptors.path, "--in", directory.path])
        let checked = try JSONDecoder().decode(JSONOracleReport.self, from: Data(output))
        report.checks += checked.checks
        for failure in checked.failures {
            report.fail(failure.kind, "\(failure.case): \(failure.detail)")
        }
        report.finish(type: type)
    }

    /// Every conversion of one message; failures to convert go to `report`, results to Python.
    static func convert(_ oracleCase: JSONOracleCase, _ report: inout OracleReport) -> JSONOracleResult {
        var result = JSONOracleResult(name: oracleCase.name)
        let value: ProtoValue
        do {
            let descriptor = try schema.requireMessage(named: oracleCase.type)
            value = try ProtoValue(
                bytes: [UInt8](Data(base64Encoded: oracleCase.binary)!), descriptor: descriptor,
                schema: schema)
            for (name, text) in oracleCase.inputs.sorted(by: { $0.key < $1.key }) {
                report.checks += 1
                do {
                    let bytes = try ProtoJSON.decode(Array(text.utf8), as: descriptor, schema: schema)
                    result.decoded[name] = Data(bytes).base64EncodedString()
                } catch {
                    report.fail("decode-\(name)", "\(oracleCase.name): \(error)\n  input: \(text.prefix(3000))")
                }
            }
            for (name, options) in Self.options {
                report.checks += 1
                let json: [UInt8]
                do {
                    json = try value.json(options: options)
                } catch {
                    report.fail("encode-\(name)", "\(oracleCase.name): threw \(error)")
                    continue
                }
                guard let text = String(validating: json, as: UTF8.self) else {
                    report.fail("encode-\(name)", "\(oracleCase.name): output is not UTF-8")
                    continue
                }
                result.json[name] = text
                report.checks += 1
                do {
                    let bytes = try ProtoJSON.decode(json, as: descriptor, schema: schema)
                    result.roundtrip[name] = Data(bytes).base64EncodedString()
                } catch {
                    report.fail("roundtrip-\(name)", "\(oracleCase.name): \(error)\n  ours: \(text.prefix(3000))")
                }
            }
        } catch {
            report.fail("load", "\(oracleCase.name): \(error)")
        }
        return result
    }
}

/// `cases.json` of `proto_json_oracle.py generate`.
struct JSONOracleManifest: Decodable {
    var cases: [JSONOracleCase]
}

struct JSONOracleCase: Decodable {
    var name: String
    var type: String
    /// The encoded message, base64.
    var binary: String
    /// JSON texts to decode, by variant (Python's output under each option set and legal rewrites of it).
    var inputs: [String: String]
}

/// `results.json` for `proto_json_oracle.py check`.
struct JSONOracleResults: Encodable {
    var cases: [JSONOracleResult]
}

struct JSONOracleResult: Encodable {
    var name: String
    /// Our JSON of the message, by option set.
    var json: [String: String] = [:]
    /// Base64 binary decoded from each input variant.
    var decoded: [String: String] = [:]
    /// Base64 binary decoded from our own JSON, by option set.
    var roundtrip: [String: String] = [:]
}

struct JSONOracleReport: Decodable {
    struct Failure: Decodable {
        var kind: String
        var `case`: String
        var detail: String
    }

    var checks: Int
    var failures: [Failure]
}

/// Failures of the JSON oracle runs, reduced to a few bytes each; the expected JSON is what Python writes.
extension ProtoJSONOracleTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// Our JSON of a binary message of `type`.
    static func json(_ hex: String, _ type: String) throws -> String {
        let value = try ProtoValue(bytes: bytes(hex), descriptor: schema.requireMessage(named: type), schema: schema)
        return String(decoding: try value.json(), as: UTF8.self)
    }

    /// JSON -> binary -> JSON with our converters.
    static func reencoded(_ json: String, _ type: String) throws -> String {
        let descriptor = try schema.requireMessage(named: type)
        let binary = try ProtoJSON.decode(Array(json.utf8), as: descriptor, schema: schema)
        return String(decoding: try ProtoJSON.encode(binary, as: descriptor, schema: schema), as: UTF8.self)
    }

    /// The largest float prints as 3.4028235e+38 (shortest form, Python writes the same), which is above
    /// Float.greatestFiniteMagnitude as a double but rounds to it: it must read back.
    @Test func largestFloatReadsBack() throws {
        #expect(try Self.json("15ffff7f7f", "rich.Rich") == #"{"fFloat":3.4028235e+38}"#)
        let decoded = try ProtoJSON.decode(
            Array(#"{"fFloat":3.4028235e+38}"#.utf8),
            as: Self.schema.requireMessage(named: "rich.Rich"), schema: Self.schema)
        #expect(decoded == Self.bytes("15ffff7f7f"))
    }

    /// null is an element of a list of Value or NullValue and a value of a map of NullValue (Python writes all three).
    @Test func nullElementsOfValueAndNullValueContainers() throws {
        for json in [#"{"rValue":[null,1]}"#, #"{"rNullValue":[null,null]}"#, #"{"mNullValue":{"k":null}}"#] {
            #expect(try Self.reencoded(json, "wkt.Everything") == json)
        }
    }

    /// An Any holding an Any holding a well-known type, with a space before the inner object.
    @Test func anyInAnyWithWhitespace() throws {
        let json =
            #"{"any":{"@type":"type.googleapis.com/google.protobuf.Any","value": "#
            + #"{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}}}"#
        #expect(try Self.reencoded(json, "wkt.Everything") == json.replacingOccurrences(of: ": ", with: ":"))
    }

    /// Empty has no special JSON form: inside an Any it is an object with "@type" only (Python, swift-protobuf).
    @Test func anyOfEmptyHasNoValueKey() throws {
        let json = #"{"any":{"@type":"type.googleapis.com/google.protobuf.Empty"}}"#
        #expect(
            try Self.json(
                "92012b0a29747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e456d707479",
                "wkt.Everything") == json)
        #expect(try Self.reencoded(json, "wkt.Everything") == json)
    }

    /// o_int32: 1 then o_string: "x" on the wire: only the last member of the oneof is set.
    @Test func onlyTheLastOneofMemberIsWritten() throws {
        #expect(try Self.json("d80501e2050178", "rich.Rich") == #"{"oString":"x"}"#)
    }

    /// Two map entries with key 1: the later one replaces the earlier.
    @Test func aRepeatedMapKeyIsWrittenOnce() throws {
        #expect(try Self.json("ea030408011002ea030408011003", "rich.Rich") == #"{"mInt32Int32":{"1":3}}"#)
    }

    /// A map entry whose message value comes in two occurrences: they merge.
    @Test func mapValueOccurrencesMerge() throws {
        #expect(
            try Self.json("ca040c0a016b120208011203120178", "rich.Rich")
                == #"{"mStringNested":{"k":{"a":1,"b":"x"}}}"#)
    }

    /// A Value whose struct_value comes in two occurrences: they merge (the oneof member is the same).
    @Test func valueKindOccurrencesMerge() throws {
        #expect(
            try Self.json("6a162a090a070a0161120208002a090a070a016212022001", "wkt.Everything")
                == #"{"value":{"a":null,"b":true}}"#)
    }
}
