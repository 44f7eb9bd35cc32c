import SwiftProtobuf

extension ProtoSourceParser {
    mutating func parseEnumDefinition(path: [Int32]) throws(CodecError) -> Google_Protobuf_EnumDescriptorProto {
        result.locations[path] = currentLocation
        noteLeadingComment(path: path)
        try consume("enum")
        var enumType = Google_Protobuf_EnumDescriptorProto()
        enumType.name = try consumeIdentifier("Expected enum name.")
        try consume("{", "expected \"{\" to open the enum body, found \(current.quoted)")
        while !tryConsume("}") {
            if atEnd { throw syntaxError("reached end of input in enum definition (missing \"}\")") }
            if tryConsume(";") { continue }
            if lookingAt("option") {
                try parseOptionStatement(path: path)
            } else if lookingAt("reserved") {
                try parseEnumReserved(&enumType, path: path)
            } else {
                try parseEnumValue(&enumType, path: path)
            }
        }
        return enumType
    }

    private mutating func parseEnumValue(_ enumType: inout Google_Protobuf_EnumDescriptorProto, path: [Int32])
        throws(CodecError)
    {
        let valuePath = path + [ProtoSourcePath.enumValue, Int32(enumType.value.count)]
        result.locations[valuePath] = currentLocation
        noteLeadingComment(path: valuePath)
        var value = Google_Protobuf_EnumValueDescriptorProto()
        value.name = try consumeIdentifier("Expected enum constant name.")
        try consume("=", "missing numeric value for enum constant: expected \"=\", found \(current.quoted)")
        value.number = try consumeSignedInt32("Expected integer.")
        if lookingAt("[") { try parseBracketedOptions(path: valuePath) }
        try consume(";", "expected \";\" after the enum value, found \(current.quoted)")
        noteTrailingComment(path: valuePath)
        enumType.value.append(value)
    }

    /// Enum reserved ranges are inclusive and `max` means `INT32_MAX`, unlike message reserved ranges.
    private mutating func parseEnumReserved(
        _ enumType: inout Google_Protobuf_EnumDescriptorProto, path: [Int32]
    ) throws(CodecError) {
        try consume("reserved")
        if current.kind == .string {
            repeat {
                result.locations[path + [ProtoSourcePath.enumReservedName, Int32(enumType.reservedName.count)]] =
                    currentLocation
                enumType.reservedName.append(try consumeText("Expected enum value."))
            } while tryConsume(",")
        } else {
            var first = true
            repeat {
                result.locations[path + [ProtoSourcePath.enumReservedRange, Int32(enumType.reservedRange.count)]] =
                    currentLocation
                var range = Google_Protobuf_EnumDescriptorProto.EnumReservedRange()
                range.start = try consumeSignedInt32(
                    first ? "Expected enum value or number range." : "Expected enum number range.")
                if tryConsume("to") {
                    range.end = tryConsume("max") ? Int32.max : try consumeSignedInt32("Expected integer.")
                } else {
                    range.end = range.start
                }
                enumType.reservedRange.append(range)
                first = false
            } while tryConsume(",")
        }
        try consume(";")
    }
}
