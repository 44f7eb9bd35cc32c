public import Foundation

extension ProtoSchema {
    /// Loads `.proto` source files (with their imports) using our own parser.
    public convenience init(protoFiles: [String], source: ProtoFileSource) throws(CodecError) {
        let parsed = try ProtoParser.parse(files: protoFiles, source: source)
        try self.init(files: parsed.files, locations: parsed.locations, documentation: parsed.documentation)
    }

    /// Loads a schema file by its extension: `.proto` text (imports resolved in `includeDirectories`, then the
    /// file's own directory, then the bundled well-known files), or a compiled descriptor set
    /// (`.pb`, `.desc`, `.protoset`, `.binpb`).
    public static func load(path: String, includeDirectories: [String] = []) throws(CodecError) -> ProtoSchema {
        let url = URL(fileURLWithPath: path)
        if url.pathExtension == "proto" {
            var directories = includeDirectories
            // The file is named relative to an include directory containing it, else to its own directory.
            var relative = url.lastPathComponent
            if let root = includeDirectories.first(where: { path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) {
                relative = String(path.dropFirst(root.hasSuffix("/") ? root.count : root.count + 1))
            } else {
                directories.append(url.deletingLastPathComponent().path)
            }
            return try ProtoSchema(protoFiles: [relative], source: ProtoFileSource(directories: directories))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CodecError(.importNotFound, "cannot read schema file '\(path)'")
        }
        return try ProtoSchema(descriptorSet: [UInt8](data))
    }
}
