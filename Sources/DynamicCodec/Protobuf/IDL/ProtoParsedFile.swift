import SwiftProtobuf

/// One `.proto` file after parsing and before linking: a descriptor whose type names are still written as in
/// source, plus the positions and the uninterpreted options of its elements.
///
/// Elements are keyed by their descriptor path, the same numbering protoc uses in `SourceCodeInfo`
/// (`[4, 0, 2, 1]` is the second field of the first message).
struct ProtoParsedFile: Sendable {
    var descriptor = Google_Protobuf_FileDescriptorProto()
    var isProto3 = false
    /// Where each element was declared; type references are keyed by the element path plus the descriptor
    /// field number of the reference (`type_name` 6, `extendee` 2, `input_type` 2, `output_type` 3).
    var locations: [[Int32]: SourceLocation] = [:]
    /// Option statements of each element, in source order. The file's own options use the empty path.
    var options: [[Int32]: [ProtoOptionStatement]] = [:]
    /// Where each import statement is, parallel to `descriptor.dependency`.
    var importLocations: [SourceLocation] = []
    /// Where the `package` statement is, if any.
    var packageLocation: SourceLocation?

    init(name: String) {
        descriptor.name = name
    }
}

/// Descriptor field numbers used to build element paths, as in `descriptor.proto`.
enum ProtoPath {
    static let fileMessage: Int32 = 4
    static let fileEnum: Int32 = 5
    static let fileService: Int32 = 6
    static let fileExtension: Int32 = 7
    static let messageField: Int32 = 2
    static let messageNested: Int32 = 3
    static let messageEnum: Int32 = 4
    static let messageExtensionRange: Int32 = 5
    static let messageExtension: Int32 = 6
    static let messageOneof: Int32 = 8
    static let messageReservedRange: Int32 = 9
    static let messageReservedName: Int32 = 10
    static let enumValue: Int32 = 2
    static let enumReservedRange: Int32 = 4
    static let enumReservedName: Int32 = 5
    static let serviceMethod: Int32 = 2
    static let fieldExtendee: Int32 = 2
    static let fieldNumber: Int32 = 3
    static let fieldTypeName: Int32 = 6
    static let fieldDefault: Int32 = 7
    static let fieldJSONName: Int32 = 10
    static let methodInput: Int32 = 2
    static let methodOutput: Int32 = 3
}
