import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Protobuf paths through map values and list elements into messages that hold more lists and maps
/// (`m_string_rich["a"].r_nested[1].deeper.counts["x"]`), against the Python protobuf runtime
/// (`Tests/peers/proto_path_peer.py`): every leaf read by get, get(many:) and `ProtoDOM.node(at:)`; sets, unsets
/// (also through the DOM where it can express them) and masks parsed by Python and compared with the message
/// Python edits the same way.
@Suite struct ProtoNestedPathPeerTests {
    static let script = Repo.root.appendingPathComponent("Tests/peers/proto_path_peer.py").path

    struct Manifest: Decodable {
        struct Get: Decodable {
            var path: String
            var type: String?
            var value: String?
            var bits: String?
        }

        struct Edit: Decodable {
            var op: String
            var path: String
            var type: String?
            var value: String?
            var bits: String?
        }

        struct Mask: Decodable { var paths: [String] }

        var gets: [Get]
        var edits: [Edit]
        var masks: [Mask]
    }

    @Test func nestedPathsAgreeWithPython() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-proto-paths-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let descriptors = directory.appendingPathComponent("rich.pb")
        try Data(Protoc.descriptorSet("test/rich.proto")).write(to: descriptors)
        try runPeer("python3", [Self.script, "generate", "--descriptors", descriptors.path, "--out", directory.path])
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        let schema = Schemas.rich
        let type = try schema.requireMessage(named: "rich.Rich")
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("base.bin")))
        let value = try ProtoValue(bytes: bytes, descriptor: type, schema: schema)
        var dom = ProtoDOM(schema: schema)
        try dom.load(bytes, as: type)

        let paths = try manifest.gets.map { try FieldPath(parsing: $0.path) }
        let many = try value.get(many: paths)
        #expect(manifest.gets.count > 20)
        for (index, get) in manifest.gets.enumerated() {
            let expected = get.type.flatMap { OracleScalar.decode(type: $0, value: get.value, bits: get.bits) }
            #expect(get.type == nil || expected != nil, "\(get.path): bad expectation")
            for (source, found) in [
                ("get", try value.get(paths[index])), ("get-many", many[index]),
                ("dom", try dom.node(at: paths[index]).map { try dom.value(of: $0) }),
            ] {
                switch (found, expected) {
                case (nil, nil): break
                case (.scalar(let scalar)?, let wanted?):
                    #expect(OracleScalar.same(scalar, wanted), "\(source) \(get.path): \(scalar) vs \(wanted)")
                default:
                    Issue.record(
                        "\(source) \(get.path): \(String(describing: found)) vs \(String(describing: expected))")
                }
            }
        }

        for (number, edit) in manifest.edits.enumerated() {
            let path = try FieldPath(parsing: edit.path)
            var edited = value
            var domEdited = dom
            let domNode = try dom.node(at: path)
            if edit.op == "set" {
                let scalar = try #require(
                    OracleScalar.decode(type: edit.type ?? "", value: edit.value, bits: edit.bits))
                try edited.set(path, to: .scalar(scalar))
                if case .scalar(let got)? = try edited.get(path) {
                    #expect(OracleScalar.same(got, scalar), "\(edit.path) reads back \(got)")
                } else {
                    Issue.record("\(edit.path) does not read back")
                }
                if let domNode, dom.nodes[domNode].kind == .scalar { try domEdited.setValue(scalar, at: domNode) }
            } else {
                try edited.unset(path)
                if let domNode {
                    // A [key] names the entry's value node: the entry is its parent.
                    let parent = Int(dom.nodes[domNode].parent)
                    try domEdited.remove(dom.field(of: parent)?.isMap == true ? parent : domNode)
                }
            }
            try Data(edited.bytes).write(to: directory.appendingPathComponent("edit\(number).actual.bin"))
            if domNode != nil {
                try Data(domEdited.marshal()).write(
                    to: directory.appendingPathComponent("edit\(number).actual.bin.dom"))
            }
        }
        for (number, mask) in manifest.masks.enumerated() {
            let masked = try value.masked(try mask.paths.map { try FieldPath(parsing: $0) })
            try Data(masked.bytes).write(to: directory.appendingPathComponent("mask\(number).actual.bin"))
        }
        let checked = try runProcess(
            "python3",
            [
                Self.script, "check", "--descriptors", descriptors.path,
                "--in", directory.path,
            ])
        let output = String(decoding: checked.stdout, as: UTF8.self)
        #expect(checked.status == 0 && output.contains(" 0 mismatches"), "\(output) \(checked.stderr)")
        let compared = Int(output.split(separator: "\n").last?.split(separator: " ").first ?? "") ?? 0
        #expect(compared >= manifest.edits.count + manifest.masks.count, "\(output)")
    }
}
