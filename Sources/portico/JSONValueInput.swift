import DynamicCodec
import Foundation

/// Turns a `--value` JSON text into a field value using the proto3 JSON conversion itself: the value is wrapped as
/// the field of its enclosing message (`{"field": value}`), converted to binary, and read back with a get. So
/// every form the JSON mapping accepts works here too (well-known types, enum names, int64 strings, base64).
struct JSONValueInput {
    let schema: ProtoSchema

    init(schema: ProtoSchema) throws { self.schema = schema }

    /// `element` is true when the path selects one list element or map value rather than the whole field.
    func value(fromJSON text: String, for field: ProtoFieldDescriptor, element: Bool) throws -> ProtoFieldValue {
        let parentName = String(field.fullName.dropLast(field.name.count + 1))
        let parent = try schema.requireMessage(named: parentName)
        let key = ValueRenderer.quote(field.name)
        let prefix: String
        let suffix: String
        let path: FieldPath
        if !element {
            (prefix, suffix) = ("{\(key):", "}")
            path = FieldPath([.number(field.number)])
        } else if let mapKey = field.mapKey {
            // Any valid key of the key type will do; the value is read back under it.
            let (placeholder, step): (String, FieldPath.Step) =
                mapKey.type == .bool ? ("true", .bool(true)) : mapKey.type == .string ? ("k", .string("k")) : ("1", .integer(1))
            (prefix, suffix) = ("{\(key):{\(ValueRenderer.quote(placeholder)):", "}}")
            path = FieldPath([.number(field.number), step])
        } else {
            (prefix, suffix) = ("{\(key):[", "]}")
            path = FieldPath([.number(field.number), .integer(0)])
        }
        let wrapped = prefix + text + suffix
        let bytes: [UInt8]
        do {
            bytes = try ProtoJSON.decode(Array(wrapped.utf8), as: parent, schema: schema)
        } catch {
            // Offsets count from the start of --value, not of the wrapper around it.
            var adjusted = error
            if let offset = error.offset { adjusted.offset = max(0, offset - prefix.utf8.count) }
            throw adjusted
        }
        let message = try ProtoValue(bytes: bytes, descriptor: parent, schema: schema)
        if let value = try message.get(path) { return value }
        // The JSON value was the field's default (or null): it is not on the wire; write the zero value.
        if field.isMap && !element { return .map([]) }
        if field.isRepeated && !element { return .list([]) }
        let valueField = field.mapValue ?? field
        if valueField.isMessage {
            return .message(try ProtoValue(bytes: [], descriptor: schema.messageType(of: valueField)!, schema: schema))
        }
        throw CodecError(.invalidValue, "--value gives '\(field.name)' no value (null?)")
    }
}
