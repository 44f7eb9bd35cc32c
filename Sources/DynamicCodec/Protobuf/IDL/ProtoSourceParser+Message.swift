import SwiftProtobuf

extension ProtoSourceParser {
    /// Placeholder for `max` in a range until the message's `message_set_wire_format` option is known.
    static let maxRangeSentinel: Int32 = -1

    mutating func parseMessageDefinition(path: [Int32]) throws(CodecError) -> Google_Protobuf_DescriptorProto {
        let location = currentLocation
        noteLeadingComment(path: path)
        try consume("message")
        var message = Google_Protobuf_DescriptorProto()
        message.name = try consumeIdentifier("Expected message name.")
        result.locations[path] = location
        try parseMessageBlock(&message, path: path)
        if result.isProto3 {
            ProtoSourceParser.addSyntheticOneofs(to: &message)
        }
        return message
    }

    /// Parses `{ statements }` into `message`; shared by messages and groups.
    mutating func parseMessageBlock(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32]) throws(CodecError)
    {
        try consume("{", "expected \"{\" to open the message body, found \(current.quoted)")
        try enterBlock()
        while !tryConsume("}") {
            if atEnd { throw syntaxError("reached end of input in message definition (missing \"}\")") }
            try parseMessageStatement(&message, path: path)
        }
        depth -= 1
        let isMessageSet = (result.options[path] ?? []).contains {
            $0.isStandard("message_set_wire_format", setTo: "true")
        }
        let max = isMessageSet ? Int32.max : ProtoSourceRules.maxFieldNumber + 1
        for index in message.extensionRange.indices where message.extensionRange[index].end == Self.maxRangeSentinel {
            message.extensionRange[index].end = max
        }
        for index in message.reservedRange.indices where message.reservedRange[index].end == Self.maxRangeSentinel {
            message.reservedRange[index].end = max
        }
    }

    private mutating func parseMessageStatement(
        _ message: inout Google_Protobuf_DescriptorProto, path: [Int32]
    ) throws(CodecError) {
        if tryConsume(";") { return }
        if lookingAt("message") {
            let nestedPath = path + [ProtoSourcePath.messageNested, Int32(message.nestedType.count)]
            message.nestedType.append(try parseMessageDefinition(path: nestedPath))
        } else if lookingAt("enum") {
            let enumPath = path + [ProtoSourcePath.messageEnum, Int32(message.enumType.count)]
            message.enumType.append(try parseEnumDefinition(path: enumPath))
        } else if lookingAt("extensions") {
            try parseExtensionRanges(&message, path: path)
        } else if lookingAt("reserved") {
            try parseReserved(&message, path: path)
        } else if lookingAt("extend") {
            let parsed = try parseExtend(
                fieldPath: path + [ProtoSourcePath.messageExtension], firstField: message.extension.count,
                messagePath: path + [ProtoSourcePath.messageNested], firstMessage: message.nestedType.count)
            message.extension += parsed.fields
            message.nestedType += parsed.messages
        } else if lookingAt("option") {
            try parseOptionStatement(path: path)
        } else if lookingAt("oneof") {
            try parseOneof(&message, path: path)
        } else {
            let parsed = try parseField(
                context: FieldContext(
                    path: path + [ProtoSourcePath.messageField, Int32(message.field.count)],
                    generatedPath: path + [ProtoSourcePath.messageNested, Int32(message.nestedType.count)]))
            message.field.append(parsed.field)
            if let generated = parsed.generated { message.nestedType.append(generated) }
        }
    }

    private mutating func parseOneof(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32]) throws(CodecError)
    {
        let location = currentLocation
        try consume("oneof")
        let oneofIndex = Int32(message.oneofDecl.count)
        let oneofPath = path + [ProtoSourcePath.messageOneof, oneofIndex]
        var oneof = Google_Protobuf_OneofDescriptorProto()
        oneof.name = try consumeIdentifier("Expected oneof name.")
        message.oneofDecl.append(oneof)
        result.locations[oneofPath] = location
        try consume("{")
        repeat {
            if atEnd { throw syntaxError("reached end of input in oneof definition (missing \"}\")") }
            if lookingAt("option") {
                try parseOptionStatement(path: oneofPath)
                continue
            }
            if lookingAt("required") || lookingAt("optional") || lookingAt("repeated") {
                throw syntaxError("fields in oneofs must not have labels (required / optional / repeated)")
            }
            let parsed = try parseField(
                context: FieldContext(
                    path: path + [ProtoSourcePath.messageField, Int32(message.field.count)],
                    generatedPath: path + [ProtoSourcePath.messageNested, Int32(message.nestedType.count)],
                    oneofIndex: oneofIndex))
            message.field.append(parsed.field)
            if let generated = parsed.generated { message.nestedType.append(generated) }
        } while !tryConsume("}")
    }

    private mutating func parseExtensionRanges(
        _ message: inout Google_Protobuf_DescriptorProto, path: [Int32]
    ) throws(CodecError) {
        try consume("extensions")
        let first = message.extensionRange.count
        repeat {
            let rangePath = path + [ProtoSourcePath.messageExtensionRange, Int32(message.extensionRange.count)]
            result.locations[rangePath] = currentLocation
            let start = try consumeInt32("Expected field number range.")
            var range = Google_Protobuf_DescriptorProto.ExtensionRange()
            range.start = start
            range.end = try parseRangeEnd(start: start) &+ 1
            message.extensionRange.append(range)
        } while tryConsume(",")
        if lookingAt("[") {
            let firstPath = path + [ProtoSourcePath.messageExtensionRange, Int32(first)]
            try parseBracketedOptions(path: firstPath)
            // Options written once apply to every range of the statement, as in protoc.
            for index in (first + 1)..<message.extensionRange.count {
                result.options[path + [ProtoSourcePath.messageExtensionRange, Int32(index)]] = result.options[firstPath]
            }
        }
        try consume(";")
    }

    /// The inclusive end of a range after its start: `to N`, `to max` (the sentinel), or the start itself.
    private mutating func parseRangeEnd(start: Int32) throws(CodecError) -> Int32 {
        guard tryConsume("to") else { return start }
        if tryConsume("max") { return Self.maxRangeSentinel - 1 }
        return try consumeInt32("Expected integer.")
    }

    private mutating func parseReserved(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
        throws(CodecError)
    {
        try consume("reserved")
        if current.kind == .string {
            repeat {
                result.locations[path + [ProtoSourcePath.messageReservedName, Int32(message.reservedName.count)]] =
                    currentLocation
                message.reservedName.append(try consumeText("Expected field name."))
            } while tryConsume(",")
        } else {
            var first = true
            repeat {
                let rangePath = path + [ProtoSourcePath.messageReservedRange, Int32(message.reservedRange.count)]
                result.locations[rangePath] = currentLocation
                let start = try consumeInt32(
                    first ? "Expected field name or number range." : "Expected field number range.")
                var range = Google_Protobuf_DescriptorProto.ReservedRange()
                range.start = start
                range.end = try parseRangeEnd(start: start) &+ 1
                message.reservedRange.append(range)
                first = false
            } while tryConsume(",")
        }
        try consume(";")
    }

    /// Parses `extend Type { fields }`. Fields become extensions; group bodies become messages of the scope.
    mutating func parseExtend(
        fieldPath: [Int32], firstField: Int, messagePath: [Int32], firstMessage: Int
    ) throws(CodecError) -> (
        fields: [Google_Protobuf_FieldDescriptorProto], messages: [Google_Protobuf_DescriptorProto]
    ) {
        try consume("extend")
        let extendeeLocation = currentLocation
        let extendee = try parseUserDefinedType()
        try consume("{")
        var fields: [Google_Protobuf_FieldDescriptorProto] = []
        var messages: [Google_Protobuf_DescriptorProto] = []
        repeat {
            if atEnd { throw syntaxError("reached end of input in extend definition (missing \"}\")") }
            let path = fieldPath + [Int32(firstField + fields.count)]
            result.locations[path + [ProtoSourcePath.fieldExtendee]] = extendeeLocation
            let parsed = try parseField(
                context: FieldContext(
                    path: path, generatedPath: messagePath + [Int32(firstMessage + messages.count)],
                    extendee: extendee))
            fields.append(parsed.field)
            if let generated = parsed.generated { messages.append(generated) }
        } while !tryConsume("}")
        return (fields, messages)
    }

    /// Adds a one-field oneof named `_name` for every proto3 `optional` field, after the real oneofs, with protoc's
    /// rule for avoiding name clashes.
    static func addSyntheticOneofs(to message: inout Google_Protobuf_DescriptorProto) {
        var names = Set(message.field.map(\.name))
        names.formUnion(message.oneofDecl.map(\.name))
        for index in message.field.indices where message.field[index].proto3Optional {
            var name = message.field[index].name
            if !name.hasPrefix("_") { name = "_" + name }
            while names.contains(name) { name = "X" + name }
            names.insert(name)
            message.field[index].oneofIndex = Int32(message.oneofDecl.count)
            var oneof = Google_Protobuf_OneofDescriptorProto()
            oneof.name = name
            message.oneofDecl.append(oneof)
        }
    }
}
