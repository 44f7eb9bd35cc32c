/// JSON string quoting for other modules (error bodies, command-line output), using the converters' own writer.
public enum JSONString {
    /// `text` as a quoted JSON string, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
