import Synchronization

/// How the fields of one struct are named in JSON.
package struct ThriftJSONStructKeys: Sendable {
    /// The JSON key of each field, by position: `api.key`, else the name in a `go.tag` json tag, else the field name.
    package let keys: [String]
    /// `"key":` of each field, escaped and ready to append.
    package let quotedKeys: [[UInt8]]
    /// Each JSON key as a field path step (brackets and quotes around keys that are not simple names).
    package let pathSteps: [String]
    /// Whether each field carries `api.js_conv` (integers, doubles and their containers travel as strings).
    package let jsConv: [Bool]
    /// JSON key or field name -> field position. JSON keys win when a key equals another field's name.
    private let positions: [String: Int]

    package init(_ type: ThriftStructDescriptor) {
        keys = type.fields.map(Self.jsonKey)
        quotedKeys = keys.map { key in
            var writer = JSONWriter(capacity: key.utf8.count + 3)
            writer.string(key)
            writer.colon()
            return writer.bytes
        }
        pathSteps = keys.map(Self.pathStep)
        jsConv = type.fields.map { !($0.annotations["api.js_conv"] ?? "").isEmpty }
        var positions: [String: Int] = [:]
        for (position, field) in type.fields.enumerated() { positions[field.name] = position }
        for (position, key) in keys.enumerated() { positions[key] = position }
        self.positions = positions
    }

    @inline(__always)
    package func position(of key: UnsafeRawBufferPointer) -> Int? {
        positions[String(decoding: key, as: UTF8.self)]
    }

    /// A key as a path step: plain when it is a simple name, quoted in brackets otherwise.
    package static func pathStep(_ key: String) -> String {
        let simple =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "_") || (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- 0x30 < 10
            }
        if simple { return key }
        var writer = JSONWriter(capacity: key.utf8.count + 4)
        writer.byte(UInt8(ascii: "["))
        writer.string(key)
        writer.byte(UInt8(ascii: "]"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    package static func jsonKey(_ field: ThriftFieldDescriptor) -> String {
        if let alias = field.annotations["api.key"], !alias.isEmpty { return alias }
        if let tag = field.annotations["go.tag"], let name = goJSONName(tag) { return name }
        return field.name
    }

    /// The name in a Go struct tag's `json:"name,omitempty"` part; nil when absent, empty or `-`.
    package static func goJSONName(_ tag: String) -> String? {
        let bytes = Array(tag.utf8)
        let marker = Array("json:\"".utf8)
        var index = 0
        while index + marker.count <= bytes.count {
            if (index == 0 || bytes[index - 1] == UInt8(ascii: " "))
                && Array(bytes[index..<index + marker.count]) == marker
            {
                let start = index + marker.count
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") && bytes[end] != UInt8(ascii: ",") {
                    end += 1
                }
                let name = String(decoding: bytes[start..<end], as: UTF8.self)
                return name.isEmpty || name == "-" ? nil : name
            }
            index += 1
        }
        return nil
    }
}

/// The JSON keys of every struct of a schema, built once per schema and shared by all conversions.
package final class ThriftJSONKeyTable: Sendable {
    package let structs: [ThriftJSONStructKeys]

    package init(_ schema: ThriftSchema) {
        structs = schema.structs.map(ThriftJSONStructKeys.init)
    }

    private struct Entry: Sendable {
        weak var schema: ThriftSchema?
        let table: ThriftJSONKeyTable
    }

    /// Tables by schema identity; the weak reference tells a live schema from a new one at a reused address.
    private static let cache = Mutex<[ObjectIdentifier: Entry]>([:])

    package static func of(_ schema: ThriftSchema) -> ThriftJSONKeyTable {
        let id = ObjectIdentifier(schema)
        let cached = cache.withLock { entries -> ThriftJSONKeyTable? in
            guard let entry = entries[id], entry.schema === schema else { return nil }
            return entry.table
        }
        if let cached { return cached }
        let table = ThriftJSONKeyTable(schema)
        cache.withLock { entries in
            entries = entries.filter { $0.value.schema != nil }
            entries[id] = Entry(schema: schema, table: table)
        }
        return table
    }
}
