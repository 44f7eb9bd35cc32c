/// Parses the text form of a ``FieldPath``. Errors are `INVALID_PATH` with the offset of the problem counted in
/// characters (Unicode scalars) from the start of the path.
struct FieldPathParser {
    let text: [UInt8]
    var index = 0

    init(text: [UInt8]) { self.text = text }

    /// An error at byte `position` of the path (default: the current position).
    @inline(never)
    func failure(_ message: String, at position: Int? = nil) -> CodecError {
        let characters = Self.characterOffset(ofByte: position ?? index, in: text)
        return CodecError(.invalidPath, "\(message) at character \(characters) of path", offset: characters)
    }

    /// Unicode scalars before byte `position` (UTF-8 continuation bytes do not start a character).
    static func characterOffset(ofByte position: Int, in text: [UInt8]) -> Int {
        var count = 0
        for byte in text[..<min(position, text.count)] where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    mutating func parse() throws(CodecError) -> [FieldPath.Step] {
        var steps: [FieldPath.Step] = []
        if text.isEmpty { return steps }
        var expectField = true
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "[") {
                if steps.isEmpty { throw failure("a path must start with a field") }
                index += 1
                steps.append(try parseSubscript())
                expectField = false
            } else if byte == UInt8(ascii: ".") {
                if expectField { throw failure("empty path step") }
                index += 1
                expectField = true
                if index == text.count { throw failure("path ends with '.'") }
            } else {
                if !expectField { throw failure("expected '.' or '['") }
                steps.append(try parseField())
                expectField = false
            }
        }
        return steps
    }

    mutating func parseField() throws(CodecError) -> FieldPath.Step {
        let start = index
        while index < text.count, text[index] != UInt8(ascii: "."), text[index] != UInt8(ascii: "[") {
            let byte = text[index]
            let ok =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_")
            if !ok { throw failure("unexpected character '\(characterText(at: index))'") }
            index += 1
        }
        if start == index { throw failure("empty path step") }
        let token = String(decoding: text[start..<index], as: UTF8.self)
        if let number = Int(token) { return .number(number) }
        if text[start] >= 0x30 && text[start] <= 0x39 {
            throw failure("field names cannot start with a digit", at: start)
        }
        return .name(token)
    }

    mutating func parseSubscript() throws(CodecError) -> FieldPath.Step {
        guard index < text.count else { throw failure("unterminated '['") }
        let step: FieldPath.Step
        if text[index] == UInt8(ascii: "\"") {
            index += 1
            step = .string(try parseQuoted())
        } else {
            let start = index
            while index < text.count, text[index] != UInt8(ascii: "]") { index += 1 }
            let token = String(decoding: text[start..<index], as: UTF8.self)
            if token == "true" {
                step = .bool(true)
            } else if token == "false" {
                step = .bool(false)
            } else if let value = Int64(token) {
                step = .integer(value)
            } else if let value = UInt64(token) {
                step = .unsigned(value)
            } else {
                throw failure("subscript must be an integer, true, false or a quoted string", at: start)
            }
        }
        guard index < text.count, text[index] == UInt8(ascii: "]") else { throw failure("expected ']'") }
        index += 1
        return step
    }

    /// The character starting at byte `position`, for messages.
    func characterText(at position: Int) -> String {
        var end = position + 1
        while end < text.count, text[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: text[position..<end], as: UTF8.self)
    }
}
