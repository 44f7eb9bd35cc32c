import DynamicCodec
import Foundation

/// Turns a `--value` JSON text into a field value: scalars by the field's type (numbers or numeric strings for
/// integers, base64 for bytes, names or numbers for enums), arrays for whole lists, objects for messages and maps.
/// Messages are built field by field with ``ProtoValue/set(_:to:)``.
struct JSONValueInput {
    let schema: ProtoSchema

    init(schema: ProtoSchema) throws { self.schema = schema }

    func value(fromJSON text: String, for field: ProtoFieldDescriptor, element: Bool) throws -> ProtoFieldValue {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw CodecError(.invalidValue, "--value is not valid JSON: \(text)")
        }
        return try value(json, field: field, whole: !element)
    }

    /// `whole` is true when the value is for the whole field (a list for repeated fields, an object for maps).
    func value(_ json: Any, field: ProtoFieldDescriptor, whole: Bool) throws -> ProtoFieldValue {
        if whole && field.isMap {
            guard let object = json as? [String: Any] else {
                throw CodecError(.typeMismatch, "'\(field.name)' is a map; give a JSON object")
            }
            return .map(
                try object.keys.sorted().map { key in
                    ProtoMapEntry(
                        key: try scalar(key, type: field.mapKey!.type, field: field.mapKey!),
                        value: try value(object[key]!, field: field.mapValue!, whole: false))
                })
        }
        if whole && field.isRepeated {
            guard let array = json as? [Any] else {
                throw CodecError(.typeMismatch, "'\(field.name)' is a list; give a JSON array")
            }
            return .list(try array.map { try value($0, field: field, whole: false) })
        }
        let valueField = field.isMap ? field.mapValue! : field
        if valueField.isMessage {
            guard let object = json as? [String: Any] else {
                throw CodecError(.typeMismatch, "'\(valueField.name)' is a message; give a JSON object")
            }
            return .message(try message(object, type: schema.messageType(of: valueField)!))
        }
        return .scalar(try scalar(json, type: valueField.type, field: valueField))
    }

    func message(_ object: [String: Any], type: ProtoMessageDescriptor) throws -> ProtoValue {
        var message = try ProtoValue(bytes: [], descriptor: type, schema: schema)
        for key in object.keys.sorted() {
            guard let field = type.field(named: key) ?? type.field(jsonName: key) else {
                throw CodecError(.unknownField, "\(type.fullName) has no field '\(key)'")
            }
            if object[key] is NSNull { continue }
            try message.set(FieldPath([.number(field.number)]), to: try value(object[key]!, field: field, whole: true))
        }
        return message
    }

    func scalar(_ json: Any, type: ProtoFieldType, field: ProtoFieldDescriptor) throws -> ProtoScalar {
        func mismatch() -> CodecError {
            CodecError(.typeMismatch, "\(json) does not fit '\(field.name)' (\(type.protoName))")
        }
        switch type {
        case .bool:
            guard let flag = json as? Bool, "\(Swift.type(of: json))".contains("Bool") else {
                throw mismatch()
            }
            return .bool(flag)
        case .string:
            guard let text = json as? String else { throw mismatch() }
            return .string(text)
        case .bytes:
            guard let text = json as? String else { throw mismatch() }
            guard let data = Data(base64Encoded: base64Padded(text)) else {
                throw CodecError(.invalidValue, "'\(field.name)' takes base64; \"\(text)\" is not")
            }
            return .bytes([UInt8](data))
        case .enum:
            if let name = json as? String {
                guard let number = schema.enumType(of: field)?.number(named: name) else {
                    throw CodecError(.invalidValue, "'\(name)' is not a value of \(field.typeName ?? "the enum")")
                }
                return .enumValue(number)
            }
            guard let number = json as? NSNumber, let value = Int32(exactly: number.doubleValue) else {
                throw mismatch()
            }
            return .enumValue(value)
        case .float, .double:
            if let text = json as? String {
                switch text {
                case "NaN": return .double(.nan)
                case "Infinity": return .double(.infinity)
                case "-Infinity": return .double(-.infinity)
                default: guard let value = Double(text) else { throw mismatch() }; return .double(value)
                }
            }
            guard let number = json as? NSNumber else { throw mismatch() }
            return .double(number.doubleValue)
        case .uint32, .uint64, .fixed32, .fixed64:
            let text = (json as? String) ?? (json as? NSNumber)?.stringValue
            guard let text, let value = UInt64(text) else { throw mismatch() }
            return .uint64(value)
        default:
            let text = (json as? String) ?? (json as? NSNumber)?.stringValue
            guard let text, let value = Int64(text) else { throw mismatch() }
            return .int64(value)
        }
    }

    func base64Padded(_ text: String) -> String {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return standard
    }
}
