/// `.proto` files that resolve without the user shipping them: the well-known types and the Google API HTTP
/// annotations. These are Portico's own definitions; they declare the same packages, names, numbers and types as
/// the upstream files (the wire facts), with documentation and language-specific options left out.
package enum BundledProtoFiles {
    package static let files: [String: String] = [
        "google/protobuf/descriptor.proto": descriptor,
        "google/protobuf/any.proto": any,
        "google/protobuf/api.proto": api,
        "google/protobuf/duration.proto": duration,
        "google/protobuf/empty.proto": empty,
        "google/protobuf/field_mask.proto": fieldMask,
        "google/protobuf/source_context.proto": sourceContext,
        "google/protobuf/struct.proto": structs,
        "google/protobuf/timestamp.proto": timestamp,
        "google/protobuf/type.proto": type,
        "google/protobuf/wrappers.proto": wrappers,
        "google/api/annotations.proto": googleAPIAnnotations,
        "google/api/http.proto": googleAPIHTTP,
    ]

    /// The options messages of the bundled `descriptor.proto`, used to interpret standard options in files that do
    /// not import it. Built once, on first use.
    static let standardOptions: Result<ProtoSchemaRegistry?, CodecError> = Result { () throws(CodecError) in
        let parsed = try ProtoSourceParser.parse(descriptor, fileName: "google/protobuf/descriptor.proto")
        var builder = ProtoSourceBuilder(standardRegistry: nil)
        _ = try builder.build(parsed)
        return builder.registry
    }
}
