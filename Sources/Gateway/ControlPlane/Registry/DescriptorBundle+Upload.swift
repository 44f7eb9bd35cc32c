#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DescriptorBundle {
    /// Reads an upload body: JSON `{"main": "a.thrift", "files": {...}}` or `{"descriptor_set": "<base64>"}`,
    /// `multipart/form-data` (files, plus an optional `main` field; a `.pb`/`.desc` file part is a descriptor
    /// set), or a raw descriptor set (`application/octet-stream`).
    static func upload(body: [UInt8], contentType: String?) throws(GatewayError) -> DescriptorBundle {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: " ").lowercased() }
        switch mediaType {
        case "multipart/form-data":
            guard let boundary = MultipartForm.boundary(contentType ?? "") else {
                throw .invalidArgument("multipart/form-data without a boundary parameter")
            }
            return try fromMultipart(try MultipartForm.parse(body, boundary: boundary))
        case "application/octet-stream", "application/x-protobuf", "application/vnd.google.protobuf":
            return DescriptorBundle(descriptorSet: body)
        default:
            return try fromJSON(body)
        }
    }

    private struct JSONUpload: Decodable {
        var main: String?
        var files: [String: String]?
        var descriptorSet: String?

        enum CodingKeys: String, CodingKey {
            case main, files
            case descriptorSet = "descriptor_set"
        }
    }

    private static func fromJSON(_ body: [UInt8]) throws(GatewayError) -> DescriptorBundle {
        let upload: JSONUpload
        do {
            upload = try JSONDecoder().decode(JSONUpload.self, from: Data(body))
        } catch {
            throw GatewayError(
                code: "INVALID_JSON", status: 400,
                "the upload must be JSON {\"main\": ..., \"files\": {...}} or {\"descriptor_set\": \"<base64>\"}")
        }
        if let encoded = upload.descriptorSet {
            guard upload.files == nil else { throw .invalidArgument("give either files or descriptor_set, not both") }
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw .invalidArgument("descriptor_set is not valid base64")
            }
            return DescriptorBundle(descriptorSet: [UInt8](data))
        }
        guard let files = upload.files, !files.isEmpty else {
            throw .invalidArgument("the upload has no files and no descriptor_set")
        }
        guard let main = upload.main ?? (files.count == 1 ? files.keys.first : nil) else {
            throw .invalidArgument("main is required when several files are uploaded")
        }
        return try DescriptorBundle(main: main, files: files)
    }

    private static func fromMultipart(_ parts: [MultipartForm.Part]) throws(GatewayError) -> DescriptorBundle {
        var files: [String: String] = [:]
        var main: String?
        var firstFile: String?
        for part in parts {
            if let fileName = part.fileName {
                let name = part.name == "file" || part.name == "files" || part.name.isEmpty ? fileName : part.name
                if name.hasSuffix(".pb") || name.hasSuffix(".desc") || name.hasSuffix(".protoset")
                    || name.hasSuffix(".binpb") || part.name == "descriptor_set"
                {
                    return DescriptorBundle(descriptorSet: part.body)
                }
                guard let text = String(validating: part.body, as: UTF8.self) else {
                    throw .invalidArgument("the file '\(name)' is not UTF-8 text")
                }
                files[name] = text
                if firstFile == nil { firstFile = name }
            } else if part.name == "main" {
                main = String(decoding: part.body, as: UTF8.self).trimmingCharacters(in: " ")
            } else if part.name == "descriptor_set" {
                return DescriptorBundle(descriptorSet: part.body)
            }
        }
        guard let chosen = main ?? (files.count == 1 ? firstFile : nil) else {
            throw files.isEmpty
                ? .invalidArgument("the multipart upload has no file parts")
                : .invalidArgument("a 'main' field is required when several files are uploaded")
        }
        return try DescriptorBundle(main: chosen, files: files)
    }
}
