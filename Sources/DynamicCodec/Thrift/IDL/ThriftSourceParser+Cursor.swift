/// Token navigation and the small productions every definition uses: names, string literals, separators.
extension ThriftSourceParser {
    /// Words of the Thrift language; none of them can name a definition or a field.
    static let keywords: Set<String> = [
        "namespace", "cpp_include", "include", "void", "bool", "byte", "i8", "i16", "i32", "i64", "double", "string",
        "binary", "uuid", "map", "list", "set", "oneway", "async", "typedef", "struct", "union", "exception",
        "extends", "throws", "service", "enum", "const", "required", "optional", "true", "false", "cpp_type",
    ]

    /// Words of old Thrift versions that this parser does not support.
    static let legacyKeywords: Set<String> = [
        "slist", "senum", "xsd_all", "xsd_optional", "xsd_nillable", "xsd_attrs", "xsd_namespace", "php_namespace",
        "py_module", "perl_package", "ruby_namespace", "smalltalk_category", "smalltalk_prefix", "cocoa_prefix",
        "csharp_namespace", "delphi_namespace", "java_package", "cpp_namespace",
    ]

    var current: ThriftToken { tokens[position] }
    var atEnd: Bool { current.kind == .end }
    var currentLocation: SourceLocation { current.location(in: fileName) }

    /// The token `offset` places ahead, or the end token.
    func token(ahead offset: Int) -> ThriftToken {
        tokens[min(position + offset, tokens.count - 1)]
    }

    func lookingAt(_ text: String) -> Bool {
        (current.kind == .symbol || current.kind == .identifier) && current.text == text
    }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    mutating func tryConsume(_ text: String) -> Bool {
        guard lookingAt(text) else { return false }
        advance()
        return true
    }

    mutating func consume(_ text: String) throws(CodecError) {
        guard tryConsume(text) else { throw syntaxError("expected \"\(text)\", found \(current.quoted)") }
    }

    /// The doc comment of a declaration whose first token is at `start`: the comment block above it, else (with
    /// `trailing`) a comment on the same line after the token just consumed, its last.
    func documentation(startingAt start: Int, trailing: Bool) -> String? {
        if let leading = tokens[start].leadingComment { return leading }
        guard trailing, position > start else { return nil }
        return tokens[position - 1].trailingComment
    }

    /// The optional `,` or `;` after list items and definitions.
    mutating func tryConsumeSeparator() -> Bool {
        tryConsume(",") || tryConsume(";")
    }

    mutating func consumeString(_ message: String) throws(CodecError) -> String {
        guard current.kind == .string else { throw syntaxError("\(message), found \(current.quoted)") }
        defer { advance() }
        return current.value
    }

    /// The name of a definition, field, enum value or method: an identifier that is not a keyword and has no dots.
    mutating func consumeName(of what: String) throws(CodecError) -> String {
        guard current.kind == .identifier else {
            throw syntaxError("expected the name of the \(what), found \(current.quoted)")
        }
        try rejectLegacyKeyword()
        if Self.keywords.contains(current.text) {
            throw syntaxError("\(current.quoted) is a Thrift keyword and cannot name the \(what)")
        }
        if current.text.contains(".") {
            throw syntaxError("\(current.quoted) cannot name the \(what): names cannot contain dots")
        }
        defer { advance() }
        return current.text
    }

    func rejectLegacyKeyword() throws(CodecError) {
        guard current.kind == .identifier, Self.legacyKeywords.contains(current.text) else { return }
        throw syntaxError("\(current.quoted) belongs to old versions of Thrift and is not supported")
    }

    func syntaxError(_ message: String) -> CodecError {
        CodecError(.syntaxError, message, location: currentLocation)
    }

    func schemaError(_ message: String, at location: SourceLocation) -> CodecError {
        CodecError(.schemaError, message, location: location)
    }

    mutating func enterNesting() throws(CodecError) {
        depth += 1
        if depth > Self.maxDepth { throw syntaxError("types or values are nested deeper than \(Self.maxDepth) levels") }
    }
}
