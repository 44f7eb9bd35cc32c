/// Collects the comments a lexer skips between two tokens and decides which token they document, the way protoc
/// does in short:
///
/// - a comment that starts on the line of the previous token is that token's **trailing** comment
///   (`int32 id = 1; // the id`);
/// - the comments directly above a token are its **leading** comment: consecutive comments join into one block, a
///   blank line ends a block, and a block attaches only when it ends on the token's line or the line before.
///
/// Only lexing with comments pays anything: the collector is touched when a comment is found and once per token.
struct IDLComments {
    /// The line of the token before the gap being lexed; 0 before the first token.
    var previousTokenLine = 0
    /// The trailing comment of the previous token, found in the current gap.
    private(set) var trailing: String?
    private var block: [String] = []
    private var blockEndLine = 0

    /// How a comment is delimited.
    enum Style {
        /// `//` (prefix 2) or `#` (prefix 1) up to the end of the line.
        case line(prefix: Int)
        /// `/* ... */`, doc comments `/** ... */` included.
        case block
    }

    /// Forgets the previous gap; called before the whitespace and comments in front of a token are skipped.
    mutating func startGap() {
        trailing = nil
        if !block.isEmpty { block.removeAll(keepingCapacity: true) }
    }

    /// Notes one comment: its full text (delimiters included), the line it starts on and the line it ends on.
    mutating func add(_ text: ArraySlice<UInt8>, style: Style, startLine: Int, endLine: Int) {
        let lines: [String] =
            switch style {
            case .line(let prefix): [Self.lineCommentText(text, prefix: prefix)]
            case .block: Self.blockCommentLines(text)
            }
        if previousTokenLine > 0, startLine == previousTokenLine, block.isEmpty {
            if let text = Self.joined(lines) { trailing = trailing.map { $0 + "\n" + text } ?? text }
            return
        }
        if !block.isEmpty, startLine > blockEndLine + 1 { block.removeAll(keepingCapacity: true) }
        block += lines
        blockEndLine = endLine
    }

    /// The leading comment of a token starting on `line`, if the last block ends right above it (or on it).
    func leading(forTokenOn line: Int) -> String? {
        guard !block.isEmpty, line <= blockEndLine + 1 else { return nil }
        return Self.joined(block)
    }

    // MARK: Text

    /// The lines joined with newlines, blank lines at either end dropped; nil when nothing is left.
    static func joined(_ lines: [String]) -> String? {
        guard let first = lines.firstIndex(where: { !$0.isEmpty }),
            let last = lines.lastIndex(where: { !$0.isEmpty })
        else { return nil }
        return lines[first...last].joined(separator: "\n")
    }

    /// `// text`, `/// text` or `# text` without the markers, one space after them and trailing whitespace.
    static func lineCommentText(_ text: ArraySlice<UInt8>, prefix: Int) -> String {
        var body = text.dropFirst(prefix)
        if prefix == 2 {
            while body.first == UInt8(ascii: "/") { body = body.dropFirst() }
        }
        if body.first == UInt8(ascii: " ") { body = body.dropFirst() }
        return trimmedTrailingWhitespace(body)
    }

    /// The lines of `/* ... */` without the delimiters, extra `*`s after the opening one (`/**`), and the ` * `
    /// margin that doc comments put on each line.
    static func blockCommentLines(_ text: ArraySlice<UInt8>) -> [String] {
        var body = text.dropFirst(2)
        if body.suffix(2).elementsEqual("*/".utf8) { body = body.dropLast(2) }
        while body.first == UInt8(ascii: "*") { body = body.dropFirst() }
        var lines: [String] = []
        for (number, line) in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            if number == 0 {
                if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            } else {
                while let byte = rest.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    rest = rest.dropFirst()
                }
                if rest.first == UInt8(ascii: "*") {
                    rest = rest.dropFirst()
                    if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
                }
            }
            lines.append(trimmedTrailingWhitespace(rest))
        }
        return lines
    }

    /// Comment text as protoc stores it in `SourceCodeInfo` (each line keeps the space after `//`; a `/** */`
    /// block starts with its extra `*`), tidied like comments read from source; nil when it holds nothing but
    /// whitespace.
    static func normalized(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            trimmedTrailingWhitespace(line.first == UInt8(ascii: " ") ? line.dropFirst() : line[...])
        }
        if let first = lines.first, first.hasPrefix("*") {
            lines[0] = String(first.drop { $0 == "*" }.drop { $0 == " " })
        }
        return joined(lines)
    }

    private static func trimmedTrailingWhitespace(_ bytes: ArraySlice<UInt8>) -> String {
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let byte = bytes[end - 1]
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") else { break }
            end -= 1
        }
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }
}
