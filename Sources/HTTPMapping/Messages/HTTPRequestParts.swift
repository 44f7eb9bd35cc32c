public import DynamicCodec
/// The parts of an HTTP request that the request mapping reads. No HTTP server types: the gateway converts its
/// request into this value.
public struct HTTPRequestParts: Sendable {
    /// `GET`, `POST`, ... (compared case-insensitively).
    public var method: String
    /// The path as sent, still percent-encoded, without the query: `/v1/shelves/1/books/a%2Fb`.
    public var path: String
    /// The query string as sent (after `?`, without it), still percent-encoded.
    public var rawQuery: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, path: String, rawQuery: String = "", headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/v1/shelves?page_size=10`) into path and query; a fragment is dropped.
    public init(method: String, target: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        // Searched as bytes (`#` and `?` are ASCII): no grapheme breaking, and without a query or fragment the
        // path shares the target's storage.
        let utf8 = target.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        if let question = utf8[..<end].firstIndex(of: UInt8(ascii: "?")) {
            self.init(
                method: method, path: String(target[..<question]),
                rawQuery: String(target[utf8.index(after: question)..<end]), headers: headers, body: body)
        } else {
            self.init(
                method: method, path: end == utf8.endIndex ? target : String(target[..<end]), headers: headers,
                body: body)
        }
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? { headers.first(named: name) }

    /// The media type of the body, lower-cased, without parameters (`application/json`).
    public var mediaType: String? {
        guard let value = header("Content-Type") else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces } ?? ""
        return type.isEmpty ? nil : type.lowercased()
    }

    /// The query parameters, percent-decoded, in order. Fails with INVALID_ARGUMENT naming the parameter whose
    /// encoding is broken.
    public func queryItems() throws(CodecError) -> [HTTPQueryItem] {
        try HTTPURLEncoding.parseQuery(rawQuery, source: { .query($0) })
    }

    /// The cookies of every `Cookie` header (`a=1; b=2`), in order. Values are taken as sent (a surrounding pair
    /// of double quotes is removed).
    public var cookies: [HTTPCookie] {
        var cookies: [HTTPCookie] = []
        for line in headers.all(named: "Cookie") {
            for pair in line.split(separator: ";") {
                let trimmed = pair.trimmingSpaces
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = trimmed[..<equals].trimmingSpaces
                var value = trimmed[trimmed.index(after: equals)...].trimmingSpaces
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                if !name.isEmpty { cookies.append(HTTPCookie(name, value)) }
            }
        }
        return cookies
    }

    /// The value of the cookie `name`, if sent.
    public func cookie(_ name: String) -> String? { cookies.first { $0.name == name }?.value }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
