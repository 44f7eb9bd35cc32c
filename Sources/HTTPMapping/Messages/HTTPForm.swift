public import DynamicCodec
/// One field of a form body: urlencoded fields carry text; multipart parts may carry a file's bytes.
public struct HTTPFormField: Sendable, Hashable {
    public var name: String
    /// The raw value (UTF-8 text for urlencoded fields and text parts).
    public var value: [UInt8]
    /// The `filename` of a multipart file part.
    public var fileName: String?
    /// The `Content-Type` of a multipart part.
    public var contentType: String?

    public init(name: String, value: [UInt8], fileName: String? = nil, contentType: String? = nil) {
        self.name = name
        self.value = value
        self.fileName = fileName
        self.contentType = contentType
    }
}

extension HTTPRequestParts {
    /// The fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body; nil when the body is
    /// neither. Fails with INVALID_ARGUMENT when the body does not follow its declared format.
    public func formFields() throws(CodecError) -> [HTTPFormField]? {
        switch mediaType {
        case "application/x-www-form-urlencoded":
            guard let text = String(validating: body, as: UTF8.self) else {
                throw CodecError.invalidArgument(.body, "the urlencoded form is not UTF-8")
            }
            return try HTTPURLEncoding.parseQuery(text, source: { .form($0) }).map {
                HTTPFormField(name: $0.name, value: Array($0.value.utf8))
            }
        case "multipart/form-data":
            guard let boundary = header("Content-Type").flatMap({ HTTPMultipart.parameter("boundary", in: $0) }),
                !boundary.isEmpty
            else {
                throw CodecError.invalidArgument(.header("Content-Type"), "multipart/form-data without a boundary")
            }
            return try HTTPMultipart.parse(body, boundary: boundary)
        default:
            return nil
        }
    }
}

/// A `multipart/form-data` reader (RFC 7578) over the body bytes.
enum HTTPMultipart {
    /// The value of `name=value` (or `name="value"`) among the `;`-separated parameters of a header value.
    static func parameter(_ name: String, in headerValue: String) -> String? {
        for piece in headerValue.split(separator: ";").dropFirst() {
            let trimmed = piece.trimmingSpaces
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            guard trimmed[..<equals].trimmingSpaces.lowercased() == name.lowercased() else { continue }
            var value = trimmed[trimmed.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingEscapedQuotes
            }
            return value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(CodecError) -> [HTTPFormField] {
        func malformed(_ problem: String) -> CodecError {
            .invalidArgument(.body, "malformed multipart body: \(problem)")
        }
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else { throw malformed("no boundary line") }
        var fields: [HTTPFormField] = []
        while true {
            position += delimiter.count
            // `--` after the boundary closes the body.
            if position + 1 < body.count, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") {
                return fields
            }
            position = skipLine(body, from: position)
            // A part without headers starts with the blank line.
            guard
                let headersEnd = body[position...].starts(with: [13, 10])
                    ? position + 2 : find([13, 10, 13, 10], in: body, from: position).map({ $0 + 4 })
            else { throw malformed("a part without a blank line after its headers") }
            let headerText = String(decoding: body[position..<headersEnd], as: UTF8.self)
            guard let next = find([13, 10] + delimiter, in: body, from: headersEnd) else {
                throw malformed("a part without a closing boundary")
            }
            var name: String?
            var fileName: String?
            var contentType: String?
            for line in headerText.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let headerName = line[..<colon].trimmingSpaces.lowercased()
                let value = line[line.index(after: colon)...].trimmingSpaces
                if headerName == "content-disposition" {
                    name = parameter("name", in: value)
                    fileName = parameter("filename", in: value)
                } else if headerName == "content-type" {
                    contentType = value
                }
            }
            guard let name else { throw malformed("a part without a Content-Disposition name") }
            fields.append(
                HTTPFormField(
                    name: name, value: Array(body[headersEnd..<next]), fileName: fileName,
                    contentType: contentType))
            position = next + 2
        }
    }

    /// The index of the first byte after the next CRLF (or LF) at or after `start`.
    static func skipLine(_ body: [UInt8], from start: Int) -> Int {
        var index = start
        while index < body.count, body[index] != 10 { index += 1 }
        return min(index + 1, body.count)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    fileprivate var replacingEscapedQuotes: String {
        guard contains("\\") else { return self }
        var out = ""
        var escaping = false
        for character in self {
            if escaping || character != "\\" {
                out.append(character)
                escaping = false
            } else {
                escaping = true
            }
        }
        return out
    }
}
