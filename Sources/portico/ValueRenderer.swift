import DynamicCodec
import Foundation

/// Renders got values as JSON text for the command line, following the proto3 JSON mapping: 64-bit integers as
/// strings, bytes as base64, enums by name, NaN and infinities as strings; messages through the JSON converter
/// (lowerCamelCase names, well-known types in their special forms; unknown fields are not shown).
struct ValueRenderer {
    let schema: ProtoSchema

    func render(_ value: ProtoFieldValue, field: ProtoFieldDescriptor?) throws -> String {
        switch value {
        case .scalar(let scalar): return render(scalar, field: field)
        case .message(let message): return try render(message)
        case .list(let elements):
            return "[" + (try elements.map { try render($0, field: field) }).joined(separator: ",") + "]"
        case .map(let entries):
            let parts = try entries.map { entry in
                let key = render(entry.key, field: field?.mapKey)
                let quoted = key.hasPrefix("\"") ? key : "\"\(key)\""
                return quoted + ":" + (try render(entry.value, field: field?.mapValue))
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    /// A message in proto3 JSON, through the streaming converter.
    func render(_ message: ProtoValue) throws -> String {
        String(decoding: try message.json(), as: UTF8.self)
    }

    func render(_ scalar: ProtoScalar, field: ProtoFieldDescriptor?) -> String {
        switch scalar {
        case .bool(let value): return value ? "true" : "false"
        case .int32(let value): return String(value)
        case .uint32(let value): return String(value)
        case .int64(let value): return quote(String(value))
        case .uint64(let value): return quote(String(value))
        case .float(let value): return render(Double(value))
        case .double(let value): return render(value)
        case .string(let value): return quote(value)
        case .bytes(let value): return quote(Data(value).base64EncodedString())
        case .enumValue(let number):
            if let field, let type = schema.enumType(of: field), let name = type.name(of: number) { return quote(name) }
            return String(number)
        }
    }

    func render(_ value: Double) -> String { Self.render(value) }

    func quote(_ text: String) -> String { Self.quote(text) }

    static func render(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
        return "\(value)"
    }

    static func quote(_ text: String) -> String { JSONString.quoted(text) }

}
