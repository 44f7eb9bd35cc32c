/// Splits `.proto` source text into tokens, following the rules of protoc's tokenizer: C-style comments,
/// decimal/hex/octal integers, floats, single- or double-quoted strings with C escapes, and one-character symbols.
///
/// Lines and columns count from 1; a column counts bytes of UTF-8.
struct ProtoLexer: IDLLexing {
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
    static func tokenize(_ text: String, file: String) throws(CodecError) -> [ProtoToken] {
        var lexer = ProtoLexer(file: file, input: Array(text.utf8))
        lexer.skipByteOrderMark()
        var tokens: [ProtoToken] = []
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


    private mutating func nextToken() throws(CodecError) -> ProtoToken {
        try skipWhitespaceAndComments()
        let startLine = line
        let startColumn = column
        guard let byte = peek() else {
            return ProtoToken(kind: .end, text: "", bytes: [], line: startLine, column: startColumn)
        }
        if ProtoLexer.isLetter(byte) {
            let start = index
            while let next = peek(), ProtoLexer.isLetter(next) || ProtoLexer.isDigit(next) { index += 1 }
            return token(.identifier, from: start, line: startLine, column: startColumn)
        }
        if ProtoLexer.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(ProtoLexer.isDigit) == true) {
            return try lexNumber(line: startLine, column: startColumn)
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            return try lexString(line: startLine, column: startColumn)
        }
        guard byte > 0x20, byte < 0x7F else {
            throw error(
                "unexpected character 0x\(String(byte, radix: 16, uppercase: true)) outside a string literal",
                line: startLine, column: startColumn)
        }
        index += 1
        return token(.symbol, from: index - 1, line: startLine, column: startColumn)
    }

