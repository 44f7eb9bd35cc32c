internal import DynamicCodec
/// A compiled route path: the segments a request path must have, an optional custom verb, and which segments
/// each path variable captures. Both conventions compile to this form: google.api.http templates
/// (`/v1/{name=shelves/*}:publish`) and Hertz paths (`/v1/shelves/:shelf`, `/v1/assets/*path`).
struct RoutePattern: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        /// Must equal the request segment after percent-decoding.
        case literal(String)
        /// Any one segment (`*`, `{field}`, `:param`).
        case single
        /// Zero or more segments; only last (`**`, `*rest`).
        case multi
    }

    /// How a captured value is percent-decoded.
    enum Decoding: Sendable, Hashable {
        /// Fully decoded.
        case full
        /// Decoded except `%2F`, which stays as written (google.api.http multi-segment variables).
        case keepingEncodedSlash
    }

    struct Capture: Sendable, Hashable {
        /// The variable: a field path (`book.name`) or a Hertz parameter name.
        var name: String
        /// The pattern segments it covers; a capture reaching a `.multi` segment extends to the path's end.
        var segments: Range<Int>
        var decoding: Decoding
    }

    var segments: [Segment]
    var verb: String?
    var captures: [Capture]

    /// The shape that decides which requests match (capture names do not): equal shapes are a conflict.
    var shape: String {
        var text = segments.map { segment -> String in
            switch segment {
            case .literal(let literal): "/" + literal
            case .single: "/*"
            case .multi: "/**"
            }
        }.joined()
        if text.isEmpty { text = "/" }
        if let verb { text += ":" + verb }
        return text
    }

    var endsWithMulti: Bool { segments.last == .multi }
}

/// A request path split for matching: the raw segments and their decoded forms.
struct RequestPath {
    var raw: [Substring]
    var decoded: [String]
    var verb: String?

    /// Splits `/a/b/c` into segments (`/` alone has none). Fails with INVALID_ARGUMENT on a broken escape.
    static func split(_ path: String) throws(CodecError) -> [Substring] {
        guard path.hasPrefix("/") else {
            throw CodecError.invalidArgument(.requestPath, "'\(path)' does not start with '/'")
        }
        let rest = path.dropFirst()
        if rest.isEmpty { return [] }
        return rest.split(separator: "/", omittingEmptySubsequences: false)
    }

    init(raw: [Substring], verb: String?) throws(CodecError) {
        self.raw = raw
        self.verb = verb
        decoded = []
        decoded.reserveCapacity(raw.count)
        for segment in raw {
            guard let text = HTTPURLEncoding.decode(segment, plusAsSpace: false) else {
                throw CodecError.invalidArgument(
                    .requestPath, "segment '\(segment)' is not valid percent-encoded UTF-8")
            }
            decoded.append(text)
        }
    }

    /// The values of a pattern's captures in this path.
    func values(of pattern: RoutePattern) throws(CodecError) -> [HTTPPathParameter] {
        var parameters: [HTTPPathParameter] = []
        parameters.reserveCapacity(pattern.captures.count)
        for capture in pattern.captures {
            let upper =
                capture.segments.upperBound == pattern.segments.count && pattern.endsWithMulti
                ? raw.count : capture.segments.upperBound
            let lower = capture.segments.lowerBound
            if capture.decoding == .full, upper == lower + 1 {
                parameters.append(HTTPPathParameter(capture.name, decoded[lower]))
                continue
            }
            let joined = raw[lower..<upper].joined(separator: "/")
            guard
                let value = HTTPURLEncoding.decode(
                    joined, plusAsSpace: false, keepingEncodedSlash: capture.decoding == .keepingEncodedSlash)
            else { throw CodecError.invalidArgument(.path(capture.name), "not valid percent-encoded UTF-8") }
            parameters.append(HTTPPathParameter(capture.name, value))
        }
        return parameters
    }
}
