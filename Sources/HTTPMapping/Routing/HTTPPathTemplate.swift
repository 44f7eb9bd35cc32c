public import DynamicCodec
/// A `google.api.http` path template, parsed:
///
/// ```
/// Template = "/" Segments [ Verb ] ;   Segments = Segment { "/" Segment } ;
/// Segment  = "*" | "**" | LITERAL | Variable ;   Variable = "{" FieldPath [ "=" Segments ] "}" ;
/// FieldPath = IDENT { "." IDENT } ;   Verb = ":" LITERAL ;
/// ```
///
/// `{field}` is `{field=*}`; `**` matches zero or more segments and must come last. Matching percent-decodes a
/// one-segment variable fully and a multi-segment variable except `%2F`, as the google.api.http rules say.
public struct HTTPPathTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The template as written.
    public let text: String
    let pattern: RoutePattern

    /// Parses a template; fails with SCHEMA_ERROR naming the character where it goes wrong.
    public init(parsing text: String) throws(CodecError) {
        var parser = HTTPPathTemplateParser(text: text)
        self.text = text
        pattern = try parser.parse()
    }

    /// The field paths of the variables, in order (`["book.name"]`).
    public var variables: [String] { pattern.captures.map(\.name) }

    /// The custom verb (`publish` for `...:publish`), if any.
    public var verb: String? { pattern.verb }

    /// The variable bindings when `path` (percent-encoded, without query) matches, else nil.
    public func match(_ path: String) -> [HTTPPathParameter]? {
        guard var raw = try? RequestPath.split(path) else { return nil }
        if let verb = pattern.verb {
            guard let last = raw.last, last.hasSuffix(":" + verb) else { return nil }
            raw[raw.count - 1] = last.dropLast(verb.utf8.count + 1)
        }
        guard let request = try? RequestPath(raw: raw, verb: pattern.verb) else { return nil }
        let fixed = pattern.endsWithMulti ? pattern.segments.count - 1 : pattern.segments.count
        guard request.raw.count == fixed || (pattern.endsWithMulti && request.raw.count > fixed) else { return nil }
        for (index, segment) in pattern.segments.prefix(fixed).enumerated() {
            if case .literal(let literal) = segment, request.decoded[index] != literal { return nil }
        }
        return try? request.values(of: pattern)
    }

    public var description: String { text }
}

/// Reads a template character by character; see ``HTTPPathTemplate`` for the grammar.
struct HTTPPathTemplateParser {
    let text: String
    let bytes: [UInt8]
    var index = 0
    var segments: [RoutePattern.Segment] = []
    var captures: [RoutePattern.Capture] = []

    init(text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    @inline(never)
    func failure(_ problem: String) -> CodecError {
        CodecError(.schemaError, "path template '\(text)': \(problem) at character \(index)")
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func parse() throws(CodecError) -> RoutePattern {
        guard current == UInt8(ascii: "/") else { throw failure("a template starts with '/'") }
        index += 1
        var verb: String?
        if current != nil {
            try segmentList(inVariable: false)
            if current == UInt8(ascii: ":") {
                index += 1
                let start = index
                while let byte = current, byte != UInt8(ascii: "/"), byte != UInt8(ascii: "{"),
                    byte != UInt8(ascii: "}")
                {
                    index += 1
                }
                guard index > start, current == nil else { throw failure("a verb is a literal at the very end") }
                verb = String(decoding: bytes[start..<index], as: UTF8.self)
            }
        }
        guard current == nil else { throw failure("unexpected '\(Character(Unicode.Scalar(current!)))'") }
        if let multi = segments.firstIndex(of: .multi), multi != segments.count - 1 {
            throw failure("'**' must be the last segment")
        }
        return RoutePattern(segments: segments, verb: verb, captures: captures)
    }

    /// Segments separated by `/`, up to the end, a verb, or (in a variable) the closing brace.
    mutating func segmentList(inVariable: Bool) throws(CodecError) {
        while true {
            try segment(inVariable: inVariable)
            guard current == UInt8(ascii: "/") else { return }
            index += 1
        }
    }

    mutating func segment(inVariable: Bool) throws(CodecError) {
        switch current {
        case UInt8(ascii: "*"):
            index += 1
            if current == UInt8(ascii: "*") {
                index += 1
                segments.append(.multi)
            } else {
                segments.append(.single)
            }
        case UInt8(ascii: "{"):
            guard !inVariable else { throw failure("variables cannot nest") }
            try variable()
        default:
            let start = index
            while let byte = current, !"/:{}*".utf8.contains(byte) { index += 1 }
            guard index > start else { throw failure("empty segment") }
            segments.append(.literal(String(decoding: bytes[start..<index], as: UTF8.self)))
        }
    }

    mutating func variable() throws(CodecError) {
        index += 1
        let nameStart = index
        while let byte = current, byte != UInt8(ascii: "="), byte != UInt8(ascii: "}") { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        let identifiers = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, identifiers.allSatisfy(Self.isIdentifier) else {
            throw failure("'\(name)' is not a field path")
        }
        guard !captures.contains(where: { $0.name == name }) else { throw failure("variable '\(name)' appears twice") }
        let first = segments.count
        if current == UInt8(ascii: "=") {
            index += 1
            try segmentList(inVariable: true)
        } else {
            segments.append(.single)
        }
        guard current == UInt8(ascii: "}") else { throw failure("expected '}' to close variable '\(name)'") }
        index += 1
        let covered = first..<segments.count
        let decoding: RoutePattern.Decoding =
            covered.count == 1 && segments[first] != .multi ? .full : .keepingEncodedSlash
        captures.append(RoutePattern.Capture(name: name, segments: covered, decoding: decoding))
    }

    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (0x30...0x39).contains($0) }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
}
