import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// The Thrift codec against Apache Thrift's Python runtime: random baseline.Nesting2 values encoded by Apache in
/// both protocols; our gets, DOM, transcoding and edits checked against them.
@Suite(.serialized) struct ThriftCodecPeerTests {
    static let schema: ThriftSchema = try! ThriftSchema(
        thriftFiles: ["baseline.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))

    struct Leaf: Decodable {
        var path: String
        var kind: String
        var value: JSONScalar
    }

    enum JSONScalar: Decodable {
        case string(String)
        case bool(Bool)
        case number(Double)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
            if let text = try? container.decode(String.self) { self = .string(text); return }
            self = .number(try container.decode(Double.self))
        }
        var text: String {
            switch self {
            case .string(let text): text
            case .bool(let flag): "\(flag)"
            case .number(let number): "\(number)"
            }
        }
    }

    /// Runs `thrift --gen py` and the peer generator into a temporary directory.
    func generate(count: Int, seed: Int) throws -> (directory: URL, gen: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-thrift-\(UUID().uuidString)")
        let gen = directory.appendingPathComponent("gen").path
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        try runPeer("thrift", ["--gen", "py", "-out", gen, Repo.descriptors + "/baseline.thrift"])
        try runPeer("python3", [Repo.root.appendingPathComponent("Tests/peers/thrift_peer.py").path, "generate",
                                "--gen", gen, "--count", String(count), "--seed", String(seed), "--out", directory.path])
        return (directory, gen)
    }

    func check(_ scalar: ThriftScalar?, _ leaf: Leaf) -> Bool {
        switch (scalar, leaf.kind) {
        case (.bool(let flag)?, "bool"): return "\(flag)" == leaf.value.text
        case (let value?, "int"): return value.integerValue.map(String.init) == leaf.value.text
        case (.double(let number)?, "double"):
            guard case .string(let hex) = leaf.value, let expected = Double(hex) else { return false }
            return expected.bitPattern == number.bitPattern
        case (.binary(let bytes)?, "binary"): return Data(bytes).base64EncodedString() == leaf.value.text
        case (.string(let text)?, "string"): return text == leaf.value.text
        default: return false
        }
    }

    @Test func getsDOMAndTranscodingAgreeWithApacheThrift() throws {
        let (directory, _) = try generate(count: 150, seed: 7)
        defer { try? FileManager.default.removeItem(at: directory) }
        let type = try Self.schema.requireStruct(named: "baseline.Nesting2")
        var checks = 0
        for index in 0..<150 {
            let name = directory.appendingPathComponent(String(format: "m%04d", index)).path
            let binary = [UInt8](try Data(contentsOf: URL(fileURLWithPath: name + ".binary")))
            let compact = [UInt8](try Data(contentsOf: URL(fileURLWithPath: name + ".compact")))
            let leaves = try JSONDecoder().decode([Leaf].self, from: Data(contentsOf: URL(fileURLWithPath: name + ".json")))
            // Transcoding gives exactly Apache's encoding in the other protocol.
            #expect(try ThriftTranscoder.convert(binary, from: .binary, to: .compact) == compact, "\(name)")
            #expect(try ThriftTranscoder.convert(compact, from: .compact, to: .binary, type: type, schema: Self.schema) == binary, "\(name)")
            for (bytes, encoding) in [(binary, ThriftProtocol.binary), (compact, .compact)] {
                let value = try ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: Self.schema)
                try value.validate()
                for leaf in leaves {
                    let got = try value.get(leaf.path)?.scalar
                    #expect(check(got, leaf), "\(encoding) \(leaf.path): \(String(describing: got)) vs \(leaf.value.text)")
                    checks += 1
                }
                var dom = ThriftDOM(schema: Self.schema, encoding: encoding)
                try dom.load(bytes, as: type)
                #expect(dom.marshal() == bytes)
            }
        }
        #expect(checks > 1000)
    }

    @Test func editsAreReadBackByApacheThrift() throws {
        let (directory, gen) = try generate(count: 60, seed: 11)
        defer { try? FileManager.default.removeItem(at: directory) }
        let type = try Self.schema.requireStruct(named: "baseline.Nesting2")
        for index in 0..<60 {
            let name = directory.appendingPathComponent(String(format: "m%04d", index)).path
            var edits: [[String: Any]] = []
            var results: [ThriftProtocol: [UInt8]] = [:]
            for encoding in ThriftProtocol.allCases {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: name + "." + encoding.rawValue)))
                var value = try ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: Self.schema)
                var applied: [[String: Any]] = []
                try value.set("I32", to: .scalar(.i32(Int32(index) - 30)))
                applied.append(["op": "set-i32", "path": "I32", "value": index - 30])
                try value.set("Bool", to: .scalar(.bool(index % 2 == 0)))
                applied.append(["op": "flip-bool", "path": "Bool", "value": index % 2 == 0])
                try value.unset("String")
                applied.append(["op": "unset-string", "path": "String"])
                try value.set("Nesting.String", to: .scalar(.string("edited \(index)")))
                applied.append(["op": "set-new-nesting-string", "path": "Nesting.String", "value": "edited \(index)"])
                let count: Int
                if case .list(let list)? = try value.get("Nesting.ListI32") { count = list.count } else { count = 0 }
                try value.set("Nesting.ListI32[\(count)]", to: .scalar(.i32(-7)))
                applied.append(["op": "append-list-i32", "path": "Nesting.ListI32", "value": -7])
                try value.set("Nesting.MapStringSimple[\"k\(index % 3)\"].i64_field", to: .scalar(.i64(Int64(index) << 40)))
                applied.append(["op": "set-map-simple-i64", "path": "", "key": "k\(index % 3)", "value": index << 40])
                try value.unset("ListNesting[0]")
                applied.append(["op": "unset-first-list-nesting", "path": "ListNesting[0]"])
                try value.validate()
                results[encoding] = value.bytes
                edits = applied
            }
            try Data(JSONSerialization.data(withJSONObject: edits)).write(to: URL(fileURLWithPath: name + ".edits.json"))
            for (encoding, bytes) in results {
                try Data(bytes).write(to: URL(fileURLWithPath: name + ".edited." + encoding.rawValue))
            }
        }
        let output = try runPeer("python3", [Repo.root.appendingPathComponent("Tests/peers/thrift_peer.py").path, "check",
                                             "--gen", gen, "--in", directory.path])
        #expect(String(decoding: output, as: UTF8.self).contains("0 mismatches"))
    }
}
