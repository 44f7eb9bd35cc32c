import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Thrift <-> JSON against Apache Thrift's Python runtime (`Tests/peers/thrift_json_peer.py`): random values encoded
/// by Apache in both protocols -> our JSON -> our binary and compact, which must be Apache's bytes again and which
/// Apache decodes to an equal value; our JSON is also compared with the peer's own rendering of the conventions, and
/// the peer's JSON converted by us must decode to the same value.
@Suite(.serialized) struct ThriftJSONPeerTests {
    /// Conventions the shipped IDLs do not exercise: go.tag names, js_conv on i16/double/containers, bool, byte,
    /// double and binary map keys, enum keys, nested containers, unions in lists, an aliased union field.
    static let peerIDL = """
        namespace py jsonpeer

        enum Color { RED = 1, GREEN = 2, BLUE = 7 }

        struct Leaf {
          1: required string name (go.tag = 'json:"leaf_name,omitempty"')
          2: optional i16 small (api.js_conv = "1")
          3: double ratio (api.js_conv = "true")
          4: list<i64> ids (api.js_conv = "true")
          5: map<string, i32> counts (api.js_conv = "true")
          6: Color color
          7: bool flag
        }

        union Choice {
          1: Leaf leaf
          2: i64 number
          3: binary blob
          4: list<string> words
        }

        struct Keys {
          1: map<bool, string> by_bool
          2: map<i8, i16> by_byte
          3: map<i16, string> by_short
          4: map<double, string> by_double
          5: map<binary, i32> by_binary
          6: map<Color, list<Leaf>> by_color
          7: set<i64> ids
          8: set<binary> blobs
          9: list<map<string, set<i32>>> nested
          10: list<Choice> choices
          11: optional Choice choice (api.key = "pick")
          12: list<list<double>> grid
          13: map<i64, map<i32, bool>> deep (go.tag = "json:\\"deep_map\\" thrift:\\"deep,13\\"")
          14: list<bool> flags
        }

        exception Failure {
          1: i32 code
          2: string message
          3: optional Keys detail
        }
        """

    struct Workspace {
        var directory: URL
        var gen: String
        var idl: String
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    }

