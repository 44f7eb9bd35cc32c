/// A minimal `multipart/form-data` reader (RFC 7578) for descriptor uploads: part name, file name, bytes.
enum MultipartForm {
    struct Part {
        var name: String
        var fileName: String?
        var body: [UInt8]
    }

    /// The `boundary` parameter of a Content-Type.
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: " ").lowercased() == "boundary" else { continue }
            let value = pair[1].trimmingCharacters(in: " ").trimmingCharacters(in: "\"")
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(GatewayError) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw .invalidArgument("the multipart body has no parts for its boundary") }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            if body[partStart...].starts(with: [0x0D, 0x0A]) { partStart += 2 }
            // The CRLF before the next delimiter belongs to the delimiter.
            var partEnd = end
            if partEnd >= 2, body[partEnd - 2] == 0x0D, body[partEnd - 1] == 0x0A { partEnd -= 2 }
            guard partStart <= partEnd else { continue }
            let part = Array(body[partStart..<partEnd])
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: part, from: 0) else {
                throw .invalidArgument("a multipart part has no header block")
            }
            let headers = String(decoding: part[..<headerEnd], as: UTF8.self)
            var name = ""
            var fileName: String?
            for line in headers.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2, pair[0].lowercased() == "content-disposition" else { continue }
                for attribute in pair[1].split(separator: ";") {
                    let keyValue = attribute.split(separator: "=", maxSplits: 1)
                    guard keyValue.count == 2 else { continue }
                    let key = keyValue[0].trimmingCharacters(in: " ").lowercased()
                    let value = keyValue[1].trimmingCharacters(in: " ").trimmingCharacters(in: "\"")
                    if key == "name" { name = value }
                    if key == "filename" { fileName = value }
                }
            }
            parts.append(Part(name: name, fileName: fileName, body: Array(part[(headerEnd + 4)...])))
        }
        return parts
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        var index = start
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
