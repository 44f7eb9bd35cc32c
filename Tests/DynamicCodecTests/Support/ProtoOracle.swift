import Foundation

@testable import DynamicCodec

/// The manifest written by `Tests/peers/proto_oracle.py generate`: random messages built by the Python protobuf
/// runtime, what each of their paths holds, and edits with the message Python expects after each one.
struct OracleManifest: Decodable {
    var cases: [OracleCase]
}

struct OracleCase: Decodable {
    var name: String
    /// Full name of the message type.
    var type: String
    /// The encoded message, relative to the manifest's directory.
    var file: String
    var expectations: [OracleExpectation]
    var edits: [OracleEdit]
}

/// What one path of a message holds, as seen by Python.
struct OracleExpectation: Decodable {
    enum Kind: String, Decodable {
        case scalar, message, list, map, absent
    }

    var path: String
    var kind: Kind
    /// The `.proto` type name of a scalar (`sint32`, `enum`, ...).
    var type: String?
    var value: String?
    /// IEEE bit pattern in hex for floats and doubles.
    var bits: String?
    /// Number of elements or entries for a list or map.
    var count: Int?

    var scalar: ProtoScalar? { type.flatMap { OracleScalar.decode(type: $0, value: value, bits: bits) } }
}

/// One edit and the files holding the message after it: Python's expectation and the result Portico writes.
struct OracleEdit: Decodable {
    var op: String
    var path: String
    /// Kind of edit, for reports (`append`, `create-path`, `unset-map-key`, ...).
    var category: String
    var type: String?
    var value: String?
    var bits: String?
    var expected: String
    var actual: String

    var scalar: ProtoScalar? { type.flatMap { OracleScalar.decode(type: $0, value: value, bits: bits) } }
}

enum OracleScalar {
    /// The scalar a field of `.proto` type `type` reads as, from the manifest's text form.
    static func decode(type: String, value: String?, bits: String?) -> ProtoScalar? {
        guard let value else { return nil }
        switch type {
        case "int32", "sint32", "sfixed32": return Int32(value).map(ProtoScalar.int32)
        case "int64", "sint64", "sfixed64": return Int64(value).map(ProtoScalar.int64)
        case "uint32", "fixed32": return UInt32(value).map(ProtoScalar.uint32)
        case "uint64", "fixed64": return UInt64(value).map(ProtoScalar.uint64)
        case "enum": return Int32(value).map(ProtoScalar.enumValue)
        case "bool": return .bool(value == "true")
        case "string": return .string(value)
        case "bytes": return Data(base64Encoded: value).map { .bytes([UInt8]($0)) }
        case "float": return bits.flatMap { UInt32($0.dropFirst(2), radix: 16) }.map { .float(Float(bitPattern: $0)) }
        case "double":
            return bits.flatMap { UInt64($0.dropFirst(2), radix: 16) }.map { .double(Double(bitPattern: $0)) }
        default: return nil
        }
    }

    /// Equality that tells -0.0 from 0.0 and takes any NaN as equal to any NaN; other cases must match exactly
    /// (an `int32` is not an `int64`).
    static func same(_ left: ProtoScalar, _ right: ProtoScalar) -> Bool {
        switch (left, right) {
        case (.float(let a), .float(let b)): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        default: left == right
        }
    }

    /// A text form exact enough to compare values: floats by bit pattern, messages by their bytes.
    static func canonical(_ value: ProtoFieldValue?) -> String {
        guard let value else { return "nil" }
        switch value {
        case .scalar(let scalar): return canonical(scalar)
        case .message(let message): return "message(\(hex(message.bytes)))"
        case .list(let elements): return "[" + elements.map { canonical($0) }.joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.map { canonical($0.key) + ": " + canonical($0.value) }.joined(separator: ", ") + "}"
        }
    }

