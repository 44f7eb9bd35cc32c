/// Quoted map keys: every JSON string escape (`\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs joined), plus
/// `\0` and `\xHH` (one raw byte) kept from the first path syntax.
extension FieldPathParser {
    /// Reads the key after its opening quote, through the closing quote.
    mutating func parseQuoted() throws(CodecError) -> String {
        var bytes: [UInt8] = []
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if byte != UInt8(ascii: "\\") {
                bytes.append(byte)
                index += 1
                continue
            }
            try parseEscape(into: &bytes)
        }
        throw failure("unterminated string")
    }

    /// Reads one escape starting at the backslash under `index`, appending what it stands for.
    private mutating func parseEscape(into bytes: inout [UInt8]) throws(CodecError) {
        let escapeStart = index
        index += 1
        guard index < text.count else { throw failure("unterminated string") }
        let escaped = text[index]
        index += 1
        if let byte = JSONString.unescapedByte(escaped) {
            bytes.append(byte)
            return
        }
        switch escaped {
        case UInt8(ascii: "0"): bytes.append(0x00)
        case UInt8(ascii: "x"):
            guard let value = hexValue(digits: 2) else {
                throw failure("bad \\x escape: expected 2 hex digits", at: escapeStart)
            }
            bytes.append(UInt8(value))
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape(escapeStart: escapeStart)
            bytes.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw failure("unknown escape '\\\(characterText(at: index - 1))'", at: escapeStart)
        }
    }

    /// Reads the four hex digits after `\u` (and a second `\uXXXX` for a surrogate pair).
    private mutating func parseUnicodeEscape(escapeStart: Int) throws(CodecError) -> Unicode.Scalar {
        guard let unit = hexValue(digits: 4) else {
            throw failure("bad \\u escape: expected 4 hex digits", at: escapeStart)
        }
        switch unit {
        case 0xD800...0xDBFF:
            let lowStart = index
            guard index + 1 < text.count, text[index] == UInt8(ascii: "\\"), text[index + 1] == UInt8(ascii: "u")
            else {
                let message = "a high surrogate must be followed by a \\uDC00-\\uDFFF escape"
                throw failure("lone surrogate \\u\(Self.hex(unit)): \(message)", at: escapeStart)
            }
            index += 2
            guard let low = hexValue(digits: 4) else {
                throw failure("bad \\u escape: expected 4 hex digits", at: lowStart)
            }
            guard (0xDC00...0xDFFF).contains(low) else {
                throw failure(
                    "lone surrogate \\u\(Self.hex(unit)): \\u\(Self.hex(low)) after it is not a low surrogate",
                    at: escapeStart)
            }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw failure(
                "lone surrogate \\u\(Self.hex(unit)): a low surrogate must follow a high one", at: escapeStart)
        default:
            return Unicode.Scalar(unit)!
        }
    }

    /// Reads exactly `digits` hex digits, or returns nil leaving `index` where it was.
    private mutating func hexValue(digits: Int) -> UInt32? {
        guard index + digits <= text.count else { return nil }
        var value: UInt32 = 0
        for byte in text[index..<index + digits] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        index += digits
        return value
    }

    private static func hex(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