    /// Runs `thrift --gen py` and `thrift --gen json` for `file` (and its includes) into a temporary directory.
    func workspace(_ file: String, in sourceDirectory: String) throws -> Workspace {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-tjson-\(UUID().uuidString)")
        let workspace = Workspace(
            directory: directory, gen: directory.appendingPathComponent("gen").path,
            idl: directory.appendingPathComponent("idl").path)
        try FileManager.default.createDirectory(atPath: workspace.gen, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workspace.idl, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workspace.path("values"), withIntermediateDirectories: true)
        let source = sourceDirectory + "/" + file
        do {
            try runPeer("thrift", ["-r", "--gen", "py", "-I", sourceDirectory, "-out", workspace.gen, source])
            try runPeer("thrift", ["-r", "--gen", "json", "-I", sourceDirectory, "-o", workspace.idl, source])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return Workspace(directory: directory, gen: workspace.gen, idl: workspace.idl + "/gen-json")
    }

    func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
    func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// Generates `count` values of `types` with the peer, converts each through JSON both ways, and has the peer
    /// check everything. Returns the number of values converted.
    @discardableResult
    func roundTrip(_ workspace: Workspace, schema: ThriftSchema, types: [String], count: Int, seed: Int) throws -> Int {
        let values = workspace.path("values")
        let peer = Repo.root.appendingPathComponent("Tests/peers/thrift_json_peer.py").path
        try runPeer(
            "python3",
            [
                peer, "generate", "--gen", workspace.gen, "--idl", workspace.idl,
                "--types", types.joined(separator: ","), "--count", String(count),
                "--seed", String(seed), "--out", values,
            ])
        let int64 = ThriftJSONOptions(int64AsString: true)
        for index in 0..<count {
            let name = values + String(format: "/v%04d", index)
            let typeName = String(decoding: try read(name + ".type"), as: UTF8.self)
            let type = try schema.requireStruct(named: typeName)
            let binary = try read(name + ".binary")
            let compact = try read(name + ".compact")

            // Thrift -> JSON: the same JSON from either protocol, and through ThriftValue.
            let json = try ThriftJSON.encode(binary, as: type, schema: schema, encoding: .binary)
            #expect(try ThriftJSON.encode(compact, as: type, schema: schema, encoding: .compact) == json, "\(name)")
            let value = try ThriftValue(bytes: compact, encoding: .compact, descriptor: type, schema: schema)
            #expect(try value.json() == json, "\(name)")
            let json64 = try ThriftJSON.encode(binary, as: type, schema: schema, encoding: .binary, options: int64)
            try write(json, name + ".ours.json")
            try write(json64, name + ".ours-int64.json")

            // JSON -> Thrift: our JSON gives Apache's exact bytes back in both protocols.
            let backBinary = try ThriftJSON.decode(json, as: type, schema: schema, encoding: .binary)
            let backCompact = try ThriftJSON.decode(json, as: type, schema: schema, encoding: .compact)
            #expect(backBinary == binary, "\(name) binary")
            #expect(backCompact == compact, "\(name) compact")
            try write(backBinary, name + ".back-ours.binary")
            try write(backCompact, name + ".back-ours.compact")
            let back64 = try ThriftJSON.decode(json64, as: type, schema: schema, encoding: .compact, options: int64)
            try write(back64, name + ".back-int64.compact")
            let names = ThriftJSONOptions(enumsAsNames: true)
            let namedJSON = try ThriftJSON.encode(binary, as: type, schema: schema, encoding: .binary, options: names)
            try write(
                try ThriftJSON.decode(namedJSON, as: type, schema: schema, encoding: .binary),
                name + ".back-names.binary")

            // The peer's own JSON converted by us.
            let expected = try read(name + ".expected.json")
            try write(
                try ThriftJSON.decode(expected, as: type, schema: schema, encoding: .binary),
                name + ".back-peer.binary")
            try write(
                try ThriftJSON.decode(expected, as: type, schema: schema, encoding: .compact),
                name + ".back-peer.compact")
            let expected64 = try read(name + ".expected-int64.json")
            try write(
                try ThriftJSON.decode(expected64, as: type, schema: schema, encoding: .binary, options: int64),
                name + ".back-peer-int64.binary")
        }
        let output = try runPeer(
            "python3",
            [
                peer, "check", "--gen", workspace.gen, "--idl", workspace.idl,
                "--in", values,
            ])
        let report = String(decoding: output, as: UTF8.self)
        #expect(report.contains(" 0 mismatches"), "\(report.suffix(4000))")
        #expect(report.contains("checked \(count * 9),"), "\(report.suffix(200))")
        return count
    }

    @Test func baselineNesting2() throws {
        let workspace = try workspace("baseline.thrift", in: Repo.descriptors)
        defer { try? FileManager.default.removeItem(at: workspace.directory) }
        let schema = try ThriftSchema(
            thriftFiles: ["baseline.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))
        try roundTrip(
            workspace, schema: schema, types: ["baseline.Nesting2", "baseline.Nesting", "baseline.Simple"],
            count: 120, seed: 3)
    }

    @Test func bookstore() throws {
        let workspace = try workspace("bookstore.thrift", in: Repo.descriptors)
        defer { try? FileManager.default.removeItem(at: workspace.directory) }
        let schema = try ThriftSchema(
            thriftFiles: ["bookstore.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))
        let types = [
            "bookstore.Book", "bookstore.Shelf", "bookstore.ExportReply", "bookstore.Review",
            "bookstore.ListBooksRequest",
            "bookstore.BookReply", "bookstore.CreateBookRequest", "bookstore.ReviewForm",
            "bookstore.UploadCoverRequest",
            "bookstore.ListBooksResponse", "bookstore_common.Stock", "bookstore_common.BookNotFound",
            "bookstore_common.InvalidRequest", "bookstore_common.Availability",
        ]
        try roundTrip(workspace, schema: schema, types: types, count: 280, seed: 5)
    }

    @Test func keysUnionsAndAliases() throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-tjson-idl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: source) }
        try Data(Self.peerIDL.utf8).write(to: source.appendingPathComponent("jsonpeer.thrift"))
        let workspace = try workspace("jsonpeer.thrift", in: source.path)
        defer { try? FileManager.default.removeItem(at: workspace.directory) }
        let schema = try ThriftSchema(
            thriftFiles: ["jsonpeer.thrift"], source: ThriftFileSource(directories: [source.path]))
        try roundTrip(
            workspace, schema: schema,
            types: ["jsonpeer.Keys", "jsonpeer.Leaf", "jsonpeer.Choice", "jsonpeer.Failure"], count: 200, seed: 9)
    }
}