    static func canonical(_ scalar: ProtoScalar) -> String {
        switch scalar {
        case .float(let value): value.isNaN ? "float(nan)" : "float(\(String(value.bitPattern, radix: 16)))"
        case .double(let value): value.isNaN ? "double(nan)" : "double(\(String(value.bitPattern, radix: 16)))"
        case .bytes(let value): "bytes(\(hex(value)))"
        case .string(let value): "string(\(value.debugDescription))"
        default: "\(scalar.kindName)(\(scalar))"
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// The values of a loaded ``ProtoDOM`` by path, in the manifest's path syntax.
struct OracleDOMWalk {
    let dom: ProtoDOM
    /// Scalar leaves and message nodes (map values and list elements included), by path. Where a path occurs
    /// more than once on the wire (a duplicate singular field or map key), the last occurrence wins, as on decode.
    private(set) var values: [String: ProtoFieldValue] = [:]
    /// Elements seen so far per list path: a list inside a message split over several occurrences continues.
    private var elementCounts: [String: Int] = [:]

    init(_ dom: ProtoDOM) throws {
        self.dom = dom
        try walk(0, prefix: "")
    }

    private mutating func walk(_ index: Int, prefix: String) throws {
        for child in dom.children(of: index) {
            guard let field = dom.field(of: child) else { continue }
            let name = prefix.isEmpty ? field.name : prefix + "." + field.name
            let node = dom.nodes[child]
            if let oneofIndex = field.oneofIndex, let message = dom.messageType(of: index),
                !message.oneofs[oneofIndex].isSynthetic
            {
                // Decoding a oneof member clears the others.
                for number in message.oneofs[oneofIndex].fieldNumbers where number != field.number {
                    if let other = message.field(number: number) {
                        removeSubtree(prefix.isEmpty ? other.name : prefix + "." + other.name)
                    }
                }
            }
            if field.isMap {
                try walkEntry(child, field, path: name)
            } else if field.isRepeated {
                let elements = node.kind == .packed ? dom.children(of: child) : [child]
                for element in elements {
                    let position = elementCounts[name, default: 0]
                    elementCounts[name] = position + 1
                    try record(element, path: "\(name)[\(position)]")
                }
            } else {
                try record(child, path: name)
            }
        }
    }

    /// A map entry: a message node whose field 1 is the key and field 2 the value.
    private mutating func walkEntry(_ entry: Int, _ field: ProtoFieldDescriptor, path: String) throws {
        let keyField = field.mapKey!
        let valueField = field.mapValue!
        var key = ProtoScalar.zero(of: keyField.type)!
        var valueNodes: [Int] = []
        for child in dom.children(of: entry) {
            let number = dom.nodes[child].number
            if number == 1, case .scalar(let scalar) = try dom.value(of: child) { key = scalar }
            if number == 2 { valueNodes.append(child) }
        }
        let entryPath = path + "[" + Self.keyText(key) + "]"
        // A later entry with the same key replaces the earlier one (no merge).
        removeSubtree(entryPath)
        if !valueNodes.isEmpty {
            // Several value occurrences: the last scalar wins, messages merge.
            for valueNode in valueNodes { try record(valueNode, path: entryPath) }
        } else if valueField.isMessage {
            values[entryPath] = .message(
                ProtoValue(storage: [], range: 0..<0, descriptor: dom.schema.messages[valueField.messageIndex],
                           schema: dom.schema, limits: dom.limits))
        } else {
            values[entryPath] = .scalar(ProtoScalar.zero(of: valueField.type)!)
        }
    }

    private mutating func record(_ node: Int, path: String) throws {
        let value = try dom.value(of: node)
        values[path] = value
        if dom.nodes[node].kind == .message { try walk(node, prefix: path) }
    }

    /// Forgets `path` and everything below it (a recorded path always has its own entry too).
    private mutating func removeSubtree(_ path: String) {
        guard values[path] != nil else { return }
        let inside = { (key: String) in key == path || key.hasPrefix(path + ".") || key.hasPrefix(path + "[") }
        for key in values.keys where inside(key) { values[key] = nil }
        for key in elementCounts.keys where inside(key) { elementCounts[key] = nil }
    }

    /// A map key as a path subscript (decimal, `true`/`false`, or a quoted escaped string).
    static func keyText(_ key: ProtoScalar) -> String {
        switch key {
        case .string(let text): "\"" + FieldPath.escape(text) + "\""
        case .bytes(let bytes): "\"" + FieldPath.escape(String(decoding: bytes, as: UTF8.self)) + "\""
        default: "\(key)"
        }
    }
}
