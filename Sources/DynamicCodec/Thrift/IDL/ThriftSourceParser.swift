/// Recursive-descent parser for one `.thrift` file, producing its headers and definitions with names as written;
/// ``ThriftSchemaBuilder`` resolves them.
///
/// The grammar follows the Apache Thrift compiler (`thrifty.yy`), so files it accepts parse the same, including
/// its id assignment (negative ids for fields without one) and enum value continuation. It is lenient where that
/// costs nothing: headers may follow definitions, any definition may be followed by `,` or `;`, annotation values
/// may be unquoted, and namespaces may be quoted. Parsing stops at the first error, with file, line and column.
struct ThriftSourceParser {
    let fileName: String
    let tokens: [ThriftToken]
    var position = 0
    var depth = 0
    var result: ThriftParsedFile

    /// Deepest nesting of container types and constant values accepted, so hostile input cannot exhaust the stack.
    static let maxDepth = 100

    init(fileName: String, tokens: [ThriftToken]) {
        self.fileName = fileName
        self.tokens = tokens
        self.result = ThriftParsedFile(name: fileName)
    }

    /// Parses `text` as the file named `fileName`.
    static func parse(_ text: String, fileName: String) throws(CodecError) -> ThriftParsedFile {
        var parser = ThriftSourceParser(fileName: fileName, tokens: try ThriftLexer.tokenize(text, file: fileName))
        try parser.parseFile()
        return parser.result
    }

    mutating func parseFile() throws(CodecError) {
        while !atEnd {
            guard current.kind == .identifier else {
                throw syntaxError("expected a header or a definition, found \(current.quoted)")
            }
            switch current.text {
            case "include": try parseInclude()
            case "cpp_include":
                advance()
                _ = try consumeString("expected the file name of \"cpp_include\" as a string literal")
            case "namespace": try parseNamespace()
            case "typedef": result.definitions.append(.typedef(try parseTypedef()))
            case "const": result.definitions.append(.const(try parseConst()))
            case "enum": result.definitions.append(.enum(try parseEnum()))
            case "struct", "union", "exception": result.definitions.append(.struct(try parseStruct()))
            case "service": result.definitions.append(.service(try parseService()))
            default:
                try rejectLegacyKeyword()
                throw syntaxError(
                    "expected include, namespace, typedef, const, enum, struct, union, exception or service, found "
                        + current.quoted)
            }
            _ = tryConsumeSeparator()
        }
    }

    private mutating func parseInclude() throws(CodecError) {
        advance()
        let location = currentLocation
        let path = try consumeString("expected the file name of \"include\" as a string literal")
        result.includes.append(ThriftParsedFile.Include(path: path, location: location))
    }

    /// `namespace go bookstore`, `namespace * bookstore`; annotations after it are accepted and ignored.
    private mutating func parseNamespace() throws(CodecError) {
        advance()
        let language: String
        if tryConsume("*") {
            language = "*"
        } else {
            guard current.kind == .identifier else {
                throw syntaxError("expected a language name or \"*\" after \"namespace\", found \(current.quoted)")
            }
            language = current.text
            advance()
        }
        guard current.kind == .identifier || current.kind == .string else {
            throw syntaxError("expected the namespace of \"\(language)\", found \(current.quoted)")
        }
        result.namespaces[language] = current.kind == .string ? current.value : current.text
        advance()
        _ = try parseAnnotations()
    }
}
