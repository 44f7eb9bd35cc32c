public import SwiftProtobuf

/// The result of parsing `.proto` files: the descriptors `protoc --include_imports -o` would write, and where each
/// element was declared.
public struct ParsedProtoFiles: Sendable {
    /// Every file needed, dependencies first, like `protoc --include_imports`.
    public var files: [Google_Protobuf_FileDescriptorProto]
    /// Source location of each declared element, keyed by fully qualified name without leading dot
    /// ("pkg.Msg", "pkg.Msg.field_name", "pkg.Enum.VALUE", "pkg.Service.Method"); used by the linker for error
    /// positions.
    public var locations: [String: SourceLocation]
    /// The doc comment of each element that has one (the comment block directly above it, or a comment after it
    /// on the same line), by the same names as ``locations``. The descriptors themselves carry no comments, like
    /// protoc's output without `--include_source_info`.
    public var documentation: [String: String]

    public init(
        files: [Google_Protobuf_FileDescriptorProto], locations: [String: SourceLocation],
        documentation: [String: String] = [:]
    ) {
        self.files = files
        self.locations = locations
        self.documentation = documentation
    }
}

/// Parses Protocol Buffers IDL (proto2 and proto3) into standard descriptor protos, without needing `protoc`.
///
/// The output equals what `protoc --include_imports -o set.pb` writes (without `source_code_info`): type names
/// resolved and fully qualified, map entries and synthetic oneofs synthesized, JSON names set on every field, and
/// options — standard and custom, including message literals such as `(google.api.http)` — interpreted into the
/// options messages with custom options kept as unknown fields in protoc's byte order. The well-known types and
/// `google/api/{annotations,http}.proto` are built in.
public enum ProtoParser {
    /// Parses the named files (relative names, as they would be written in an import) and all their imports.
    ///
    /// Throws ``CodecError`` with code `syntaxError`, `schemaError` or `importNotFound` and the file, line and
    /// column of the first problem found.
    public static func parse(files: [String], source: ProtoFileSource) throws(CodecError) -> ParsedProtoFiles {
        var resolver = ProtoImportResolver(source: source)
        for name in files {
            try resolver.load(name, importedAt: nil)
        }
        var builder = ProtoSourceBuilder(standardRegistry: try BundledProtoFiles.standardOptions.get())
        var descriptors: [Google_Protobuf_FileDescriptorProto] = []
        for file in resolver.ordered {
            descriptors.append(try builder.build(file))
        }
        return ParsedProtoFiles(
            files: descriptors, locations: builder.locations, documentation: builder.documentation)
    }
}
