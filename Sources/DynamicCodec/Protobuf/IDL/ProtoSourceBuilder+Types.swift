import SwiftProtobuf

extension ProtoSourceBuilder {
    /// Records the resolved messages and extensions of the file, so options (of this file and later ones) can be
    /// interpreted against them.
    mutating func registerTypes(of file: Google_Protobuf_FileDescriptorProto) {
        for (index, message) in file.messageType.enumerated() {
            registerMessageInfo(message, path: [ProtoSourcePath.fileMessage, Int32(index)], scope: package)
        }
        for (index, field) in file.extension.enumerated() {
            let fullName = Self.join(package, field.name)
            registry.extensions[fullName] = fieldInfo(
                field, fullName: fullName, path: [ProtoSourcePath.fileExtension, Int32(index)])
        }
    }

    private mutating func registerMessageInfo(_ message: Google_Protobuf_DescriptorProto, path: [Int32], scope: String)
    {
        let fullName = Self.join(scope, message.name)
        let fields = message.field.enumerated().map { index, field in
            fieldInfo(
                field, fullName: fullName + "." + field.name, path: path + [ProtoSourcePath.messageField, Int32(index)])
        }
        registry.messages[fullName] = ProtoSchemaMessage(
            fullName: fullName, name: message.name, fields: fields, oneofNames: message.oneofDecl.map(\.name),
            extensionRanges: message.extensionRange.map { ($0.start, $0.end) }, isMapEntry: message.options.mapEntry)
        for (index, field) in message.extension.enumerated() {
            let extensionName = fullName + "." + field.name
            registry.extensions[extensionName] = fieldInfo(
                field, fullName: extensionName, path: path + [ProtoSourcePath.messageExtension, Int32(index)])
        }
        for (index, nested) in message.nestedType.enumerated() {
            registerMessageInfo(nested, path: path + [ProtoSourcePath.messageNested, Int32(index)], scope: fullName)
        }
    }

    private func fieldInfo(_ field: Google_Protobuf_FieldDescriptorProto, fullName: String, path: [Int32])
        -> ProtoSchemaField
    {
        let isRepeated = field.label == .repeated
        let isMessage = field.type == .message || field.type == .group
        let statements = parsed.options[path] ?? []
        var isPacked = isProto3 && isRepeated && Self.isPackable(field.type)
        if statements.contains(where: { $0.isStandard("packed", setTo: "true") }) { isPacked = true }
        if statements.contains(where: { $0.isStandard("packed", setTo: "false") }) { isPacked = false }
        return ProtoSchemaField(
            name: field.name, fullName: fullName, number: field.number, label: field.label, type: field.type,
            typeName: field.hasTypeName ? String(field.typeName.dropFirst()) : "",
            isPacked: isPacked && isRepeated && Self.isPackable(field.type),
            hasPresence: !isRepeated && (isMessage || !isProto3 || field.hasOneofIndex || field.hasExtendee),
            oneofIndex: field.hasOneofIndex ? field.oneofIndex : nil,
            extendee: field.hasExtendee ? String(field.extendee.dropFirst()) : nil)
    }

    /// Scalar numeric types (and enums), which repeated fields may pack.
    static func isPackable(_ type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> Bool {
        switch type {
        case .string, .bytes, .message, .group: false
        default: true
        }
    }
}
