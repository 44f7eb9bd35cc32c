/// One lexical token of `.thrift` source text.
struct ThriftToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A name, possibly dotted (`bookstore_common.Genre.FICTION`), or a keyword.
        case identifier
        /// A decimal or `0x` hex integer, with its sign.
        case integer
        case double
        /// A string literal in single or double quotes; ``ThriftToken/value`` holds the decoded text.
        case string
        /// One of `{ } [ ] ( ) < > , ; : = * &`.
        case symbol
        case end
    }

    var kind: Kind
    /// The source text. A string literal keeps its quotes, so it never equals a keyword or a symbol.
    var text: String
    /// The decoded contents of a string literal; empty for every other kind.
    var value: String
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
