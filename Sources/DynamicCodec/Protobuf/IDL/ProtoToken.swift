/// One lexical token of `.proto` source text.
struct ProtoToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier
        case integer
        case float
        case string
        case symbol
        case end
    }

    var kind: Kind
    /// The source text. A string literal keeps its quotes, so it never equals a keyword or a symbol.
    var text: String
    /// The decoded bytes of a string literal; empty for every other kind.
    var bytes: [UInt8]
    var line: Int
    var column: Int
    /// The comment block directly above the token (see ``IDLComments``).
    var leadingComment: String? = nil
    /// A comment after the token on the same line.
    var trailingComment: String? = nil

    func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    /// How the token reads in an error message.
    var quoted: String {
        kind == .end ? "end of input" : "\"\(text)\""
    }
}
