/// Position tracking shared by the `.proto` and `.thrift` lexers: both read UTF-8 bytes, count lines and columns
/// from 1 (columns in bytes), accept a leading byte order mark, and report syntax errors at a position.
protocol IDLLexing {
    var file: String { get }
    var input: [UInt8] { get }
    var index: Int { get set }
    var line: Int { get set }
    var lineStart: Int { get set }
}

extension IDLLexing {
    var column: Int { index - lineStart + 1 }

    func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < input.count ? input[position] : nil
    }

    func error(_ message: String, line: Int, column: Int) -> CodecError {
        CodecError(.syntaxError, message, location: SourceLocation(file: file, line: line, column: column))
    }

    /// Skips a UTF-8 byte order mark at the start; columns count from after it (as protoc and thrift do).
    mutating func skipByteOrderMark() {
        if index == 0, input.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
    }
}
