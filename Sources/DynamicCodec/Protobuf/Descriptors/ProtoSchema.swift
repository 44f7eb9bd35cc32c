public import SwiftProtobuf

/// A loaded set of Protobuf files: every message, enum and service they declare, linked and indexed.
///
/// Immutable and `Sendable`: a schema can be shared across threads and swapped atomically as a whole. Fields refer
/// to their message and enum types by index into ``messages`` and ``enums``, so a schema has no reference cycles.
public final class ProtoSchema: Sendable {
    public let messages: [ProtoMessageDescriptor]
    public let enums: [ProtoEnumDescriptor]
    public let services: [ProtoServiceDescriptor]
    /// Extension fields declared anywhere (custom options included).
    public let extensions: [ProtoFieldDescriptor]
    /// The files, dependencies first, as `FileDescriptorProto`s (the form `protoc -o` writes).
    public let files: [Google_Protobuf_FileDescriptorProto]

    private let messagesByName: [String: Int]
    private let enumsByName: [String: Int]
    private let servicesByName: [String: Int]

    init(
        messages: [ProtoMessageDescriptor], enums: [ProtoEnumDescriptor], services: [ProtoServiceDescriptor],
        extensions: [ProtoFieldDescriptor], files: [Google_Protobuf_FileDescriptorProto]
    ) {
        self.messages = messages
        self.enums = enums
        self.services = services
        self.extensions = extensions
        self.files = files
        messagesByName = Dictionary(messages.map { ($0.fullName, $0.index) }, uniquingKeysWith: { first, _ in first })
        enumsByName = Dictionary(enums.map { ($0.fullName, $0.index) }, uniquingKeysWith: { first, _ in first })
        servicesByName = Dictionary(
            services.enumerated().map { ($1.fullName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The message type with this fully qualified name (a leading dot is accepted).
    public func message(named name: String) -> ProtoMessageDescriptor? {
        messagesByName[name.hasPrefix(".") ? String(name.dropFirst()) : name].map { messages[$0] }
    }

    /// The message type with this name, or an ``CodecError/Code/unknownType`` error naming close candidates.
    public func requireMessage(named name: String) throws(CodecError) -> ProtoMessageDescriptor {
        if let message = message(named: name) { return message }
        let short = name.split(separator: ".").last.map(String.init) ?? name
        let candidates = messages.filter { $0.name == short }.map(\.fullName)
        let hint = candidates.isEmpty ? "" : " (did you mean \(candidates.joined(separator: " or "))?)"
        throw CodecError(.unknownType, "no message type named '\(name)' in the schema\(hint)")
    }

    public func enumType(named name: String) -> ProtoEnumDescriptor? {
        enumsByName[name.hasPrefix(".") ? String(name.dropFirst()) : name].map { enums[$0] }
    }

    public func service(named name: String) -> ProtoServiceDescriptor? {
        servicesByName[name.hasPrefix(".") ? String(name.dropFirst()) : name].map { services[$0] }
    }

    /// The message type of a message, group or map field.
    @inline(__always)
    public func messageType(of field: ProtoFieldDescriptor) -> ProtoMessageDescriptor? {
        field.messageIndex >= 0 ? messages[field.messageIndex] : nil
    }

    /// The enum type of an enum field.
    @inline(__always)
    public func enumType(of field: ProtoFieldDescriptor) -> ProtoEnumDescriptor? {
        field.enumIndex >= 0 ? enums[field.enumIndex] : nil
    }

    /// The request type of a method.
    public func input(of method: ProtoMethodDescriptor) -> ProtoMessageDescriptor { messages[method.inputIndex] }
    /// The reply type of a method.
    public func output(of method: ProtoMethodDescriptor) -> ProtoMessageDescriptor { messages[method.outputIndex] }

    /// The schema as an encoded `FileDescriptorSet`, loadable by protoc-based tools and by ``init(descriptorSet:)``.
    public func descriptorSetBytes() throws -> [UInt8] {
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = files
        return try set.serializedBytes()
    }
}
