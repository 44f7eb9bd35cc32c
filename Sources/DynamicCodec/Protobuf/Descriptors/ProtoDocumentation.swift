import SwiftProtobuf

/// Doc comments of a compiled file: protoc keeps them in `SourceCodeInfo` when run with `--include_source_info`.
enum ProtoDocumentation {
    /// The leading comment (else the trailing one) of each message, field, enum, enum value, service and method of
    /// `file`, keyed like ``ParsedProtoFiles/locations``: `pkg.Msg`, `pkg.Msg.field`, `pkg.Enum.VALUE`,
    /// `pkg.Service.Method`. Empty when the file has no source info.
    static func comments(in file: Google_Protobuf_FileDescriptorProto) -> [String: String] {
        guard file.hasSourceCodeInfo else { return [:] }
        var byPath: [[Int32]: String] = [:]
        for location in file.sourceCodeInfo.location {
            let raw: String? =
                location.hasLeadingComments
                ? location.leadingComments : location.hasTrailingComments ? location.trailingComments : nil
            if let raw, let text = IDLComments.normalized(raw) { byPath[location.path] = text }
        }
        guard !byPath.isEmpty else { return [:] }
        var result: [String: String] = [:]
        func note(_ name: String, _ path: [Int32]) {
            if let text = byPath[path] { result[name] = text }
        }
        func visitEnum(_ enumType: Google_Protobuf_EnumDescriptorProto, path: [Int32], scope: String) {
            let name = ProtoLinker.join(scope, enumType.name)
            note(name, path)
            for (index, value) in enumType.value.enumerated() {
                note(name + "." + value.name, path + [ProtoSourcePath.enumValue, Int32(index)])
            }
        }
        func visitMessage(_ message: Google_Protobuf_DescriptorProto, path: [Int32], scope: String) {
            let name = ProtoLinker.join(scope, message.name)
            note(name, path)
            for (index, field) in message.field.enumerated() {
                note(name + "." + field.name, path + [ProtoSourcePath.messageField, Int32(index)])
            }
            for (index, nested) in message.nestedType.enumerated() {
                visitMessage(nested, path: path + [ProtoSourcePath.messageNested, Int32(index)], scope: name)
            }
            for (index, nested) in message.enumType.enumerated() {
                visitEnum(nested, path: path + [ProtoSourcePath.messageEnum, Int32(index)], scope: name)
            }
        }
        for (index, message) in file.messageType.enumerated() {
            visitMessage(message, path: [ProtoSourcePath.fileMessage, Int32(index)], scope: file.package)
        }
        for (index, enumType) in file.enumType.enumerated() {
            visitEnum(enumType, path: [ProtoSourcePath.fileEnum, Int32(index)], scope: file.package)
        }
        for (index, service) in file.service.enumerated() {
            let path = [ProtoSourcePath.fileService, Int32(index)]
            let name = ProtoLinker.join(file.package, service.name)
            note(name, path)
            for (methodIndex, method) in service.method.enumerated() {
                note(name + "." + method.name, path + [ProtoSourcePath.serviceMethod, Int32(methodIndex)])
            }
        }
        return result
    }
}
