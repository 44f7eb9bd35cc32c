import DynamicCodec

/// Schemas of Protobuf types as the gateway reads and writes them: the proto3 canonical JSON mapping.
extension OpenAPISchemaSet {
    /// The schema of a message type (a `$ref`); `protoNames` keys its properties by `.proto` names instead of
    /// JSON names.
    mutating func proto(_ message: ProtoMessageDescriptor, schema: ProtoSchema, protoNames: Bool) -> OpenAPIJSON {
        if let wellKnown = ProtoWellKnownType(message.fullName) {
            return protoWellKnown(wellKnown, message: message, schema: schema)
        }
        let key = Key(schema: ObjectIdentifier(schema), kind: 0, index: message.index, variant: protoNames ? 1 : 0)
        let name = message.fullName + (protoNames ? ".proto_names" : "")
        return component(key, name: name) { set in
            set.protoObject(message, schema: schema, protoNames: protoNames)
        }
    }

    /// The JSON key of a field.
    static func protoKey(_ field: ProtoFieldDescriptor, protoNames: Bool) -> String {
        protoNames ? field.name : field.jsonName
    }

    private mutating func protoObject(_ message: ProtoMessageDescriptor, schema: ProtoSchema, protoNames: Bool)
        -> OpenAPIJSON
    {
        var properties: [(String, OpenAPIJSON)] = []
        var required: [OpenAPIJSON] = []
        for field in message.fields {
            var property = protoField(field, schema: schema, protoNames: protoNames)
            if field.isDeprecated { property = property.setting("deprecated", .bool(true)) }
            property = property.documented(field.documentation)
            let key = Self.protoKey(field, protoNames: protoNames)
            properties.append((key, property))
            if field.cardinality == .required { required.append(.string(key)) }
        }
        var members: [(String, OpenAPIJSON)] = [
            ("type", .string("object")), ("title", .string(message.fullName)),
        ]
        if let documentation = message.documentation { members.append(("description", .string(documentation))) }
        members.append(("properties", .object(properties)))
        if !required.isEmpty { members.append(("required", .array(required))) }
        // A oneof: at most one member is set.
        let groups = message.oneofs.filter { !$0.isSynthetic && !$0.fieldNumbers.isEmpty }.map { oneof in
            let names = oneof.fieldNumbers.compactMap { message.field(number: $0) }.map {
                Self.protoKey($0, protoNames: protoNames)
            }
            return OpenAPIJSON.object([("oneOf", Self.oneOf(names, allowNone: true))])
        }
        if groups.count == 1, case .object(let only) = groups[0] {
            members += only
        } else if groups.count > 1 {
            members.append(("allOf", .array(groups)))
        }
        members.append(("additionalProperties", .bool(false)))
        return .object(members)
    }

    /// A field's whole value: a list for repeated fields, an object for maps.
    mutating func protoField(_ field: ProtoFieldDescriptor, schema: ProtoSchema, protoNames: Bool) -> OpenAPIJSON {
        if let key = field.mapKey, let value = field.mapValue {
            var members: [(String, OpenAPIJSON)] = [("type", .string("object"))]
            switch key.type {
            case .string: break
            case .bool:
                members.append(("propertyNames", .object([("enum", .array([.string("true"), .string("false")]))])))
            case .uint32, .uint64, .fixed32, .fixed64:
                members.append(("propertyNames", .object([("pattern", .string("^[0-9]+$"))])))
            default: members.append(("propertyNames", .object([("pattern", .string("^-?[0-9]+$"))])))
            }
            members.append(("additionalProperties", protoValue(value, schema: schema, protoNames: protoNames)))
            return .object(members)
        }
        let single = protoValue(field, schema: schema, protoNames: protoNames)
        guard field.isRepeated else { return single }
        return .object([("type", .string("array")), ("items", single)])
    }

