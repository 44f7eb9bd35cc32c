internal import DynamicCodec
/// Percent-decoding of paths and of `application/x-www-form-urlencoded` text (query strings and forms).
enum HTTPURLEncoding {
    /// Decodes `%XX` escapes. `plusAsSpace` reads `+` as a space (query strings and forms, not paths);
    /// `keepingEncodedSlash` leaves `%2F` as written (multi-segment path variables of google.api.http). Returns
    /// nil for a broken escape or bytes that are not UTF-8.
    static func decode<Text: StringProtocol>(_ text: Text, plusAsSpace: Bool, keepingEncodedSlash: Bool = false)
        -> String?
    {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard second != utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second])
                else { return nil }
                let decoded = high << 4 | low
                if keepingEncodedSlash && decoded == UInt8(ascii: "/") {
                    out.append(contentsOf: [byte, utf8[first], utf8[second]])
                } else {
                    out.append(decoded)
                }
                index = utf8.index(after: second)
                continue
            }
            out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Parses `a=1&b=x+y&c` into decoded pairs (a name without `=` has an empty value; empty pieces are skipped).
    static func parseQuery(_ raw: String, source: (String) -> HTTPSource) throws(CodecError)
        -> [HTTPQueryItem]
    {
        var items: [HTTPQueryItem] = []
        for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let rawName: Substring
            let rawValue: Substring
            if let equals = piece.firstIndex(of: "=") {
                rawName = piece[..<equals]
                rawValue = piece[piece.index(after: equals)...]
            } else {
                rawName = piece[...]
                rawValue = ""
            }
            guard let name = decode(rawName, plusAsSpace: true) else {
                throw CodecError.invalidArgument(source(String(rawName)), "the name is not valid percent-encoded UTF-8")
            }
            guard let value = decode(rawValue, plusAsSpace: true) else {
                throw CodecError.invalidArgument(source(name), "the value is not valid percent-encoded UTF-8")
            }
            items.append(HTTPQueryItem(name, value))
        }
        return items
    }
}

extension HTTPURLEncoding {
    /// `raw` (`a=1&token=x&b=2`) without the pairs whose decoded name is `name`; the others keep their encoding.
    static func removing(_ name: String, from raw: String) -> String {
        let kept = raw.split(separator: "&", omittingEmptySubsequences: true).filter { piece in
            let rawName = piece.firstIndex(of: "=").map { piece[..<$0] } ?? piece[...]
            return decode(rawName, plusAsSpace: true) != name
        }
        return kept.joined(separator: "&")
    }
}

extension HTTPRequestParts {
    /// Drops the query parameter `name` (a credential the gateway consumed, which the mapping must not see).
    package mutating func removeQueryParameter(_ name: String) {
        rawQuery = HTTPURLEncoding.removing(name, from: rawQuery)
    }

    /// Drops the field `name` of an `application/x-www-form-urlencoded` body; other bodies are left as they are.
    package mutating func removeURLEncodedFormField(_ name: String) {
        guard mediaType == "application/x-www-form-urlencoded", let text = String(validating: body, as: UTF8.self)
        else { return }
        body = Array(HTTPURLEncoding.removing(name, from: text).utf8)
    }
}
