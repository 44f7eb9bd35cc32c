import ArgumentParser
import DynamicCodec
import Foundation

/// Rendering and parsing of Thrift values for the command line: JSON with field names as keys, i64 as numbers,
/// binary as base64, enums as numbers, maps with non-string keys keyed by their text.
struct ThriftValueText {
    let schema: ThriftSchema

    func render(_ value: ThriftFieldValue) -> String {
        let quote = ValueRenderer.quote
        switch value {
        case .scalar(let scalar):
            switch scalar {
            case .bool(let flag): return flag ? "true" : "false"
            case .byte(let number): return String(number)
            case .i16(let number): return String(number)
            case .i32(let number): return String(number)
            case .i64(let number): return String(number)
            case .double(let number): return ValueRenderer.render(number)
            case .string(let text): return quote(text)
            case .binary(let bytes), .uuid(let bytes): return quote(Data(bytes).base64EncodedString())
            }
        case .struct(let nested):
            var parts: [String] = []
            for field in nested.descriptor.fields {
                guard let fieldValue = try? nested.get(FieldPath([.number(Int(field.id))])) else { continue }
                parts.append(quote(field.name) + ":" + render(fieldValue))
            }
            return "{" + parts.joined(separator: ",") + "}"
        case .list(let elements), .set(let elements):
            return "[" + elements.map(render).joined(separator: ",") + "]"
        case .map(let entries):
            let parts = entries.map { entry -> String in
                let key = render(entry.key)
                return (key.hasPrefix("\"") ? key : quote(key)) + ":" + render(entry.value)
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    func value(fromJSON text: String, as type: ThriftType) throws -> ThriftFieldValue {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw CodecError(.invalidValue, "--value is not valid JSON: \(text)")
        }
        return try value(json, as: type)
    }

    func value(_ json: Any, as type: ThriftType) throws -> ThriftFieldValue {
        func mismatch() -> CodecError { CodecError(.typeMismatch, "\(json) does not fit \(type)") }
        switch type {
        case .bool:
            guard let flag = json as? Bool, "\(Swift.type(of: json))".contains("Bool") else { throw mismatch() }
            return .scalar(.bool(flag))
        case .byte, .i16, .i32, .i64, .enum:
            let text = (json as? String) ?? (json as? NSNumber)?.stringValue
            guard let text, let number = Int64(text) else { throw mismatch() }
            return .scalar(.i64(number))
        case .double:
            guard let number = (json as? NSNumber)?.doubleValue ?? (json as? String).flatMap(Double.init) else {
                throw mismatch()
            }
            return .scalar(.double(number))
        case .string:
            guard let text = json as? String else { throw mismatch() }
            return .scalar(.string(text))
        case .binary, .uuid:
            guard let text = json as? String, let data = Data(base64Encoded: text) else { throw mismatch() }
            return type == .uuid ? .scalar(.uuid([UInt8](data))) : .scalar(.binary([UInt8](data)))
        case .list(let element), .set(let element):
            guard let array = json as? [Any] else { throw mismatch() }
            let elements = try array.map { try value($0, as: element) }
            if case .set = type { return .set(elements) }
            return .list(elements)
        case .map(let key, let valueType):
            guard let object = json as? [String: Any] else { throw mismatch() }
            return .map(try object.keys.sorted().map { name in
                ThriftMapEntry(key: try value(key == .string || key == .binary ? name as Any : Int64(name) as Any,
                                              as: key),
                               value: try value(object[name]!, as: valueType))
            })
        case .struct(let index):
            guard let object = json as? [String: Any] else { throw mismatch() }
            let descriptor = schema.structs[index]
            var built = try ThriftValue(bytes: [0], encoding: .binary, descriptor: descriptor, schema: schema)
            for name in object.keys.sorted() {
                guard let field = descriptor.field(named: name) else {
                    throw CodecError(.unknownField, "\(descriptor.name) has no field '\(name)'")
                }
                try built.set(FieldPath([.number(Int(field.id))]), to: try value(object[name]!, as: field.type))
            }
            return .struct(built)
        }
    }
}
