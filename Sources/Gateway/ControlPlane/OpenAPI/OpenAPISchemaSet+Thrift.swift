import DynamicCodec

/// Schemas of Thrift types as the gateway reads and writes them: keys from `api.key` (or the name), enums as
/// numbers (names accepted), binary as base64, `api.js_conv` numbers as strings, maps with non-scalar keys as
/// lists of key/value pairs.
extension OpenAPISchemaSet {
    /// The schema of a struct, union or exception (a `$ref`).
    mutating func thrift(struct index: Int, schema: ThriftSchema) -> OpenAPIJSON {
        let type = schema.structs[index]
        let key = Key(schema: ObjectIdentifier(schema), kind: 2, index: index, variant: 0)
        return component(key, name: type.name) { set in
            let keys = ThriftJSONStructKeys(type)
            let fields = Array(type.fields.indices)
            return set.thriftObject(type, positions: fields, keys: keys.keys, jsConv: keys.jsConv, schema: schema)
                .setting("title", .string(type.name)).documented(type.documentation)
        }
    }

    /// An object of some fields of `type` (all of them for a whole struct, the body fields for an HTTP body).
    mutating func thriftObject(
        _ type: ThriftStructDescriptor, positions: [Int], keys: [String], jsConv: [Bool], schema: ThriftSchema
    ) -> OpenAPIJSON {
        var properties: [(String, OpenAPIJSON)] = []
        var required: [OpenAPIJSON] = []
        for position in positions {
            let field = type.fields[position]
            var property = thriftValue(field.type, jsConv: jsConv[position], schema: schema)
            if let description = Self.thriftFieldNote(field) {
                property = property.setting("description", .string(description))
            }
            property = property.documented(field.documentation)
            properties.append((keys[position], property))
            if field.requiredness == .required, type.kind != .union { required.append(.string(keys[position])) }
        }
        var members: [(String, OpenAPIJSON)] = [("type", .string("object")), ("properties", .object(properties))]
        if !required.isEmpty { members.append(("required", .array(required))) }
        if type.kind == .union, !positions.isEmpty {
            members.append(("oneOf", Self.oneOf(positions.map { keys[$0] }, allowNone: false)))
        }
        members.append(("additionalProperties", .bool(false)))
        return .object(members)
    }

    /// The IDL type when a typedef names it (`bookstore_common.ShelfId`), and defaults.
    static func thriftFieldNote(_ field: ThriftFieldDescriptor) -> String? {
        var notes: [String] = []
        if !["bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "uuid"].contains(
            field.declaredTypeName), !field.declaredTypeName.contains("<")
        {
            notes.append("IDL type \(field.declaredTypeName).")
        }
        if let value = field.defaultValue, let text = constantText(value) { notes.append("Default \(text).") }
        return notes.isEmpty ? nil : notes.joined(separator: " ")
    }

    private static func constantText(_ value: ThriftConstValue) -> String? {
        switch value {
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): "\"\(text)\""
        case .bool(let flag): String(flag)
        case .identifier(let name): name
        case .list, .map: nil
        }
    }

    /// One value of a Thrift type; `jsConv` writes integers and doubles (inside containers too) as strings.
    mutating func thriftValue(_ type: ThriftType, jsConv: Bool, schema: ThriftSchema) -> OpenAPIJSON {
        switch type {
        case .bool: return .object([("type", .string("boolean"))])
        case .byte:
            return jsConv
                ? Self.integerString(format: "int8", unsigned: false)
                : Self.integer(format: nil, minimum: Int64(Int8.min), maximum: Int64(Int8.max))
        case .i16:
            return jsConv
                ? Self.integerString(format: "int16", unsigned: false)
                : Self.integer(format: nil, minimum: Int64(Int16.min), maximum: Int64(Int16.max))
        case .i32:
            return jsConv
                ? Self.integerString(format: "int32", unsigned: false)
                : Self.integer(format: "int32", minimum: Int64(Int32.min), maximum: Int64(Int32.max))
        case .i64:
            return jsConv
                ? Self.integerString(format: "int64", unsigned: false)
                : Self.integer(format: "int64", minimum: Int64.min, maximum: Int64.max)
        case .double:
            guard jsConv else { return Self.number(format: "double") }
            return .object([
                ("type", .string("string")),
                ("pattern", .string("^(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|-?Infinity)$")),
            ])
        case .string: return .object([("type", .string("string"))])
        case .binary: return Self.base64
        case .uuid: return .object([("type", .string("string")), ("format", .string("uuid"))])
        case .struct(let index): return thrift(struct: index, schema: schema)
        case .enum(let index): return thriftEnum(index, schema: schema)
        case .list(let element), .set(let element):
            return .object([
                ("type", .string("array")), ("items", thriftValue(element, jsConv: jsConv, schema: schema)),
            ])
        case .map(let key, let value):
            let valueSchema = thriftValue(value, jsConv: jsConv, schema: schema)
            if key.needsPairForm {
                return .object([
                    ("type", .string("array")),
                    (
                        "items",
                        .object([
                            ("type", .string("object")),
                            ("required", .array([.string("key"), .string("value")])),
                            (
                                "properties",
                                .object([
                                    ("key", thriftValue(key, jsConv: false, schema: schema)), ("value", valueSchema),
                                ])
                            ),
                            ("additionalProperties", .bool(false)),
                        ])
                    ),
                ])
            }
            var members: [(String, OpenAPIJSON)] = [("type", .string("object"))]
            switch key {
            case .byte, .i16, .i32, .i64, .enum:
                members.append(("propertyNames", .object([("pattern", .string("^-?[0-9]+$"))])))
            case .bool:
                members.append(("propertyNames", .object([("enum", .array([.string("true"), .string("false")]))])))
            default: break
            }
            members.append(("additionalProperties", valueSchema))
            return .object(members)
        }
    }

    private mutating func thriftEnum(_ index: Int, schema: ThriftSchema) -> OpenAPIJSON {
        let type = schema.enums[index]
        let key = Key(schema: ObjectIdentifier(schema), kind: 3, index: index, variant: 0)
        return component(key, name: type.name) { _ in
            .object([
                ("title", .string(type.name)),
                (
                    "description",
                    .string(
                        OpenAPIJSON.documented(
                            "Written as a number; read as a number or a name ("
                                + type.values.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") + ")."
                                + Self.valueNotes(
                                    type.values.indices.map { (type.values[$0].name, type.valueDocumentation[$0]) }),
                            by: type.documentation))
                ),
                (
                    "anyOf",
                    .array([
                        .object([
                            ("type", .string("integer")), ("format", .string("int32")),
                            ("enum", .array(type.values.map { .integer(Int64($0.value)) })),
                        ]),
                        .object([("type", .string("string")), ("enum", .array(type.values.map { .string($0.name) }))]),
                    ])
                ),
            ])
        }
    }
}
