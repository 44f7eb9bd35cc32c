import SwiftProtobuf

extension ProtoSourceBuilder {
    /// Interprets the option statements of every element of the file and stores the resulting options messages.
    mutating func interpretOptions(in file: inout Google_Protobuf_FileDescriptorProto) throws(CodecError) {
        let interpreter = ProtoOptionInterpreter(
            context: ProtoOptionContext(resolver: resolver, registry: registry, standard: standardRegistry))
        // protoc resolves file option names from a dummy element inside the package.
        let fileScope = package.isEmpty ? "dummy" : package + ".dummy"
        if let options: Google_Protobuf_FileOptions = try interpret(interpreter, path: [], scope: fileScope) {
            file.options = options
        }
        for index in file.messageType.indices {
            try interpretMessageOptions(
                &file.messageType[index], interpreter, path: [ProtoSourcePath.fileMessage, Int32(index)], scope: package
            )
        }
        for index in file.enumType.indices {
            try interpretEnumOptions(
                &file.enumType[index], interpreter, path: [ProtoSourcePath.fileEnum, Int32(index)], scope: package)
        }
        for index in file.extension.indices {
            try interpretFieldOptions(
                &file.extension[index], interpreter, path: [ProtoSourcePath.fileExtension, Int32(index)], scope: package
            )
        }
        for serviceIndex in file.service.indices {
            let path = [ProtoSourcePath.fileService, Int32(serviceIndex)]
            let serviceName = Self.join(package, file.service[serviceIndex].name)
            if let options: Google_Protobuf_ServiceOptions = try interpret(interpreter, path: path, scope: serviceName)
            {
                file.service[serviceIndex].options = options
            }
            for index in file.service[serviceIndex].method.indices {
                let methodPath = path + [ProtoSourcePath.serviceMethod, Int32(index)]
                let scope = serviceName + "." + file.service[serviceIndex].method[index].name
                if let options: Google_Protobuf_MethodOptions = try interpret(
                    interpreter, path: methodPath, scope: scope)
                {
                    file.service[serviceIndex].method[index].options = options
                }
            }
        }
    }

    private func interpretMessageOptions(
        _ message: inout Google_Protobuf_DescriptorProto, _ interpreter: ProtoOptionInterpreter, path: [Int32],
        scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, message.name)
        if let statement = parsed.options[path]?.first(where: { $0.name.count == 1 && $0.name[0].name == "map_entry" })
        {
            throw CodecError(
                .schemaError, "map_entry should not be set explicitly; use map<KeyType, ValueType> instead",
                location: statement.location)
        }
        if let options: Google_Protobuf_MessageOptions = try interpret(interpreter, path: path, scope: fullName) {
            message.options = options
        }
        for index in message.field.indices {
            try interpretFieldOptions(
                &message.field[index], interpreter, path: path + [ProtoSourcePath.messageField, Int32(index)],
                scope: fullName)
        }
        for index in message.oneofDecl.indices {
            let oneofPath = path + [ProtoSourcePath.messageOneof, Int32(index)]
            let oneofScope = fullName + "." + message.oneofDecl[index].name
            if let options: Google_Protobuf_OneofOptions = try interpret(
                interpreter, path: oneofPath, scope: oneofScope)
            {
                message.oneofDecl[index].options = options
            }
        }
        for index in message.extensionRange.indices {
            let rangePath = path + [ProtoSourcePath.messageExtensionRange, Int32(index)]
            if let options: Google_Protobuf_ExtensionRangeOptions = try interpret(
                interpreter, path: rangePath, scope: fullName)
            {
                message.extensionRange[index].options = options
            }
        }
        for index in message.nestedType.indices {
            try interpretMessageOptions(
                &message.nestedType[index], interpreter, path: path + [ProtoSourcePath.messageNested, Int32(index)],
                scope: fullName)
        }
        for index in message.enumType.indices {
            try interpretEnumOptions(
                &message.enumType[index], interpreter, path: path + [ProtoSourcePath.messageEnum, Int32(index)],
                scope: fullName)
        }
        for index in message.extension.indices {
            try interpretFieldOptions(
                &message.extension[index], interpreter, path: path + [ProtoSourcePath.messageExtension, Int32(index)],
                scope: fullName)
        }
    }

    private func interpretFieldOptions(
        _ field: inout Google_Protobuf_FieldDescriptorProto, _ interpreter: ProtoOptionInterpreter, path: [Int32],
        scope: String
    ) throws(CodecError) {
        guard
            let options: Google_Protobuf_FieldOptions = try interpret(
                interpreter, path: path, scope: scope + "." + field.name)
        else { return }
        if options.packed && !(field.label == .repeated && Self.isPackable(field.type)) {
            throw schemaError("[packed = true] can only be specified for repeated primitive fields", at: path)
        }
        if options.lazy && field.type != .message {
            throw schemaError("[lazy = true] can only be specified for submessage fields", at: path)
        }
        if options.jstype != .jsNormal {
            switch field.type {
            case .int64, .uint64, .sint64, .fixed64, .sfixed64: break
            default:
                throw schemaError(
                    "jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields", at: path)
            }
        }
        field.options = options
    }

    private func interpretEnumOptions(
        _ enumType: inout Google_Protobuf_EnumDescriptorProto, _ interpreter: ProtoOptionInterpreter, path: [Int32],
        scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, enumType.name)
        if let options: Google_Protobuf_EnumOptions = try interpret(interpreter, path: path, scope: fullName) {
            enumType.options = options
        }
        for index in enumType.value.indices {
            let valuePath = path + [ProtoSourcePath.enumValue, Int32(index)]
            // Enum values are scoped like C++: siblings of their enum.
            let valueScope = Self.join(scope, enumType.value[index].name)
            if let options: Google_Protobuf_EnumValueOptions = try interpret(
                interpreter, path: valuePath, scope: valueScope)
            {
                enumType.value[index].options = options
            }
        }
    }

    /// The options of the element at `path`, or nil when it has no option statements (an empty list, from a method's
    /// empty `{}` block, still gives empty options).
    private func interpret<Options: SwiftProtobuf.Message>(
        _ interpreter: ProtoOptionInterpreter, path: [Int32], scope: String
    ) throws(CodecError) -> Options? {
        guard let statements = parsed.options[path] else { return nil }
        let typeName = Options.protoMessageName
        let bytes = try interpreter.interpret(statements, optionsType: typeName, scope: scope)
        do {
            return try Options(serializedBytes: bytes)
        } catch {
            throw CodecError(
                .schemaError, "options do not form a valid \(typeName): \(error)",
                location: statements.first?.location ?? location(of: path))
        }
    }

    /// Sets `json_name` on every field and extension that has none, as `protoc -o` does.
    static func assignJSONNames(in file: inout Google_Protobuf_FileDescriptorProto) {
        for index in file.messageType.indices { assignJSONNames(in: &file.messageType[index]) }
        for index in file.extension.indices where !file.extension[index].hasJsonName {
            file.extension[index].jsonName = ProtoSourceNaming.jsonName(file.extension[index].name)
        }
    }

    private static func assignJSONNames(in message: inout Google_Protobuf_DescriptorProto) {
        for index in message.field.indices where !message.field[index].hasJsonName {
            message.field[index].jsonName = ProtoSourceNaming.jsonName(message.field[index].name)
        }
        for index in message.extension.indices where !message.extension[index].hasJsonName {
            message.extension[index].jsonName = ProtoSourceNaming.jsonName(message.extension[index].name)
        }
        for index in message.nestedType.indices { assignJSONNames(in: &message.nestedType[index]) }
    }
}
