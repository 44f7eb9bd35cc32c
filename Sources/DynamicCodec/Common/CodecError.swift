/// The one error type of DynamicCodec.
///
/// Every failure carries a stable ``Code`` that callers can switch on, a message a person can act on, and where
/// it happened: the byte offset in the input, the field path, or the file/line/column of IDL text.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code. New codes may be added; existing ones never change meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input ended in the middle of a value.
        public static let truncated = Code(rawValue: "TRUNCATED")
        /// A varint longer than 10 bytes, or a 10th byte carrying more than one bit.
        public static let malformedVarint = Code(rawValue: "MALFORMED_VARINT")
        /// A tag with wire type 6 or 7, field number 0, or a wire type the field cannot have.
        public static let invalidWireType = Code(rawValue: "INVALID_WIRE_TYPE")
        /// A tag with a field number of 0 or above 2^29-1.
        public static let invalidFieldNumber = Code(rawValue: "INVALID_FIELD_NUMBER")
        /// A length prefix pointing past the end of its enclosing message.
        public static let lengthOutOfBounds = Code(rawValue: "LENGTH_OUT_OF_BOUNDS")
        /// Nesting deeper than ``CodecLimits/maxDepth``.
        public static let depthLimitExceeded = Code(rawValue: "DEPTH_LIMIT_EXCEEDED")
        /// Input or output larger than a configured limit.
        public static let sizeLimitExceeded = Code(rawValue: "SIZE_LIMIT_EXCEEDED")
        /// A group whose end tag is missing or does not match its start tag.
        public static let malformedGroup = Code(rawValue: "MALFORMED_GROUP")
        /// A string field whose bytes are not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: "INVALID_UTF8")
        /// A path expression that does not parse.
        public static let invalidPath = Code(rawValue: "INVALID_PATH")
        /// A path names a field the descriptor does not have.
        public static let unknownField = Code(rawValue: "UNKNOWN_FIELD")
        /// A path step that does not fit the field (an index on a singular field, a key on a list, ...).
        public static let pathMismatch = Code(rawValue: "PATH_MISMATCH")
        /// A list index beyond the end of the list.
        public static let indexOutOfRange = Code(rawValue: "INDEX_OUT_OF_RANGE")
        /// A value whose type does not fit the field it is written to.
        public static let typeMismatch = Code(rawValue: "TYPE_MISMATCH")
        /// A value that fits the type but not the field (out of range, not a known enum name, ...).
        public static let invalidValue = Code(rawValue: "INVALID_VALUE")
        /// A message or enum name that the schema does not define.
        public static let unknownType = Code(rawValue: "UNKNOWN_TYPE")
        /// IDL text that does not parse.
        public static let syntaxError = Code(rawValue: "SYNTAX_ERROR")
        /// IDL text that parses but is not a valid schema (unresolved names, duplicates, bad numbers).
        public static let schemaError = Code(rawValue: "SCHEMA_ERROR")
        /// An import or include that cannot be found.
        public static let importNotFound = Code(rawValue: "IMPORT_NOT_FOUND")
        /// Compiled descriptor bytes that do not decode or do not link.
        public static let invalidDescriptor = Code(rawValue: "INVALID_DESCRIPTOR")
        /// A required field missing after an operation that must keep it.
        public static let missingRequiredField = Code(rawValue: "MISSING_REQUIRED_FIELD")
    }

    public var code: Code
    public var message: String
    /// Byte offset in the binary input where the problem was found.
    public var offset: Int?
    /// Field path (`a.b[3]`) of the value being processed, when known.
    public var path: String?
    /// Position in IDL text, for schema errors.
    public var location: SourceLocation?

    public init(
        _ code: Code, _ message: String, offset: Int? = nil, path: String? = nil, location: SourceLocation? = nil
    ) {
        self.code = code
        self.message = message
        self.offset = offset
        self.path = path
        self.location = location
    }

    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(code): \(message)"
        if let path, !path.isEmpty { text += " (at \(path))" }
        if let offset { text += " (byte offset \(offset))" }
        return text
    }
}

/// A position in IDL source text; lines and columns count from 1.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

extension CodecError {
    /// Error constructors are out of line so the hot paths that may throw stay small.
    @inline(never)
    package static func truncated(at offset: Int) -> CodecError {
        CodecError(.truncated, "input ends in the middle of a value", offset: offset)
    }

    @inline(never)
    package static func malformedVarint(at offset: Int) -> CodecError {
        CodecError(.malformedVarint, "varint longer than 10 bytes or overflowing 64 bits", offset: offset)
    }

    @inline(never)
    package static func lengthOutOfBounds(_ length: UInt64, at offset: Int) -> CodecError {
        CodecError(.lengthOutOfBounds, "length \(length) runs past the end of the enclosing data", offset: offset)
    }

    @inline(never)
    package static func depthExceeded(_ limit: Int, at offset: Int) -> CodecError {
        CodecError(.depthLimitExceeded, "nesting deeper than the limit of \(limit)", offset: offset)
    }

    /// Adds a path prefix to an error raised below a field.
    package func under(_ prefix: String) -> CodecError {
        var copy = self
        if let path, !path.isEmpty {
            copy.path = path.hasPrefix("[") ? prefix + path : prefix + "." + path
        } else {
            copy.path = prefix
        }
        return copy
    }
}
