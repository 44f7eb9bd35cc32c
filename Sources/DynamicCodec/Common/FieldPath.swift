/// A path into a message: field steps and subscripts, shared by the Protobuf and Thrift codecs.
///
/// Text form: steps separated by `.`, each a field name or number; `[N]` indexes a list (or selects an integer map
/// key); `["k"]` selects a string (or bytes) map key; `[true]` a boolean key. Example:
/// `map_string_simple["15"].binary_field`. Which meaning a subscript has is decided by the descriptor.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        /// A field by name.
        case name(String)
        /// A field by number (Protobuf field number or Thrift field id).
        case number(Int)
        /// `[N]`: a list index or an integer map key.
        case integer(Int64)
        /// `[N]` above `Int64.max`: an unsigned 64-bit map key.
        case unsigned(UInt64)
        /// `["k"]`: a string or bytes map key.
        case string(String)
        /// `[true]` / `[false]`: a boolean map key.
        case bool(Bool)
    }

    public var steps: [Step]

    public init(_ steps: [Step]) { self.steps = steps }

    /// Parses the text form. Throws ``CodecError/Code/invalidPath`` with the character offset on bad syntax.
    public init(parsing text: String) throws(CodecError) {
        var parser = FieldPathParser(text: Array(text.utf8))
        steps = try parser.parse()
    }

    public var description: String {
        var out = ""
        for step in steps {
            switch step {
            case .name(let name):
                if !out.isEmpty { out += "." }
                out += name
            case .number(let number):
                if !out.isEmpty { out += "." }
                out += String(number)
            case .integer(let value): out += "[\(value)]"
            case .unsigned(let value): out += "[\(value)]"
            case .string(let key): out += "[\"" + FieldPath.escape(key) + "\"]"
            case .bool(let value): out += "[\(value)]"
            }
        }
        return out
    }

    static func escape(_ key: String) -> String {
        var out = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

private struct FieldPathParser {
    let text: [UInt8]
    var index = 0

    @inline(never)
    func failure(_ message: String) -> CodecError {
        CodecError(.invalidPath, "\(message) at character \(index) of path", offset: index)
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
            if !ok { throw failure("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }
        if start == index { throw failure("empty path step") }
        let token = String(decoding: text[start..<index], as: UTF8.self)
        if let number = Int(token) { return .number(number) }
        if text[start] >= 0x30 && text[start] <= 0x39 { throw failure("field names cannot start with a digit") }
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
                index = start
                throw failure("subscript must be an integer, true, false or a quoted string")
            }
        }
        guard index < text.count, text[index] == UInt8(ascii: "]") else { throw failure("expected ']'") }
        index += 1
        return step
    }

    mutating func parseQuoted() throws(CodecError) -> String {
        var bytes: [UInt8] = []
        while index < text.count {
            let byte = text[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
            if byte != UInt8(ascii: "\\") {
                bytes.append(byte)
                continue
            }
            guard index < text.count else { break }
            let escaped = text[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "0"): bytes.append(0x00)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(escaped)
            case UInt8(ascii: "x"):
                guard index + 2 <= text.count, let value = UInt8(String(decoding: text[index..<index + 2], as: UTF8.self), radix: 16)
                else { throw failure("bad \\x escape") }
                bytes.append(value)
                index += 2
            default: throw failure("unknown escape '\\\(Character(Unicode.Scalar(escaped)))'")
            }
        }
        throw failure("unterminated string")
    }
}
