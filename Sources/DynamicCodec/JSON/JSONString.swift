/// JSON string quoting for other modules (error bodies, command-line output), using the converters' own writer.
public enum JSONString {
    /// The byte a one-character JSON escape stands for (`n` of `\n` is 0x0A); nil for `u` and non-escapes.
    @inline(__always)
    package static func unescapedByte(_ code: UInt8) -> UInt8? {
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): code
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// `text` as a quoted JSON string, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
