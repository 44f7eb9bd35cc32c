import ArgumentParser
import DynamicCodec
import Foundation

/// A walk through the codec on the example descriptors: build a message, read, edit, trim — all on bytes.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Show in-place get/set/unset/trim on the example baseline descriptors.")

    @Option(help: "The Descriptors directory of the repository.")
    var descriptors = "Descriptors"

    func run() throws {
        try reportingErrors {
            guard let data = FileManager.default.contents(atPath: descriptors + "/baseline.pb") else {
                throw ValidationError("cannot read \(descriptors)/baseline.pb; run from the repository root")
            }
            let schema = try ProtoSchema(descriptorSet: [UInt8](data))
            let renderer = ValueRenderer(schema: schema)
            var message = try ProtoValue(bytes: [], descriptor: try schema.requireMessage(named: "baseline.Nesting"),
                                         schema: schema)
            let steps: [(String, ProtoFieldValue)] = [
                ("string", .scalar(.string("你好, world"))),
                ("list_i32", .list([.scalar(.int32(.min)), .scalar(.int32(7))])),
                ("map_string_simple[\"15\"].binary_field", .scalar(.bytes(Array(0..<16)))),
                ("map_string_simple[\"15\"].i64_field", .scalar(.int64(.max))),
                ("list_simple[0].string_field", .scalar(.string("first"))),
                ("list_simple[1].double_field", .scalar(.double(2.5))),
            ]
            for (path, value) in steps {
                try message.set(path, to: value)
                print("set \(path) -> message is \(message.bytes.count) bytes")
            }
            for path in ["map_string_simple[\"15\"]", "list_i32[1]", "list_simple"] {
                let target = try schema.resolve(try FieldPath(parsing: path), in: message.descriptor)
                print("get \(path) = " + (try message.get(path).map { try renderer.render($0, field: target.valueField) } ?? "null"))
            }
            try message.unset("list_simple[0]")
            print("unset list_simple[0] -> \(message.bytes.count) bytes; list_simple = "
                  + (try message.get("list_simple").map { try renderer.render($0, field: nil) } ?? "null"))
            let partial = try message.trimmed(to: try schema.requireMessage(named: "baseline.PartialNesting"))
            print("trim to baseline.PartialNesting -> \(partial.bytes.count) bytes: " + (try renderer.render(partial)))
            let masked = try message.masked([try FieldPath(parsing: "map_string_simple.i64_field")])
            print("mask map_string_simple.i64_field -> \(masked.bytes.count) bytes: " + (try renderer.render(masked)))
            var dom = ProtoDOM(schema: schema)
            try dom.load(message.bytes, as: message.descriptor)
            print("DOM: \(dom.nodes.count) nodes; marshal round trip identical: \(dom.marshal() == message.bytes)")
        }
    }
}
