/// A path into a message: field steps and subscripts, shared by the Protobuf and Thrift codecs.
///
/// Text form: steps separated by `.`, each a field name or number; `[N]` indexes a list (or selects an integer map
/// key); `["k"]` selects a string (or bytes) map key; `[true]` a boolean key. Example:
/// `map_string_simple["15"].binary_field`. Which meaning a subscript has is decided by the descriptor. Quoted keys
/// take every JSON string escape (`\n`, `\u00e9`, surrogate pairs `\ud83d\ude00`), plus `\0` and `\xHH`.
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

    /// The key as it is written between quotes: JSON escapes for quotes, backslashes, control characters and the
    /// line separators U+2028/U+2029, so that parsing the description gives the same key back.
    static func escape(_ key: String) -> String {
        var out = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                let digits = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