    private func token(_ kind: ProtoToken.Kind, from start: Int, line: Int, column: Int) -> ProtoToken {
        ProtoToken(
            kind: kind, text: String(decoding: input[start..<index], as: UTF8.self), bytes: [], line: line,
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
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                let start = index
                while let next = peek(), next != UInt8(ascii: "\n") { index += 1 }
                comments.add(input[start..<index], style: .line(prefix: 2), startLine: line, endLine: line)
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let start = index
                let startLine = line
                let startColumn = column
                index += 2
                while true {
                    guard let next = peek() else {
                        throw error(
                            "block comment is never closed (missing \"*/\")", line: startLine, column: startColumn)
                    }
                    if next == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        index += 2
                        comments.add(input[start..<index], style: .block, startLine: startLine, endLine: line)
                        break
                    }
                    index += 1
                    if next == UInt8(ascii: "\n") {
                        line += 1
                        lineStart = index
                    }
                }
            default:
                return
            }
        }
    }

    private mutating func lexNumber(line: Int, column: Int) throws(CodecError) -> ProtoToken {
        let start = index
        var isFloat = false
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            index += 2
            guard let digit = peek(), ProtoLexer.isHexDigit(digit) else {
                throw error("\"0x\" must be followed by hex digits", line: self.line, column: self.column)
            }
            while let next = peek(), ProtoLexer.isHexDigit(next) { index += 1 }
        } else if peek() == UInt8(ascii: "0"), let next = peek(1), ProtoLexer.isDigit(next) {
            index += 1
            while let next = peek(), ProtoLexer.isDigit(next) {
                guard next < UInt8(ascii: "8") else {
                    throw error(
                        "numbers starting with a leading zero must be in octal", line: self.line, column: self.column)
                }
                index += 1
            }
        } else {
            while let next = peek(), ProtoLexer.isDigit(next) { index += 1 }
            if peek() == UInt8(ascii: ".") {
                isFloat = true
                index += 1
                while let next = peek(), ProtoLexer.isDigit(next) { index += 1 }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                isFloat = true
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { index += 1 }
                guard let digit = peek(), ProtoLexer.isDigit(digit) else {
                    throw error("\"e\" must be followed by an exponent", line: self.line, column: self.column)
                }
                while let next = peek(), ProtoLexer.isDigit(next) { index += 1 }
            }
        }
        if let next = peek() {
            if ProtoLexer.isLetter(next) {
                throw error("need space between number and identifier", line: self.line, column: self.column)
            }
            if next == UInt8(ascii: ".") {
                let message =
                    isFloat
                    ? "already saw a decimal point or exponent; can't have another one"
                    : "hex and octal numbers must be integers"
                throw error(message, line: self.line, column: self.column)
            }
        }
        return token(isFloat ? .float : .integer, from: start, line: line, column: column)
    }

    private mutating func lexString(line: Int, column: Int) throws(CodecError) -> ProtoToken {
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
            if byte == UInt8(ascii: "\\") {
                try lexEscape(into: &bytes)
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        var result = token(.string, from: start, line: line, column: column)
        result.bytes = bytes
        return result
    }

    /// Decodes one escape sequence starting at the backslash; `\u` and `\U` produce UTF-8.
    private mutating func lexEscape(into bytes: inout [UInt8]) throws(CodecError) {
        let escapeLine = line
        let escapeColumn = column
        index += 1
        guard let byte = peek() else {
            throw error("string literal is never closed", line: escapeLine, column: escapeColumn)
        }
        index += 1
        switch byte {
        case UInt8(ascii: "a"): bytes.append(0x07)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "v"): bytes.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "\""): bytes.append(byte)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var code = Int(byte - UInt8(ascii: "0"))
            for _ in 0..<2 {
                guard let next = peek(), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "7") else { break }
                code = code * 8 + Int(next - UInt8(ascii: "0"))
                index += 1
            }
            bytes.append(UInt8(truncatingIfNeeded: code))
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            guard let first = peek(), let high = ProtoLexer.hexValue(first) else {
                throw error("expected hex digits after \"\\x\"", line: escapeLine, column: escapeColumn)
            }
            index += 1
            var code = high
            if let next = peek(), let low = ProtoLexer.hexValue(next) {
                code = code * 16 + low
                index += 1
            }
            bytes.append(UInt8(code))
        case UInt8(ascii: "u"):
            guard var code = readHex(count: 4) else {
                throw error("expected four hex digits after \"\\u\"", line: escapeLine, column: escapeColumn)
            }
            // A lead surrogate directly followed by an escaped trail surrogate forms one code point.
            if (0xD800..<0xDC00).contains(code), peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") {
                let saved = index
                index += 2
                if let trail = readHex(count: 4), (0xDC00..<0xE000).contains(trail) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (trail - 0xDC00)
                } else {
                    index = saved
                }
            }
            ProtoLexer.appendUTF8(code, to: &bytes)
        case UInt8(ascii: "U"):
            guard let code = readHex(count: 8), code <= 0x10FFFF else {
                throw error(
                    "expected eight hex digits up to 10ffff after \"\\U\"", line: escapeLine, column: escapeColumn)
            }
            ProtoLexer.appendUTF8(code, to: &bytes)
        default:
            throw error("invalid escape sequence in string literal", line: escapeLine, column: escapeColumn)
        }
    }

    private mutating func readHex(count: Int) -> UInt32? {
        var code: UInt32 = 0
        for offset in 0..<count {
            guard let byte = peek(offset), let digit = ProtoLexer.hexValue(byte) else { return nil }
            code = code * 16 + UInt32(digit)
        }
        index += count
        return code
    }

    /// Encodes a code point as UTF-8 the way protoc does, lone surrogates included.
    private static func appendUTF8(_ code: UInt32, to bytes: inout [UInt8]) {
        switch code {
        case 0..<0x80:
            bytes.append(UInt8(code))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (code >> 6)))
            bytes.append(UInt8(0x80 | (code & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (code >> 12)))
            bytes.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (code & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (code >> 18)))
            bytes.append(UInt8(0x80 | ((code >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (code & 0x3F)))
        }
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The value of an integer token (decimal, `0x` hex or leading-zero octal), or nil when it exceeds `UInt64`.
    static func integerValue(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        var radix: UInt64 = 10
        var digits = bytes[...]
        if bytes.count > 1, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
                radix = 16
                digits = bytes[2...]
            } else {
                radix = 8
                digits = bytes[1...]
            }
        }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = hexValue(byte), UInt64(digit) < radix else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// The value of a float token, or of an integer token read as a float.
    static func floatValue(_ token: ProtoToken) -> Double? {
        if token.kind == .integer { return integerValue(token.text).map { Double($0) } }
        // Swift's parser accepts the same decimal forms as strtod, plus a few (hex floats, "inf") that the lexer
        // never produces for a float token.
        return Double(token.text)
    }
}
