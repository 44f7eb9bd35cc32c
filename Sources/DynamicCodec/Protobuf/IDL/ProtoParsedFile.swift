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
    /// The doc comment of each message, field, enum, enum value, service and method that has one.
    var comments: [[Int32]: String] = [:]
    /// Where the `package` statement is, if any.
    var packageLocation: SourceLocation?

    init(name: String) {
        descriptor.name = name
    }
}
