import Foundation

@testable import DynamicCodec

/// The manifest `Tests/peers/thrift_nested_peer.py generate` writes per sample.
struct ThriftNestedManifest: Decodable {
    struct Get: Decodable {
        var path: String
        /// Canonical text of the value, or nil when the path is absent.
        var value: String?
    }

    struct Edit: Decodable {
        var op: String
        var path: String
        var value: TaggedValue?
    }

    struct Mask: Decodable {
        var paths: [String]
    }

    var gets: [Get]
    var edits: [Edit]
    var chain: [Edit]
    var masks: [Mask]
}

/// A value as the peer writes it: `{"i": "5"}`, `{"s": "text"}`, `{"l": [...]}`, `{"st": [[1, {...}]]}`, ...
indirect enum TaggedValue: Decodable {
    case integer(Int64)
    case bool(Bool)
    case double(Double)
    case string(String)
    case binary([UInt8])
    case list([TaggedValue])
    case set([TaggedValue])
    case map([(TaggedValue, TaggedValue)])
    case structure([(Int16, TaggedValue)])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `[id, value]` and `[key, value]` pairs.
    private struct Pair<First: Decodable>: Decodable {
        var first: First
        var second: TaggedValue
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            first = try container.decode(First.self)
            second = try container.decode(TaggedValue.self)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "empty value"))
        }
        func failure(_ text: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text))
        }
        switch key.stringValue {
        case "i":
            let text = try container.decode(String.self, forKey: key)
            guard let number = Int64(text) else { throw failure("bad integer \(text)") }
            self = .integer(number)
        case "b": self = .bool(try container.decode(Bool.self, forKey: key))
        case "d":
            let text = try container.decode(String.self, forKey: key)
            guard let bits = UInt64(text, radix: 16) else { throw failure("bad double bits \(text)") }
            self = .double(Double(bitPattern: bits))
        case "s": self = .string(try container.decode(String.self, forKey: key))
        case "x":
            let text = try container.decode(String.self, forKey: key)
            guard let data = Data(base64Encoded: text) else { throw failure("bad base64 \(text)") }
            self = .binary([UInt8](data))
        case "l": self = .list(try container.decode([TaggedValue].self, forKey: key))
        case "set": self = .set(try container.decode([TaggedValue].self, forKey: key))
        case "m": self = .map(try container.decode([Pair<TaggedValue>].self, forKey: key).map { ($0.first, $0.second) })
        case "st":
            self = .structure(try container.decode([Pair<Int16>].self, forKey: key).map { ($0.first, $0.second) })
        default: throw failure("unknown tag \(key.stringValue)")
        }
    }

    /// The value to set, for a field (element, map value) of type `type`.
    func fieldValue(_ type: ThriftType, schema: ThriftSchema, encoding: ThriftProtocol) throws -> ThriftFieldValue {
        switch (self, type) {
        case (.integer(let number), _): return .scalar(.i64(number))
        case (.bool(let flag), _): return .scalar(.bool(flag))
        case (.double(let number), _): return .scalar(.double(number))
        case (.string(let text), _): return .scalar(.string(text))
        case (.binary(let bytes), _): return .scalar(.binary(bytes))
        case (.list(let items), .list(let element)), (.list(let items), .set(let element)):
            return .list(try items.map { try $0.fieldValue(element, schema: schema, encoding: encoding) })
        case (.set(let items), .set(let element)), (.set(let items), .list(let element)):
            return .set(try items.map { try $0.fieldValue(element, schema: schema, encoding: encoding) })
        case (.map(let entries), .map(let key, let value)):
            return .map(
                try entries.map { entry in
                    ThriftMapEntry(
                        key: try entry.0.fieldValue(key, schema: schema, encoding: encoding),
                        value: try entry.1.fieldValue(value, schema: schema, encoding: encoding))
                })
        case (.structure(let fields), .struct(let index)):
            let descriptor = schema.structs[index]
            var built = try ThriftValue(bytes: [0], encoding: encoding, descriptor: descriptor, schema: schema)
            for (id, inner) in fields {
                guard let field = descriptor.field(id: id) else {
                    throw CodecError(.unknownField, "\(descriptor.name) has no field \(id)")
                }
                try built.set(
                    FieldPath([.number(Int(id))]),
                    to: try inner.fieldValue(
                        field.type, schema: schema,
                        encoding: encoding))
            }
            return .struct(built)
        default:
            throw CodecError(.typeMismatch, "tagged value \(self) does not fit \(schema.describe(type))")
        }
    }
}

/// The canonical text both sides write for a value (see `thrift_nested_peer.py`).
enum ThriftCanonical {
    static func text(_ value: ThriftFieldValue?) throws -> String? {
        guard let value else { return nil }
        switch value {
        case .scalar(let scalar):
            switch scalar {
            case .bool(let flag): return flag ? "true" : "false"
            case .double(let number):
                let digits = String(number.bitPattern, radix: 16)
                return "d" + String(repeating: "0", count: 16 - digits.count) + digits
            case .string(let text): return "s" + hex(Array(text.utf8))
            case .binary(let bytes): return "x" + hex(bytes)
            case .uuid(let bytes): return "u" + hex(bytes)
            default: return "i\(scalar.integerValue!)"
            }
        case .struct(let nested):
            var parts: [String] = []
            for field in nested.descriptor.fields.sorted(by: { $0.id < $1.id }) {
                if let inner = try text(try nested.get(FieldPath([.number(Int(field.id))]))) {
                    parts.append("\(field.id)=\(inner)")
                }
            }
            return "(" + parts.joined(separator: ",") + ")"
        case .list(let items):
            return "[" + (try items.map { try text($0)! }).joined(separator: ",") + "]"
        case .set(let items):
            return "{" + (try items.map { try text($0)! }).sorted().joined(separator: ",") + "}"
        case .map(let entries):
            let parts = try entries.map { try text($0.key)! + ":" + text($0.value)! }
            return "<" + parts.sorted().joined(separator: ",") + ">"
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
