import SwiftProtobuf

/// What option interpretation needs to know about a field: enough to find it by name and encode a value for it.
struct ProtoSchemaField: Sendable {
    var name: String
    var fullName: String
    var number: Int32
    var label: Google_Protobuf_FieldDescriptorProto.Label
    var type: Google_Protobuf_FieldDescriptorProto.TypeEnum
    /// Full name of the message or enum type, without a leading dot; empty for scalars.
    var typeName: String
    var isPacked: Bool
    /// Whether a value equal to the default is still written (false for proto3 singular scalars).
    var hasPresence: Bool
    var oneofIndex: Int32?
    /// Full name of the extended message, for extensions.
    var extendee: String?

    var isMessage: Bool { type == .message || type == .group }
    var isRepeated: Bool { label == .repeated }
}

struct ProtoSchemaMessage: Sendable {
    var fullName: String
    var name: String
    var fields: [ProtoSchemaField]
    var oneofNames: [String]
    /// Extension ranges as `start..<end`.
    var extensionRanges: [(start: Int32, end: Int32)]
    var isMapEntry: Bool

    func field(named name: String) -> ProtoSchemaField? {
        fields.first { $0.name == name }
    }
}

struct ProtoSchemaEnum: Sendable {
    var fullName: String
    var values: [(name: String, number: Int32)]
    /// Proto3 enums accept numbers they do not declare.
    var isOpen: Bool
}

/// The messages, enums and extensions of the files built so far, by full name without a leading dot.
struct ProtoSchemaRegistry: Sendable {
    var messages: [String: ProtoSchemaMessage] = [:]
    var enums: [String: ProtoSchemaEnum] = [:]
    var extensions: [String: ProtoSchemaField] = [:]
}
