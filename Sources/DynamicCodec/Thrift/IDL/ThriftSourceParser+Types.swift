/// Types and annotations.
extension ThriftSourceParser {
    /// A field, argument, typedef or constant type. Annotations after a base or container type, and `cpp_type`
    /// after a container keyword, only concern code generators: they are read and dropped.
    mutating func parseType() throws(CodecError) -> ThriftTypeSyntax {
        try enterNesting()
        defer { depth -= 1 }
        let location = currentLocation
        guard current.kind == .identifier else { throw syntaxError("expected a type, found \(current.quoted)") }
        let word = current.text
        if let base = ThriftTypeSyntax.baseTypes[word] {
            advance()
            _ = try parseAnnotations()
            return ThriftTypeSyntax(kind: .base(base), location: location)
        }
        let kind: ThriftTypeSyntax.Kind
        switch word {
        case "list", "set":
            advance()
            try skipCppType()
            try consume("<")
            let element = try parseType()
            try consume(">")
            kind = word == "list" ? .list(element) : .set(element)
        case "map":
            advance()
            try skipCppType()
            try consume("<")
            let key = try parseType()
            try consume(",")
            let value = try parseType()
            try consume(">")
            kind = .map(key: key, value: value)
        case "void":
            throw syntaxError("\"void\" can only be the return type of a method")
        default:
            try rejectLegacyKeyword()
            if Self.keywords.contains(word) {
                throw syntaxError("expected a type, found the keyword \(current.quoted)")
            }
            advance()
            return ThriftTypeSyntax(kind: .named(word), location: location)
        }
        _ = try parseAnnotations()
        return ThriftTypeSyntax(kind: kind, location: location)
    }

    private mutating func skipCppType() throws(CodecError) {
        guard tryConsume("cpp_type") else { return }
        _ = try consumeString("expected the C++ type of \"cpp_type\" as a string literal")
    }

    /// `(key = "value", key2 = "v2")`, in order. Like the Apache compiler, a key without value gets "1"; values may
    /// also be unquoted words or numbers, which keep their text.
    mutating func parseAnnotations() throws(CodecError) -> ThriftAnnotations {
        guard tryConsume("(") else { return ThriftAnnotations() }
        var pairs: [(key: String, value: String)] = []
        while !tryConsume(")") {
            guard current.kind == .identifier else {
                throw syntaxError("expected an annotation name or \")\", found \(current.quoted)")
            }
            let key = current.text
            advance()
            var value = "1"
            if tryConsume("=") {
                switch current.kind {
                case .string: value = current.value
                case .identifier, .integer, .double: value = current.text
                default: throw syntaxError("expected the value of annotation \"\(key)\", found \(current.quoted)")
                }
                advance()
            }
            pairs.append((key, value))
            _ = tryConsumeSeparator()
        }
        return ThriftAnnotations(pairs)
    }
}
