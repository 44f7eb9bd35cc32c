import SwiftProtobuf

extension ProtoSourceParser {
    /// Where a field being parsed goes and what surrounds it.
    struct FieldContext {
        /// Path the field will have.
        var path: [Int32]
        /// Path a synthesized message (group body or map entry) will have, in the enclosing scope.
        var generatedPath: [Int32]
        var oneofIndex: Int32? = nil
        /// The extended type as written, for fields of an `extend` block.
        var extendee: String? = nil
    }

    typealias FieldType = Google_Protobuf_FieldDescriptorProto.TypeEnum

    /// Parses one field, map field or group. Returns the field and the message it synthesizes, if any.
    mutating func parseField(
        context: FieldContext
    ) throws(CodecError) -> (field: Google_Protobuf_FieldDescriptorProto, generated: Google_Protobuf_DescriptorProto?) {
        let location = currentLocation
        var field = Google_Protobuf_FieldDescriptorProto()
        result.locations[context.path] = location
        noteLeadingComment(path: context.path)
        var hasLabel = false
        if let oneofIndex = context.oneofIndex {
            field.label = .optional
            field.oneofIndex = oneofIndex
        } else if let label = parseLabel() {
            hasLabel = true
            field.label = label
            if label == .optional && result.isProto3 { field.proto3Optional = true }
            if label == .required && result.isProto3 {
                throw syntaxError("required fields are not allowed in proto3", at: location)
            }
        }
        if let extendee = context.extendee { field.extendee = extendee }

        // `map` starts a map field only when "<" follows; otherwise it names a type called "map".
        var mapTypes: (key: ParsedType, value: ParsedType)?
        var parsedType: ParsedType
        let typeLocation = currentLocation
        if lookingAt("map") && tokens[position + 1].text == "<" && tokens[position + 1].kind == .symbol {
            if context.oneofIndex != nil { throw syntaxError("map fields are not allowed in oneofs") }
            if hasLabel {
                throw syntaxError("field labels (required/optional/repeated) are not allowed on map fields")
            }
            if context.extendee != nil { throw syntaxError("map fields are not allowed to be extensions") }
            advance()
            field.label = .repeated
            try consume("<")
            let key = try parseType()
            try consume(",")
            let value = try parseType()
            try consume(">")
            if key.type == .group || value.type == .group {
                throw syntaxError("map keys and values cannot be groups", at: typeLocation)
            }
            mapTypes = (key, value)
            parsedType = ParsedType(type: nil, name: "")
        } else {
            if !hasLabel && context.oneofIndex == nil {
                guard result.isProto3 else {
                    throw syntaxError("expected \"required\", \"optional\", or \"repeated\", found \(current.quoted)")
                }
                field.label = .optional
            }
            parsedType = try parseType()
            if let type = parsedType.type {
                field.type = type
            } else {
                field.typeName = parsedType.name
                result.locations[context.path + [ProtoSourcePath.fieldTypeName]] = typeLocation
            }
        }

        let nameLocation = currentLocation
        field.name = try consumeIdentifier("Expected field name.")
        try consume("=", "missing field number: expected \"=\", found \(current.quoted)")
        result.locations[context.path + [ProtoSourcePath.fieldNumber]] = currentLocation
        field.number = try consumeInt32("Expected field number.")
        try parseFieldOptions(&field, path: context.path)

        var generated: Google_Protobuf_DescriptorProto?
        if field.hasType && field.type == .group {
            if result.isProto3 { throw syntaxError("groups are not supported in proto3", at: typeLocation) }
            guard let first = field.name.utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else {
                throw syntaxError("group names must start with a capital letter", at: nameLocation)
            }
            var group = Google_Protobuf_DescriptorProto()
            group.name = field.name
            field.name = field.name.lowercased()
            field.typeName = group.name
            result.locations[context.generatedPath] = nameLocation
            result.locations[context.path + [ProtoSourcePath.fieldTypeName]] = nameLocation
            guard lookingAt("{") else { throw syntaxError("missing group body") }
            try parseMessageBlock(&group, path: context.generatedPath)
            generated = group
        } else {
            try consume(";", "expected \";\" after the field, found \(current.quoted)")
            noteTrailingComment(path: context.path)
        }

        if let mapTypes {
            generated = makeMapEntry(
                for: &field, key: mapTypes.key, value: mapTypes.value, context: context,
                location: typeLocation)
        }
        return (field, generated)
    }

    private mutating func parseLabel() -> Google_Protobuf_FieldDescriptorProto.Label? {
        if tryConsume("optional") { return .optional }
        if tryConsume("repeated") { return .repeated }
        if tryConsume("required") { return .required }
        return nil
    }

    /// A field type: a scalar keyword, `group`, or a (possibly dotted, possibly leading-dot) type name.
    struct ParsedType {
        var type: FieldType?
        var name: String
    }

    mutating func parseType() throws(CodecError) -> ParsedType {
        if current.kind == .identifier, let type = Self.scalarTypes[current.text] {
            advance()
            return ParsedType(type: type, name: "")
        }
        return ParsedType(type: nil, name: try parseUserDefinedType())
    }

