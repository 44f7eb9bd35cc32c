/// A byte-level JSON tokenizer over a buffer, reporting byte offsets in every error.
///
/// Strings are validated as UTF-8 and unescaped (surrogate pairs combined) into a reusable scratch buffer;
/// numbers are returned as raw byte ranges for the caller to parse at the width it needs. Nesting is bounded.
package struct JSONScanner {
    package let base: UnsafeRawPointer
    package var position: Int
    package let end: Int
    package let maxDepth: Int
    package var depth = 0
    /// Unescaped bytes of the last string read with escapes.
    package var scratch: [UInt8] = []

    package init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = 100) {
        base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
        position = 0
        end = buffer.count
        self.maxDepth = maxDepth
    }

    @inline(never)
    package func failure(_ message: String, at offset: Int? = nil) -> CodecError {
        CodecError(.invalidJSON, message + " at byte \(offset ?? position)", offset: offset ?? position)
    }

    @inline(__always)
    package func peekByte() -> UInt8? { position < end ? base.load(fromByteOffset: position, as: UInt8.self) : nil }

    @inline(__always)
    package func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    @inline(__always)
    package mutating func skipWhitespace() {
        while position < end {
            let current = byte(at: position)
            guard current == 0x20 || current == 0x0A || current == 0x0D || current == 0x09 else { return }
            position += 1
        }
    }

    /// The next non-whitespace byte, without consuming it.
    package mutating func peek() throws(CodecError) -> UInt8 {
        skipWhitespace()
        guard position < end else { throw failure("unexpected end of JSON") }
        return byte(at: position)
    }

    /// Consumes `expected` (after whitespace) or fails.
    package mutating func expect(_ expected: UInt8) throws(CodecError) {
        skipWhitespace()
        guard position < end, byte(at: position) == expected else {
            if position >= end { throw failure("unexpected end of JSON, expected '\(Character(Unicode.Scalar(expected)))'") }
            throw failure("expected '\(Character(Unicode.Scalar(expected)))', found '\(Character(Unicode.Scalar(byte(at: position))))'")
        }
        position += 1
    }

    /// Consumes `byte` if it is next.
    package mutating func consume(_ expected: UInt8) -> Bool {
        skipWhitespace()
        if position < end, byte(at: position) == expected {
            position += 1
            return true
        }
        return false
    }

    package mutating func enter() throws(CodecError) {
        depth += 1
        guard depth <= maxDepth else {
            throw CodecError(.depthLimitExceeded, "JSON nested deeper than \(maxDepth) at byte \(position)",
                             offset: position)
        }
    }

    package mutating func leave() { depth -= 1 }

    /// Reads `null` if it is next.
    package mutating func consumeNull() throws(CodecError) -> Bool {
        skipWhitespace()
        guard position < end, byte(at: position) == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    package mutating func literal(_ word: StaticString) throws(CodecError) {
        let start = position
        let count = word.utf8CodeUnitCount
        guard end - position >= count else { throw failure("invalid literal", at: start) }
        for index in 0..<count where byte(at: position + index) != word.utf8Start[index] {
            throw failure("invalid literal", at: start)
        }
        position += count
    }

    package mutating func readBool() throws(CodecError) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw failure("expected true or false")
        }
    }

    /// A string just read: its unescaped UTF-8 bytes are in the input at `range`, or in `scratch` when it had
    /// escapes or non-ASCII bytes (valid until the next string is read).
    package struct StringToken {
        package var range: Range<Int>
        package var inScratch: Bool
        /// Offset of the opening quote, for errors.
        package var offset: Int
    }

    /// Calls `body` with the UTF-8 bytes of `token`.
    @inline(__always)
    package func withBytes<Result>(
        of token: StringToken, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> Result
    ) throws(CodecError) -> Result {
        if !token.inScratch {
            return try body(UnsafeRawBufferPointer(start: base + token.range.lowerBound, count: token.range.count))
        }
        return try scratch.withCodecBytes(body)
    }

    /// The string of `token` as a Swift `String`.
    package func string(of token: StringToken) -> String {
        if !token.inScratch {
            return String(decoding: UnsafeRawBufferPointer(start: base + token.range.lowerBound, count: token.range.count),
                          as: UTF8.self)
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Reads a string, validating UTF-8 and resolving escapes.
    package mutating func readString() throws(CodecError) -> StringToken {
        try expect(UInt8(ascii: "\""))
        let start = position
        // Fast path: scan for the closing quote; fall back on the first escape or non-ASCII byte.
        while position < end {
            let current = byte(at: position)
            if current == 0x22 {
                position += 1
                return StringToken(range: start..<(position - 1), inScratch: false, offset: start - 1)
            }
            if current == 0x5C || current >= 0x80 || current < 0x20 { break }
            position += 1
        }
        scratch.removeAll(keepingCapacity: true)
        // An unescaped string is never longer than its escaped text: room for what is left of the input (up to
        // 4 KiB) makes one allocation per scanner, not one per growth.
        if scratch.capacity < min(end - start, 4096) { scratch.reserveCapacity(min(end - start, 4096)) }
        for index in start..<position { scratch.append(byte(at: index)) }
        try readStringSlow()
        return StringToken(range: 0..<scratch.count, inScratch: true, offset: start - 1)
    }

    /// Continues a string with escapes or multi-byte UTF-8 into `scratch`, validating as it goes.
    @inline(never)
    package mutating func readStringSlow() throws(CodecError) {
        while position < end {
            let current = byte(at: position)
            if current == 0x22 {
                position += 1
                return
            }
            if current < 0x20 { throw failure("control character in string") }
            if current == 0x5C {
                try readEscape()
                continue
            }
            if current < 0x80 {
                scratch.append(current)
                position += 1
                continue
            }
            try readMultiByte(current)
        }
        throw failure("unterminated string")
    }

    package mutating func readMultiByte(_ lead: UInt8) throws(CodecError) {
        let start = position
        let count: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: count = 2; scalar = UInt32(lead & 0x1F)
        case 0xE0...0xEF: count = 3; scalar = UInt32(lead & 0x0F)
        case 0xF0...0xF4: count = 4; scalar = UInt32(lead & 0x07)
        default: throw CodecError(.invalidUTF8, "invalid UTF-8 in string at byte \(start)", offset: start)
        }
        guard end - position >= count else {
            throw CodecError(.invalidUTF8, "truncated UTF-8 in string at byte \(start)", offset: start)
        }
        for index in 1..<count {
            let continuation = byte(at: position + index)
            guard continuation & 0xC0 == 0x80 else {
                throw CodecError(.invalidUTF8, "invalid UTF-8 in string at byte \(start)", offset: start)
            }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        let minimum: UInt32 = count == 2 ? 0x80 : count == 3 ? 0x800 : 0x10000
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
            throw CodecError(.invalidUTF8, "invalid UTF-8 in string at byte \(start)", offset: start)
        }
        for index in 0..<count { scratch.append(byte(at: position + index)) }
        position += count
    }

    package mutating func readEscape() throws(CodecError) {
        let start = position
        guard end - position >= 2 else { throw failure("unterminated escape", at: start) }
        let code = byte(at: position + 1)
        position += 2
        if let byte = JSONString.unescapedByte(code) {
            scratch.append(byte)
            return
        }
        switch code {
        case UInt8(ascii: "u"):
            var scalar = try readHex4(at: start)
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard end - position >= 6, byte(at: position) == 0x5C, byte(at: position + 1) == UInt8(ascii: "u")
                else { throw failure("unpaired surrogate in string", at: start) }
                position += 2
                let low = try readHex4(at: start)
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in string", at: start) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("unpaired surrogate in string", at: start)
            }
            appendUTF8(scalar)
        default:
            throw failure("invalid escape '\\\(Character(Unicode.Scalar(code)))'", at: start)
        }
    }

    package mutating func readHex4(at start: Int) throws(CodecError) -> UInt32 {
        guard end - position >= 4 else { throw failure("truncated \\u escape", at: start) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit = byte(at: position)
            let nibble: UInt8
            switch digit {
            case 0x30...0x39: nibble = digit - 0x30
            case 0x41...0x46: nibble = digit - 0x37
            case 0x61...0x66: nibble = digit - 0x57
            default: throw failure("invalid \\u escape", at: start)
            }
            value = value << 4 | UInt32(nibble)
            position += 1
        }
        return value
    }

    package mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80: scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Reads a number token per the JSON grammar and returns its bytes (no leading '+', no leading zeros).
    package mutating func readNumberToken() throws(CodecError) -> Range<Int> {
        skipWhitespace()
        let start = position
        if position < end, byte(at: position) == UInt8(ascii: "-") { position += 1 }
        guard position < end else { throw failure("expected a number", at: start) }
        let first = byte(at: position)
        guard first >= 0x30 && first <= 0x39 else { throw failure("expected a number", at: start) }
        position += 1
        if first != 0x30 { skipDigits() }
        if position < end, byte(at: position) == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw failure("expected digits after '.'", at: start) }
        }
        if position < end, byte(at: position) | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < end, byte(at: position) == UInt8(ascii: "+") || byte(at: position) == UInt8(ascii: "-") {
                position += 1
            }
            guard skipDigits() > 0 else { throw failure("expected digits in exponent", at: start) }
        }
        return start..<position
    }

    @discardableResult
    package mutating func skipDigits() -> Int {
        let start = position
        while position < end {
            let current = byte(at: position)
            guard current >= 0x30 && current <= 0x39 else { break }
            position += 1
        }
        return position - start
    }

    /// Skips one value of any kind (for ignored keys), within the depth limit.
    package mutating func skipValue() throws(CodecError) {
        switch try peek() {
        case UInt8(ascii: "{"):
            position += 1
            try enter()
            if !consume(UInt8(ascii: "}")) {
                repeat {
                    _ = try readString()
                    try expect(UInt8(ascii: ":"))
                    try skipValue()
                } while consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
            leave()
        case UInt8(ascii: "["):
            position += 1
            try enter()
            if !consume(UInt8(ascii: "]")) {
                repeat { try skipValue() } while consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
            leave()
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try readNumberToken()
        }
    }

    /// Fails unless only whitespace remains.
    package mutating func expectEnd() throws(CodecError) {
        skipWhitespace()
        guard position == end else { throw failure("unexpected data after the JSON value") }
    }
}

extension CodecError.Code {
    /// Text that is not JSON (details: byte offset).
    public static let invalidJSON = CodecError.Code(rawValue: "INVALID_JSON")
}
