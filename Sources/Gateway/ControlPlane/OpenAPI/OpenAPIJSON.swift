import DynamicCodec

/// A JSON value built in memory for the documents the control plane writes (OpenAPI). Objects keep the order
/// their members were added in, so a document reads top-down (`openapi`, `info`, `paths`, `components`).
enum OpenAPIJSON: Sendable {
    case object([(String, OpenAPIJSON)])
    case array([OpenAPIJSON])
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case null

    /// `{"$ref": "#/components/schemas/NAME"}`.
    static func reference(_ name: String) -> OpenAPIJSON {
        .object([("$ref", .string("#/components/schemas/" + name))])
    }

    /// The value of `key` when this is an object that has it.
    subscript(key: String) -> OpenAPIJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// The text of a string value.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// This object with `key` set (replaced when present, appended otherwise).
    func setting(_ key: String, _ value: OpenAPIJSON) -> OpenAPIJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// This object with a doc comment from the IDL first in its `description`, before what the mapping says there.
    func documented(_ documentation: String?) -> OpenAPIJSON {
        guard let documentation, !documentation.isEmpty else { return self }
        if case .string(let existing)? = self["description"] {
            return setting("description", .string(documentation + "\n\n" + existing))
        }
        return setting("description", .string(documentation))
    }

    /// Text that begins with a doc comment from the IDL, when there is one.
    static func documented(_ text: String, by documentation: String?) -> String {
        guard let documentation, !documentation.isEmpty else { return text }
        return documentation + "\n\n" + text
    }

    /// UTF-8 JSON text; `indent` > 0 writes one member per line.
    func encoded(indent: Int = 0) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        write(to: &writer, indent: indent, depth: 0)
        if indent > 0 { writer.byte(UInt8(ascii: "\n")) }
        return writer.bytes
    }

    private func write(to writer: inout JSONWriter, indent: Int, depth: Int) {
        func newline(_ level: Int) {
            guard indent > 0 else { return }
            writer.byte(UInt8(ascii: "\n"))
            for _ in 0..<(level * indent) { writer.byte(UInt8(ascii: " ")) }
        }
        switch self {
        case .object(let members):
            writer.beginObject()
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { writer.comma() }
                newline(depth + 1)
                writer.string(key)
                writer.colon()
                if indent > 0 { writer.byte(UInt8(ascii: " ")) }
                value.write(to: &writer, indent: indent, depth: depth + 1)
            }
            if !members.isEmpty { newline(depth) }
            writer.endObject()
        case .array(let items):
            writer.beginArray()
            for (index, item) in items.enumerated() {
                if index > 0 { writer.comma() }
                newline(depth + 1)
                item.write(to: &writer, indent: indent, depth: depth + 1)
            }
            if !items.isEmpty { newline(depth) }
            writer.endArray()
        case .string(let text): writer.string(text)
        case .integer(let value): writer.signed(value)
        case .unsigned(let value): writer.unsigned(value)
        case .bool(let value): writer.bool(value)
        case .null: writer.null()
        }
    }
}