    /// One value of a field.
    mutating func protoValue(_ field: ProtoFieldDescriptor, schema: ProtoSchema, protoNames: Bool) -> OpenAPIJSON {
        switch field.type {
        case .double: return Self.number(format: "double")
        case .float: return Self.number(format: "float")
        case .int64, .sint64, .sfixed64: return Self.integerString(format: "int64", unsigned: false)
        case .uint64, .fixed64: return Self.integerString(format: "uint64", unsigned: true)
        case .int32, .sint32, .sfixed32:
            return Self.integer(format: "int32", minimum: Int64(Int32.min), maximum: Int64(Int32.max))
        case .uint32, .fixed32: return Self.unsignedInteger(maximum: UInt64(UInt32.max))
        case .bool: return .object([("type", .string("boolean"))])
        case .string: return .object([("type", .string("string"))])
        case .bytes: return Self.base64
        case .enum:
            guard let type = schema.enumType(of: field) else { return .object([]) }
            return protoEnum(type, schema: schema)
        case .message, .group:
            guard let type = schema.messageType(of: field) else { return .object([("type", .string("object"))]) }
            return proto(type, schema: schema, protoNames: protoNames)
        }
    }

    mutating func protoEnum(_ type: ProtoEnumDescriptor, schema: ProtoSchema) -> OpenAPIJSON {
        if type.fullName == "google.protobuf.NullValue" {
            return fixed(type.fullName) { .object([("type", .string("null"))]) }
        }
        let key = Key(schema: ObjectIdentifier(schema), kind: 1, index: type.index, variant: 0)
        return component(key, name: type.fullName) { _ in
            .object([
                ("type", .string("string")), ("title", .string(type.fullName)),
                ("enum", .array(type.values.map { .string($0.name) })),
                (
                    "description",
                    .string(
                        OpenAPIJSON.documented(
                            "Written by name; read by name or number ("
                                + type.values.map { "\($0.name) = \($0.number)" }.joined(separator: ", ") + ")."
                                + Self.valueNotes(type.values.map { ($0.name, $0.documentation) }),
                            by: type.documentation))
                ),
            ])
        }
    }

    /// The well-known types' JSON forms.
    private mutating func protoWellKnown(
        _ wellKnown: ProtoWellKnownType, message: ProtoMessageDescriptor, schema: ProtoSchema
    ) -> OpenAPIJSON {
        let name = message.fullName
        switch wellKnown {
        case .timestamp:
            return fixed(name) {
                .object([
                    ("type", .string("string")), ("format", .string("date-time")),
                    ("description", .string("RFC 3339, years 0001 to 9999, e.g. 2024-05-01T12:00:00Z.")),
                ])
            }
        case .duration:
            return fixed(name) {
                .object([
                    ("type", .string("string")), ("pattern", .string("^-?[0-9]+(\\.[0-9]{1,9})?s$")),
                    ("description", .string("Seconds with up to 9 fractional digits and a trailing s, e.g. 1.5s.")),
                ])
            }
        case .fieldMask:
            return fixed(name) {
                .object([
                    ("type", .string("string")),
                    ("description", .string("Comma-separated field paths in lowerCamelCase, e.g. title,page_count.")),
                ])
            }
        case .empty:
            return fixed(name) {
                .object([("type", .string("object")), ("additionalProperties", .bool(false))])
            }
        case .structValue:
            return fixed(name) {
                .object([("type", .string("object")), ("description", .string("Any JSON object."))])
            }
        case .value:
            return fixed(name) { .object([("description", .string("Any JSON value."))]) }
        case .listValue:
            return fixed(name) {
                .object([("type", .string("array")), ("description", .string("Any JSON array."))])
            }
        case .any:
            return fixed(name) {
                .object([
                    ("type", .string("object")),
                    (
                        "description",
                        .string(
                            "A message of any type loaded in the gateway: `@type` names it "
                                + "(type.googleapis.com/package.Message), the other members are its JSON.")
                    ),
                    ("required", .array([.string("@type")])),
                    ("properties", .object([("@type", .object([("type", .string("string"))]))])),
                ])
            }
        case .wrapper:
            // The wrapped scalar, or null (absent).
            let value = message.field(number: 1).map { protoValue($0, schema: schema, protoNames: false) }
            return fixed(name) {
                .object([
                    ("anyOf", .array([value ?? .object([]), .object([("type", .string("null"))])])),
                    ("description", .string("The wrapped value; null or absent means unset.")),
                ])
            }
        }
    }
}
