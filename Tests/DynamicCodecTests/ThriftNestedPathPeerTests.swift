import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Paths into nested Thrift containers (`list<list<i32>>`, `map<i64, list<string>>`,
/// `list<map<string, list<Leaf>>>`, sets inside lists and maps, ...) against Apache Thrift's Python runtime:
/// random `nested.Deep` values written by Apache in both protocols; every path read by get, get(many:) and the
/// DOM compared with the Python object; sets, unsets, edit chains and masks decoded by Apache and compared with
/// the Python object edited the same way (`Tests/peers/thrift_nested_peer.py`).
@Suite(.serialized) struct ThriftNestedPathPeerTests {
    static let script = Repo.root.appendingPathComponent("Tests/peers/thrift_nested_peer.py").path
    static let schema: ThriftSchema = try! ThriftSchema(
        thriftFiles: ["test/nested.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))

    @Test func nestedContainersAgreeWithApacheThrift() throws {
        try run(count: 40, seed: 20_260_201)
    }

    /// Long inner lists (14, 15, 127, 128 elements) in every third sample: appends and removals cross the sizes
    /// where a compact list header or a count varint changes length.
    @Test func countBoundariesAgreeWithApacheThrift() throws {
        try run(count: 24, seed: 20_260_202, edits: 6, masks: 2)
    }

    func run(count: Int, seed: Int, edits: Int = 12, masks: Int = 4) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-nested-\(UUID())")
        let gen = directory.appendingPathComponent("gen").path
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try runPeer("thrift", ["--gen", "py", "-out", gen, Repo.descriptors + "/test/nested.thrift"])
        let arguments = ["--count", "\(count)", "--seed", "\(seed)", "--edits", "\(edits)", "--masks", "\(masks)"]
        try runPeer("python3", [Self.script, "generate", "--gen", gen, "--out", directory.path] + arguments)
        var report = OracleReport(
            reproduce: "python3 Tests/peers/thrift_nested_peer.py generate \(arguments.joined(separator: " "))")
        let type = try Self.schema.requireStruct(named: "nested.Deep")
        for sample in 0..<count {
            let name = directory.appendingPathComponent(String(format: "n%04d", sample)).path
            let manifest = try JSONDecoder().decode(
                ThriftNestedManifest.self, from: Data(contentsOf: URL(fileURLWithPath: name + ".json")))
            report.messages += 1
            for encoding in ThriftProtocol.allCases {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: name + "." + encoding.rawValue)))
                let value = try ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: Self.schema)
                let context = "\(name.suffix(5)) \(encoding)"
                checkGets(value, manifest.gets, context, &report)
                try checkDOM(bytes, encoding, type, manifest.gets, context, &report)
                for (index, edit) in manifest.edits.enumerated() {
                    report.edits += 1
                    let output = "\(name).edit\(index).actual.\(encoding.rawValue)"
                    try apply([edit], to: value, output: output, context, &report)
                    try applyToDOM(edit, bytes, encoding, type, output: output + ".dom", context, &report)
                }
                try apply(
                    manifest.chain, to: value, output: "\(name).chain.actual.\(encoding.rawValue)", context,
                    &report)
                for (index, mask) in manifest.masks.enumerated() {
                    do {
                        let masked = try value.masked(try mask.paths.map { try FieldPath(parsing: $0) })
                        try masked.validate()
                        try Data(masked.bytes).write(
                            to: URL(fileURLWithPath: "\(name).mask\(index).actual.\(encoding.rawValue)"))
                    } catch {
                        report.fail("mask", "\(context) \(mask.paths): \(error)")
                    }
                }
            }
        }
        let checked = try runProcess("python3", [Self.script, "check", "--gen", gen, "--in", directory.path])
        let output = String(decoding: checked.stdout, as: UTF8.self)
        print("thrift nested peer: \(output.split(separator: "\n").last ?? "")")
        if checked.status != 0 || !output.contains(" 0 mismatches") {
            report.fail("apache", "check failed (\(checked.status)): \(checked.stderr)")
            for line in output.split(separator: "\n").prefix(30) { report.fail("apache", String(line)) }
        }
        #expect(report.checks > count * 50)
        report.finish(type: "nested.Deep")
    }

    /// Every path Python listed, one get at a time and all together.
    func checkGets(
        _ value: ThriftValue, _ gets: [ThriftNestedManifest.Get], _ context: String,
        _ report: inout OracleReport
    ) {
        var paths: [FieldPath] = []
        for get in gets {
            report.checks += 1
            do {
                let path = try FieldPath(parsing: get.path)
                paths.append(path)
                let got = try ThriftCanonical.text(try value.get(path))
                if got != get.value {
                    report.fail("get", "\(context) \(get.path): \(got ?? "nil") vs \(get.value ?? "nil")")
                }
            } catch {
                report.fail("get", "\(context) \(get.path): \(error)")
                return
            }
        }
        do {
            let many = try value.get(many: paths)
            for (index, got) in many.enumerated() where try ThriftCanonical.text(got) != gets[index].value {
                report.fail("get-many", "\(context) \(gets[index].path)")
            }
        } catch {
            report.fail("get-many", "\(context): \(error)")
        }
    }

    /// The DOM reaches the same nodes by path and gives the bytes back unchanged.
    func checkDOM(
        _ bytes: [UInt8], _ encoding: ThriftProtocol, _ type: ThriftStructDescriptor,
        _ gets: [ThriftNestedManifest.Get], _ context: String, _ report: inout OracleReport
    ) throws {
        var dom = ThriftDOM(schema: Self.schema, encoding: encoding)
        try dom.load(bytes, as: type)
        if dom.marshal() != bytes { report.fail("dom", "\(context): load and marshal changed the bytes") }
        for get in gets {
            do {
                let node = try dom.node(at: try FieldPath(parsing: get.path))
                let got = try ThriftCanonical.text(try node.map { try dom.value(of: $0) })
                if got != get.value {
                    report.fail("dom-path", "\(context) \(get.path): \(got ?? "nil") vs \(get.value ?? "nil")")
                }
            } catch {
                report.fail("dom-path", "\(context) \(get.path): \(error)")
            }
        }
    }

    /// Applies `edits` in order to a copy of `value` and writes the result for the Python check.
    func apply(
        _ edits: [ThriftNestedManifest.Edit], to value: ThriftValue, output: String, _ context: String,
        _ report: inout OracleReport
    ) throws {
        var edited = value
        for edit in edits {
            do {
                let path = try FieldPath(parsing: edit.path)
                if edit.op == "unset" {
                    try edited.unset(path)
                } else {
                    let type = try Self.schema.type(at: path, in: value.descriptor)
                    let newValue = try edit.value!.fieldValue(type, schema: Self.schema, encoding: value.encoding)
                    try edited.set(path, to: newValue)
                    // The value just written reads back.
                    let expected = try ThriftCanonical.text(newValue)
                    let got = try ThriftCanonical.text(try edited.get(path))
                    if got != expected {
                        report.fail("read-back", "\(context) \(edit.path): \(got ?? "nil") vs \(expected ?? "nil")")
                    }
                }
                try edited.validate()
            } catch {
                report.fail(edit.op, "\(context) \(edit.op) \(edit.path): \(error)")
                return
            }
        }
        try Data(edited.bytes).write(to: URL(fileURLWithPath: output))
    }

    /// The same edit through the DOM when the DOM can express it: a new scalar value, a removal, an appended
    /// element or a new map entry.
    func applyToDOM(
        _ edit: ThriftNestedManifest.Edit, _ bytes: [UInt8], _ encoding: ThriftProtocol,
        _ type: ThriftStructDescriptor, output: String, _ context: String, _ report: inout OracleReport
    )
        throws
    {
        var dom = ThriftDOM(schema: Self.schema, encoding: encoding)
        try dom.load(bytes, as: type)
        do {
            let path = try FieldPath(parsing: edit.path)
            let node = try dom.node(at: path)
            if edit.op == "unset" {
                if let node { try dom.remove(node) }
            } else {
                let valueType = try Self.schema.type(at: path, in: type)
                let newValue = try edit.value!.fieldValue(valueType, schema: Self.schema, encoding: encoding)
                if let node {
                    guard dom.nodes[node].kind == .scalar, case .scalar(let scalar) = newValue else { return }
                    try dom.setValue(scalar, at: node)
                } else {
                    guard let last = path.steps.last, last.isSubscript,
                        let parent = try dom.node(at: FieldPath(Array(path.steps.dropLast())))
                    else { return }
                    switch dom.nodes[parent].kind {
                    case .list, .set:
                        guard case .integer(let index) = last, index == dom.children(of: parent).count else { return }
                        try dom.append(newValue, toContainer: parent)
                    case .map:
                        guard case .map(let keyType, _)? = dom.type(of: parent) else { return }
                        try dom.append(newValue, key: try mapKey(last, keyType), toContainer: parent)
                    default:
                        return
                    }
                }
            }
        } catch {
            report.fail("dom-edit", "\(context) \(edit.op) \(edit.path): \(error)")
            return
        }
        try Data(dom.marshal()).write(to: URL(fileURLWithPath: output))
    }

    func mapKey(_ step: FieldPath.Step, _ type: ThriftType) throws -> ThriftFieldValue {
        switch (step, type) {
        case (.string(let key), .string): return .scalar(.string(key))
        case (.string(let key), _): return .scalar(.i64(try #require(Int64(key))))
        case (.integer(let key), _): return .scalar(.i64(key))
        default: throw CodecError(.pathMismatch, "no key for \(step)")
        }
    }
}