    /// Builds the `XxxEntry` message protoc synthesizes for `map<K, V> xxx = N;` and points the field at it.
    private mutating func makeMapEntry(
        for field: inout Google_Protobuf_FieldDescriptorProto, key: ParsedType, value: ParsedType,
        context: FieldContext, location: SourceLocation
    ) -> Google_Protobuf_DescriptorProto {
        var entry = Google_Protobuf_DescriptorProto()
        entry.name = ProtoSourceNaming.mapEntryName(field.name)
        field.typeName = entry.name
        result.locations[context.path + [ProtoSourcePath.fieldTypeName]] = location
        entry.options.mapEntry = true
        for (index, (name, type)) in [("key", key), ("value", value)].enumerated() {
            var entryField = Google_Protobuf_FieldDescriptorProto()
            entryField.name = name
            entryField.number = Int32(index + 1)
            entryField.label = .optional
            if let scalar = type.type {
                entryField.type = scalar
            } else {
                entryField.typeName = type.name
            }
            let entryFieldPath = context.generatedPath + [ProtoSourcePath.messageField, Int32(index)]
            result.locations[entryFieldPath] = location
            result.locations[entryFieldPath + [ProtoSourcePath.fieldTypeName]] = location
            entry.field.append(entryField)
        }
        result.locations[context.generatedPath] = result.locations[context.path]
        return entry
    }

    /// Parses `[ a = 1, (b).c = "x", default = 5, json_name = "n" ]` after a field.
    private mutating func parseFieldOptions(
        _ field: inout Google_Protobuf_FieldDescriptorProto, path: [Int32]
    ) throws(CodecError) {
        guard tryConsume("[") else { return }
        repeat {
            if lookingAt("default") {
                try parseDefault(&field, path: path)
            } else if lookingAt("json_name") {
                if field.hasJsonName { throw syntaxError("already set option \"json_name\"") }
                result.locations[path + [ProtoSourcePath.fieldJSONName]] = currentLocation
                advance()
                try consume("=")
                field.jsonName = try consumeText("Expected string for JSON name.")
            } else {
                try parseOptionAssignment(path: path)
            }
        } while tryConsume(",")
        try consume("]", "expected \"]\" or \",\" in the field options, found \(current.quoted)")
    }

    /// Parses `default = value` and stores it the way protoc prints it in a descriptor.
    private mutating func parseDefault(_ field: inout Google_Protobuf_FieldDescriptorProto, path: [Int32])
        throws(CodecError)
    {
        if field.hasDefaultValue { throw syntaxError("already set option \"default\"") }
        result.locations[path + [ProtoSourcePath.fieldDefault]] = currentLocation
        advance()
        try consume("=")
        guard field.hasType else {
            // A named type: an enum value name, checked once the type is resolved.
            field.defaultValue = try consumeIdentifier("Expected enum identifier for field default value.")
            return
        }
        switch field.type {
        case .float, .double:
            let negative = tryConsume("-")
            var value: Double
            if current.kind == .identifier && (current.text == "inf" || current.text == "nan") {
                value = current.text == "inf" ? .infinity : .nan
            } else if current.kind == .integer || current.kind == .float {
                guard let parsed = ProtoLexer.floatValue(current) else {
                    throw syntaxError("number \(current.text) is out of range")
                }
                value = parsed
            } else {
                throw syntaxError("expected a number for the field default value, found \(current.quoted)")
            }
            advance()
            if negative { value = -value }
            field.defaultValue =
                field.type == .float ? ProtoSourceFormat.shortest(Float(value)) : ProtoSourceFormat.shortest(value)
        case .int32, .sint32, .sfixed32, .int64, .sint64, .sfixed64:
            let is32 = field.type == .int32 || field.type == .sint32 || field.type == .sfixed32
            let negative = tryConsume("-")
            let max = (is32 ? UInt64(Int32.max) : UInt64(Int64.max)) + (negative ? 1 : 0)
            let magnitude = try consumeInteger(max: max, "Expected integer for field default value.")
            field.defaultValue = magnitude == 0 ? "0" : (negative ? "-" : "") + String(magnitude)
        case .uint32, .fixed32, .uint64, .fixed64:
            if lookingAt("-") { throw syntaxError("unsigned field can't have a negative default value") }
            let is32 = field.type == .uint32 || field.type == .fixed32
            let value = try consumeInteger(
                max: is32 ? UInt64(UInt32.max) : UInt64.max, "Expected integer for field default value.")
            field.defaultValue = String(value)
        case .bool:
            guard current.kind == .identifier, current.text == "true" || current.text == "false" else {
                throw syntaxError("expected \"true\" or \"false\", found \(current.quoted)")
            }
            field.defaultValue = current.text
            advance()
        case .string:
            field.defaultValue = try consumeText("Expected string for field default value.")
        case .bytes:
            field.defaultValue = ProtoSourceFormat.cEscape(try consumeString("Expected string."))
        case .group, .message, .enum:
            throw syntaxError("messages can't have default values")
        }
    }
}
