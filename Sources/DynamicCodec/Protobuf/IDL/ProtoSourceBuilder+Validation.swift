import SwiftProtobuf

extension ProtoSourceBuilder {
    /// Checks the schema rules protoc enforces once names are resolved: field numbers, reserved numbers and
    /// names, extension ranges, map keys, enum values, and the proto3 restrictions.
    mutating func validate(_ file: Google_Protobuf_FileDescriptorProto) throws(CodecError) {
        for (index, message) in file.messageType.enumerated() {
            try validateMessage(message, path: [ProtoSourcePath.fileMessage, Int32(index)], scope: package)
        }
        for (index, enumType) in file.enumType.enumerated() {
            try validateEnum(enumType, path: [ProtoSourcePath.fileEnum, Int32(index)], scope: package)
        }
        for (index, field) in file.extension.enumerated() {
            try validateExtension(field, path: [ProtoSourcePath.fileExtension, Int32(index)], scope: package)
        }
    }

    private mutating func validateMessage(
        _ message: Google_Protobuf_DescriptorProto, path: [Int32], scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, message.name)
        try validateRanges(of: message, path: path)
        var numbers: [Int32: String] = [:]
        var jsonKeys: [String: String] = [:]
        for (index, field) in message.field.enumerated() {
            let fieldPath = path + [ProtoSourcePath.messageField, Int32(index)]
            try validateFieldNumber(field, path: fieldPath, isExtension: false)
            try validateFieldCommon(field, path: fieldPath)
            if let other = numbers.updateValue(field.name, forKey: field.number) {
                throw schemaError(
                    "field number \(field.number) has already been used in \"\(fullName)\" by field \"\(other)\"",
                    at: fieldPath + [ProtoSourcePath.fieldNumber])
            }
            if let range = message.reservedRange.first(where: { $0.start <= field.number && field.number < $0.end }) {
                throw schemaError(
                    "field \"\(field.name)\" uses reserved number \(field.number) "
                        + "(reserved \(Self.describe(range.start, range.end - 1)))",
                    at: fieldPath + [ProtoSourcePath.fieldNumber])
            }
            if message.reservedName.contains(field.name) {
                throw schemaError("field name \"\(field.name)\" is reserved", at: fieldPath)
            }
            if let range = message.extensionRange.first(where: { $0.start <= field.number && field.number < $0.end }) {
                throw schemaError(
                    "extension range \(Self.describe(range.start, range.end - 1)) includes field "
                        + "\"\(field.name)\" (\(field.number))",
                    at: fieldPath + [ProtoSourcePath.fieldNumber])
            }
            if isProto3 {
                if field.type == .enum, let enumInfo = registry.enums[String(field.typeName.dropFirst())],
                    !enumInfo.isOpen
                {
                    throw schemaError(
                        "enum type \"\(enumInfo.fullName)\" is not a proto3 enum, but is used in \"\(fullName)\" "
                            + "which is a proto3 message type",
                        at: fieldPath + [ProtoSourcePath.fieldTypeName])
                }
                let key = String(field.name.lowercased().filter { $0 != "_" })
                if let other = jsonKeys.updateValue(field.name, forKey: key) {
                    throw schemaError(
                        "the JSON camel-case name of field \"\(field.name)\" conflicts with field \"\(other)\"; "
                            + "this is not allowed in proto3",
                        at: fieldPath)
                }
            }
        }
        if message.options.mapEntry, let key = message.field.first {
            switch key.type {
            case .float, .double, .bytes, .message, .group:
                throw schemaError("key in map fields cannot be float/double, bytes or message types", at: path)
            case .enum:
                throw schemaError("key in map fields cannot be enum types", at: path)
            default:
                break
            }
            if let value = message.field.last, value.type == .enum,
                registry.enums[String(value.typeName.dropFirst())]?.values.first?.number != 0
            {
                throw schemaError("enum value in map must define 0 as the first value", at: path)
            }
        }
        if isProto3 && !message.extensionRange.isEmpty {
            throw schemaError(
                "extension ranges are not allowed in proto3", at: path + [ProtoSourcePath.messageExtensionRange, 0])
        }
        for (index, nested) in message.nestedType.enumerated() {
            try validateMessage(nested, path: path + [ProtoSourcePath.messageNested, Int32(index)], scope: fullName)
        }
        for (index, enumType) in message.enumType.enumerated() {
            try validateEnum(enumType, path: path + [ProtoSourcePath.messageEnum, Int32(index)], scope: fullName)
        }
        for (index, field) in message.extension.enumerated() {
            try validateExtension(
                field, path: path + [ProtoSourcePath.messageExtension, Int32(index)], scope: fullName)
        }
    }

    private func validateRanges(of message: Google_Protobuf_DescriptorProto, path: [Int32]) throws(CodecError) {
        var reserved: [(Int32, Int32)] = []
        for (index, range) in message.reservedRange.enumerated() {
            let rangePath = path + [ProtoSourcePath.messageReservedRange, Int32(index)]
            if range.start <= 0 { throw schemaError("reserved numbers must be positive integers", at: rangePath) }
            if range.end <= range.start {
                throw schemaError("reserved range end number must be greater than start number", at: rangePath)
            }
            if let other = reserved.first(where: { $0.0 < range.end && range.start < $0.1 }) {
                throw schemaError(
                    "reserved range \(Self.describe(range.start, range.end - 1)) overlaps with already-defined range "
                        + Self.describe(other.0, other.1 - 1),
                    at: rangePath)
            }
            reserved.append((range.start, range.end))
        }
        let isMessageSet =
            message.options.messageSetWireFormat
            || (parsed.options[path] ?? []).contains { $0.isStandard("message_set_wire_format", setTo: "true") }
        var extensions: [(Int32, Int32)] = []
        for (index, range) in message.extensionRange.enumerated() {
            let rangePath = path + [ProtoSourcePath.messageExtensionRange, Int32(index)]
            if range.start <= 0 { throw schemaError("extension numbers must be positive integers", at: rangePath) }
            if range.end <= range.start {
                throw schemaError("extension range end number must be greater than start number", at: rangePath)
            }
            if !isMessageSet && range.end > ProtoSourceRules.maxFieldNumber + 1 {
                throw schemaError(
                    "extension numbers cannot be greater than \(ProtoSourceRules.maxFieldNumber)", at: rangePath)
            }
            if let other = extensions.first(where: { $0.0 < range.end && range.start < $0.1 }) {
                throw schemaError(
                    "extension range \(Self.describe(range.start, range.end - 1)) overlaps with already-defined range "
                        + Self.describe(other.0, other.1 - 1),
                    at: rangePath)
            }
            if let other = reserved.first(where: { $0.0 < range.end && range.start < $0.1 }) {
                throw schemaError(
                    "extension range \(Self.describe(range.start, range.end - 1)) overlaps with reserved range "
                        + Self.describe(other.0, other.1 - 1),
                    at: rangePath)
            }
            extensions.append((range.start, range.end))
        }
    }

    private func validateFieldNumber(
        _ field: Google_Protobuf_FieldDescriptorProto, path: [Int32], isExtension: Bool
    ) throws(CodecError) {
        let numberPath = path + [ProtoSourcePath.fieldNumber]
        if field.number <= 0 {
            throw schemaError(
                "field numbers must be positive integers (\"\(field.name)\" has \(field.number))", at: numberPath)
        }
        if !isExtension && field.number > ProtoSourceRules.maxFieldNumber {
            throw schemaError(
                "field numbers cannot be greater than \(ProtoSourceRules.maxFieldNumber) "
                    + "(\"\(field.name)\" has \(field.number))",
                at: numberPath)
        }
        if ProtoSourceRules.implementationReserved.contains(field.number) {
            throw schemaError(
                "field numbers 19000 through 19999 are reserved for the protocol buffer library implementation "
                    + "(\"\(field.name)\" has \(field.number))",
                at: numberPath)
        }
    }

    private func validateFieldCommon(_ field: Google_Protobuf_FieldDescriptorProto, path: [Int32]) throws(CodecError) {
        guard field.hasDefaultValue else { return }
        if field.label == .repeated {
            throw schemaError("repeated fields can't have default values", at: path + [ProtoSourcePath.fieldDefault])
        }
        if isProto3 {
            throw schemaError(
                "explicit default values are not allowed in proto3", at: path + [ProtoSourcePath.fieldDefault])
        }
    }

    private mutating func validateExtension(
        _ field: Google_Protobuf_FieldDescriptorProto, path: [Int32], scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, field.name)
        let extendee = String(field.extendee.dropFirst())
        let numberPath = path + [ProtoSourcePath.fieldNumber]
        try validateFieldNumber(field, path: path, isExtension: true)
        try validateFieldCommon(field, path: path)
        if field.hasJsonName {
            throw schemaError(
                "option json_name is not allowed on extension fields", at: path + [ProtoSourcePath.fieldJSONName])
        }
        if field.label == .required {
            throw schemaError("message extensions cannot have required fields", at: path)
        }
        if isProto3 && !(extendee.hasPrefix("google.protobuf.") && extendee.hasSuffix("Options")) {
            throw schemaError("extensions in proto3 are only allowed for defining options", at: path)
        }
        let ranges = registry.messages[extendee]?.extensionRanges ?? []
        guard ranges.contains(where: { $0.start <= field.number && field.number < $0.end }) else {
            throw schemaError("\"\(extendee)\" does not declare \(field.number) as an extension number", at: numberPath)
        }
        if let other = extensionNumbers[extendee, default: [:]].updateValue(fullName, forKey: field.number) {
            throw schemaError(
                "extension number \(field.number) has already been used in \"\(extendee)\" by extension \"\(other)\"",
                at: numberPath)
        }
    }

    private func validateEnum(_ enumType: Google_Protobuf_EnumDescriptorProto, path: [Int32], scope: String)
        throws(CodecError)
    {
        let fullName = Self.join(scope, enumType.name)
        guard let first = enumType.value.first else {
            throw schemaError("enums must contain at least one value (\"\(fullName)\" has none)", at: path)
        }
        if isProto3 && first.number != 0 {
            throw schemaError(
                "the first enum value must be zero in proto3 (\"\(first.name)\" is \(first.number))",
                at: path + [ProtoSourcePath.enumValue, 0])
        }
        let statements = parsed.options[path] ?? []
        let allowAlias = statements.contains { $0.isStandard("allow_alias", setTo: "true") }
        var byNumber: [Int32: String] = [:]
        var hasAlias = false
        var pascalNames: [String: Google_Protobuf_EnumValueDescriptorProto] = [:]
        for (index, value) in enumType.value.enumerated() {
            let valuePath = path + [ProtoSourcePath.enumValue, Int32(index)]
            if let other = byNumber[value.number] {
                hasAlias = true
                if !allowAlias {
                    throw schemaError(
                        "\"\(Self.join(scope, value.name))\" uses the same enum value as "
                            + "\"\(Self.join(scope, other))\"; "
                            + "if this is intended, set 'option allow_alias = true;' to the enum definition",
                        at: valuePath)
                }
            } else {
                byNumber[value.number] = value.name
            }
            if let range = enumType.reservedRange.first(where: { $0.start <= value.number && value.number <= $0.end }) {
                throw schemaError(
                    "enum value \"\(value.name)\" uses reserved number \(value.number) "
                        + "(reserved \(Self.describe(range.start, range.end)))",
                    at: valuePath)
            }
            if enumType.reservedName.contains(value.name) {
                throw schemaError("enum value \"\(value.name)\" is reserved", at: valuePath)
            }
            if isProto3 {
                let key = Self.pascalCase(Self.removingPrefix(enumType.name, from: value.name))
                if let other = pascalNames[key], other.name != value.name, other.number != value.number {
                    throw schemaError(
                        "enum name \(value.name) has the same name as \(other.name) if you ignore case and strip out "
                            + "the enum name prefix (if any); this is error-prone and not allowed in proto3",
                        at: valuePath)
                }
                if pascalNames[key] == nil { pascalNames[key] = value }
            }
        }
        if allowAlias && !hasAlias {
            throw schemaError(
                "\"\(fullName)\" declares 'option allow_alias = true;' but no enum values share a number; remove the "
                    + "option",
                at: path)
        }
        for (index, range) in enumType.reservedRange.enumerated() where range.end < range.start {
            throw schemaError(
                "reserved range end number must be greater than start number",
                at: path + [ProtoSourcePath.enumReservedRange, Int32(index)])
        }
    }

    static func describe(_ start: Int32, _ end: Int32) -> String {
        start == end ? "\(start)" : "\(start) to \(end)"
    }

    /// protoc's rule for proto3 enum value clashes: drop the enum's name (case- and underscore-insensitively) from
    /// the front of the value name.
    static func removingPrefix(_ enumName: String, from valueName: String) -> String {
        let prefix = Array(enumName.lowercased().utf8.filter { $0 != UInt8(ascii: "_") })
        let value = Array(valueName.utf8)
        var i = 0
        var j = 0
        while i < value.count && j < prefix.count {
            if value[i] == UInt8(ascii: "_") {
                i += 1
                continue
            }
            let lower = value[i] >= UInt8(ascii: "A") && value[i] <= UInt8(ascii: "Z") ? value[i] + 32 : value[i]
            if lower != prefix[j] { return valueName }
            i += 1
            j += 1
        }
        if j < prefix.count { return valueName }
        while i < value.count && value[i] == UInt8(ascii: "_") { i += 1 }
        if i == value.count { return valueName }
        return String(decoding: value[i...], as: UTF8.self)
    }

    static func pascalCase(_ name: String) -> String {
        var result = ""
        var upperNext = true
        for character in name {
            if character == "_" {
                upperNext = true
            } else {
                result += upperNext ? character.uppercased() : character.lowercased()
                upperNext = false
            }
        }
        return result
    }
}
