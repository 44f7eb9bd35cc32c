/// Splits `.thrift` source text into tokens, following the rules of the Apache Thrift compiler's lexer: `//`, `#`
/// and `/* */` comments (doc comments included), dotted identifiers, signed decimal and `0x` hex integers, doubles,
/// and string literals in either quote style with the escapes `\n \r \t \" \' \\`.
///
/// Lines and columns count from 1; a column counts bytes of UTF-8.
struct ThriftLexer: IDLLexing {
    let file: String
    let input: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0
    var comments = IDLComments()

    private init(file: String, input: [UInt8]) {
        self.file = file
        self.input = input
    }

    /// All tokens of `text`, ending with one `.end` token.
    static func tokenize(_ text: String, file: String) throws(CodecError) -> [ThriftToken] {
        var lexer = ThriftLexer(file: file, input: Array(text.utf8))
        lexer.skipByteOrderMark()
        var tokens: [ThriftToken] = []
        while true {
            var token = try lexer.nextToken()
            if let trailing = lexer.comments.trailing, !tokens.isEmpty {
                tokens[tokens.count - 1].trailingComment = trailing
            }
            token.leadingComment = lexer.comments.leading(forTokenOn: token.line)
            lexer.comments.previousTokenLine = token.line
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }


    private static let symbols: Set<UInt8> = Set("{}[]()<>,;:=*&".utf8)

    private mutating func nextToken() throws(CodecError) -> ThriftToken {
        try skipWhitespaceAndComments()
        let startLine = line
        let startColumn = column
        guard let byte = peek() else {
            return ThriftToken(kind: .end, text: "", value: "", line: startLine, column: startColumn)
        }
        if Self.isLetter(byte) {
            return lexIdentifier(line: startLine, column: startColumn)
        }
        if Self.startsNumber(byte, peek(1), peek(2)) {
            return try lexNumber(line: startLine, column: startColumn)
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            return try lexString(line: startLine, column: startColumn)
        }
        guard Self.symbols.contains(byte) else {
            let shown =
                byte > 0x20 && byte < 0x7F
                ? "\"\(Character(Unicode.Scalar(byte)))\"" : "0x\(String(byte, radix: 16, uppercase: true))"
            throw error("unexpected character \(shown) outside a string literal", line: startLine, column: startColumn)
        }
        index += 1
        return token(.symbol, from: index - 1, line: startLine, column: startColumn)
    }

    private func token(_ kind: ThriftToken.Kind, from start: Int, line: Int, column: Int) -> ThriftToken {
        ThriftToken(
            kind: kind, text: String(decoding: input[start..<index], as: UTF8.self), value: "", line: line,
            column: column)
    }

    /// Skips to the next token, handing each comment to ``comments``.
    private mutating func skipWhitespaceAndComments() throws(CodecError) {
        comments.startGap()
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                index += 1
            case UInt8(ascii: "#"):
                skipLineComment(prefix: 1)
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                skipLineComment(prefix: 2)
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                try skipBlockComment()
            default:
                return
            }
        }
    }

    private mutating func skipLineComment(prefix: Int) {
        let start = index
        while let next = peek(), next != UInt8(ascii: "\n") { index += 1 }
        comments.add(input[start..<index], style: .line(prefix: prefix), startLine: line, endLine: line)
    }

    private mutating func skipBlockComment() throws(CodecError) {
        let start = index
        let startLine = line
        let startColumn = column
        index += 2
        while true {
            guard let next = peek() else {
                throw error("block comment is never closed (missing \"*/\")", line: startLine, column: startColumn)
            }
            if next == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                index += 2
                comments.add(input[start..<index], style: .block, startLine: startLine, endLine: line)
                return
            }
            index += 1
            if next == UInt8(ascii: "\n") {
                line += 1
                lineStart = index
            }
        }
    }

    /// `[a-zA-Z_]` then letters, digits, underscores, and dots each followed by one of those.
    private mutating func lexIdentifier(line: Int, column: Int) -> ThriftToken {
        let start = index
        index += 1
        while let next = peek() {
            if Self.isLetter(next) || Self.isDigit(next) {
                index += 1
            } else if next == UInt8(ascii: "."), let after = peek(1), Self.isLetter(after) || Self.isDigit(after) {
                index += 2
            } else {
                break
            }
        }
        return token(.identifier, from: start, line: line, column: column)
    }

    /// A sign is part of the number, like in the Apache lexer; doubles need digits after a decimal point.
    private static func startsNumber(_ byte: UInt8, _ next: UInt8?, _ afterNext: UInt8?) -> Bool {
        func startsUnsigned(_ first: UInt8?, _ second: UInt8?) -> Bool {
            guard let first else { return false }
            return isDigit(first) || (first == UInt8(ascii: ".") && second.map(isDigit) == true)
        }
        if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") { return startsUnsigned(next, afterNext) }
        return startsUnsigned(byte, next)
    }

    private mutating func lexNumber(line: Int, column: Int) throws(CodecError) -> ThriftToken {
        let start = index
        var isDouble = false
        if peek() == UInt8(ascii: "-") || peek() == UInt8(ascii: "+") { index += 1 }
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            index += 2
            guard let digit = peek(), Self.hexValue(digit) != nil else {
                throw error("\"0x\" must be followed by hex digits", line: self.line, column: self.column)
            }
            while let next = peek(), Self.hexValue(next) != nil { index += 1 }
        } else {
            while let next = peek(), Self.isDigit(next) { index += 1 }
            if peek() == UInt8(ascii: "."), let next = peek(1), Self.isDigit(next) {
                isDouble = true
                index += 1
                while let next = peek(), Self.isDigit(next) { index += 1 }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                var digitsAt = 1
                if let sign = peek(1), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digitsAt = 2 }
                if let digit = peek(digitsAt), Self.isDigit(digit) {
                    isDouble = true
                    index += digitsAt
                    while let next = peek(), Self.isDigit(next) { index += 1 }
                }
            }
        }
        if let next = peek(), Self.isLetter(next) || next == UInt8(ascii: ".") {
            throw error("a number must be followed by a space or a symbol", line: self.line, column: self.column)
        }
        return token(isDouble ? .double : .integer, from: start, line: line, column: column)
    }

    private mutating func lexString(line: Int, column: Int) throws(CodecError) -> ThriftToken {
        let start = index
        let quote = input[index]
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error("string literal is never closed", line: line, column: column)
            }
            if byte == quote {
                index += 1
                break
            }
            if byte == UInt8(ascii: "\n") {
                throw error("string literals cannot cross line boundaries", line: self.line, column: self.column)
            }
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            switch peek() {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case let escaped?
            where escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "'")
                || escaped == UInt8(ascii: "\\"):
                bytes.append(escaped)
            default:
                throw error(
                    "invalid escape sequence in string literal (Thrift knows \\n \\r \\t \\\" \\' \\\\)",
                    line: self.line, column: self.column - 1)
            }
            index += 1
        }
        var result = token(.string, from: start, line: line, column: column)
        result.value = String(decoding: bytes, as: UTF8.self)
        return result
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The value of an integer token (signed decimal or `0x` hex), or nil when it does not fit `Int64`.
    static func integerValue(_ text: String) -> Int64? {
        var digits = Array(text.utf8)[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        var radix: UInt64 = 10
        if digits.count > 2,
            digits[digits.startIndex + 1] == UInt8(ascii: "x")
                || digits[digits.startIndex + 1]
                    == UInt8(ascii: "X")
        {
            radix = 16
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard let digit = hexValue(byte), digit < radix else { return nil }
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
