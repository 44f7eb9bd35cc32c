import SwiftProtobuf

extension ProtoSourceBuilder {
    /// Replaces every type name, extendee and method type as written with its fully qualified, leading-dot form,
    /// and sets the field type to message or enum the way protoc does.
    mutating func resolveReferences(in file: inout Google_Protobuf_FileDescriptorProto) throws(CodecError) {
        for index in file.messageType.indices {
            try resolveMessage(
                &file.messageType[index], path: [ProtoSourcePath.fileMessage, Int32(index)],
                fullName: Self.join(package, file.messageType[index].name))
        }
        for index in file.extension.indices {
            try resolveField(
                &file.extension[index], path: [ProtoSourcePath.fileExtension, Int32(index)],
                fullName: Self.join(package, file.extension[index].name))
        }
        for serviceIndex in file.service.indices {
            let servicePath = [ProtoSourcePath.fileService, Int32(serviceIndex)]
            let serviceName = Self.join(package, file.service[serviceIndex].name)
            for index in file.service[serviceIndex].method.indices {
                var method = file.service[serviceIndex].method[index]
                let path = servicePath + [ProtoSourcePath.serviceMethod, Int32(index)]
                let methodName = serviceName + "." + method.name
                method.inputType = try resolveMessageReference(
                    method.inputType, from: methodName, at: path + [ProtoSourcePath.methodInput])
                method.outputType = try resolveMessageReference(
                    method.outputType, from: methodName, at: path + [ProtoSourcePath.methodOutput])
                file.service[serviceIndex].method[index] = method
            }
        }
    }

    private func resolveMessage(
        _ message: inout Google_Protobuf_DescriptorProto, path: [Int32], fullName: String
    ) throws(CodecError) {
        for index in message.field.indices {
            try resolveField(
                &message.field[index], path: path + [ProtoSourcePath.messageField, Int32(index)],
                fullName: fullName + "." + message.field[index].name)
        }
        for index in message.extension.indices {
            try resolveField(
                &message.extension[index], path: path + [ProtoSourcePath.messageExtension, Int32(index)],
                fullName: fullName + "." + message.extension[index].name)
        }
        for index in message.nestedType.indices {
            try resolveMessage(
                &message.nestedType[index], path: path + [ProtoSourcePath.messageNested, Int32(index)],
                fullName: fullName + "." + message.nestedType[index].name)
        }
    }

    private func resolveField(
        _ field: inout Google_Protobuf_FieldDescriptorProto, path: [Int32], fullName: String
    ) throws(CodecError) {
        if field.hasTypeName {
            let written = field.typeName
            let typePath = path + [ProtoSourcePath.fieldTypeName]
            let (name, kind) = try resolve(written, from: fullName, typesOnly: true, at: typePath)
            if !field.hasType {
                switch kind {
                case .message: field.type = .message
                case .enumType: field.type = .enum
                default: throw schemaError("\"\(written)\" is not a type (it is \(kind.noun))", at: typePath)
                }
            }
            if field.type == .message || field.type == .group {
                guard kind == .message else {
                    throw schemaError("\"\(written)\" is not a message type", at: typePath)
                }
                if field.hasDefaultValue {
                    throw schemaError("messages can't have default values", at: path + [ProtoSourcePath.fieldDefault])
                }
            } else {
                guard kind == .enumType else { throw schemaError("\"\(written)\" is not an enum type", at: typePath) }
                if field.hasDefaultValue {
                    let values = registry.enums[name]?.values ?? []
                    guard values.contains(where: { $0.name == field.defaultValue }) else {
                        throw schemaError(
                            "enum type \"\(name)\" has no value named \"\(field.defaultValue)\"",
                            at: path + [ProtoSourcePath.fieldDefault])
                    }
                }
            }
            field.typeName = "." + name
        }
        if field.hasExtendee {
            field.extendee = try resolveMessageReference(
                field.extendee, from: fullName, at: path + [ProtoSourcePath.fieldExtendee])
        }
    }

    /// Resolves a name that must denote a message (extendees, method input and output types).
    private func resolveMessageReference(_ written: String, from scope: String, at path: [Int32]) throws(CodecError)
        -> String
    {
        let (name, kind) = try resolve(written, from: scope, typesOnly: false, at: path)
        guard kind == .message else {
            throw schemaError("\"\(written)\" is not a message type (it is \(kind.noun))", at: path)
        }
        return "." + name
    }

    func resolve(
        _ written: String, from scope: String, typesOnly: Bool, at path: [Int32]
    ) throws(CodecError) -> (String, ProtoSchemaSymbols.Kind) {
        switch resolver.lookup(written, relativeTo: scope, typesOnly: typesOnly) {
        case .found(let name, let kind):
            return (name, kind)
        case .notFound(let hiddenIn):
            var message = "\"\(written)\" is not defined"
            if let hiddenIn {
                message +=
                    "; it seems to be defined in \"\(hiddenIn)\", which is not imported by \"\(fileName)\". "
                    + "To use it here, add the necessary import"
            }
            throw CodecError(.schemaError, message, location: location(of: path))
        case .resolvedToUndefined(let full):
            throw CodecError(
                .schemaError,
                "\"\(written)\" is resolved to \"\(full)\", which is not defined. The innermost scope is searched "
                    + "first in name resolution. Consider using a leading '.' (i.e., \".\(written)\") to start from "
                    + "the outermost scope",
                location: location(of: path))
        }
    }
}
