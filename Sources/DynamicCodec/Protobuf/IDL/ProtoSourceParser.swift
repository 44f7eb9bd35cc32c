import SwiftProtobuf

/// Recursive-descent parser for one `.proto` file, producing the descriptor protoc's parser would produce:
/// synthesized map entries, group messages, synthetic oneofs for proto3 `optional`, `max` ranges, defaults in
/// protoc's textual form. Names stay as written; ``ProtoSourceBuilder`` resolves them.
///
/// The grammar and the keyword handling follow protoc's `parser.cc`, so that files protoc accepts parse the same.
/// Parsing stops at the first error, which carries the file, line and column.
struct ProtoSourceParser {
    let fileName: String
    let tokens: [ProtoToken]
    var position = 0
    var depth = 0
    var result: ProtoParsedFile

    /// Deepest nesting of messages (and of `{}` values) accepted, so hostile input cannot exhaust the stack.
    static let maxDepth = 100

    init(fileName: String, tokens: [ProtoToken]) {
        self.fileName = fileName
        self.tokens = tokens
        self.result = ProtoParsedFile(name: fileName)
    }

    /// Parses `text` as the file named `fileName`.
    static func parse(_ text: String, fileName: String) throws(CodecError) -> ProtoParsedFile {
        var parser = ProtoSourceParser(fileName: fileName, tokens: try ProtoLexer.tokenize(text, file: fileName))
        try parser.parseFile()
        return parser.result
    }

    // MARK: Token cursor

    var current: ProtoToken { tokens[position] }
    var atEnd: Bool { current.kind == .end }
    var currentLocation: SourceLocation { current.location(in: fileName) }

    func lookingAt(_ text: String) -> Bool {
        current.kind != .string && current.kind != .end && current.text == text
    }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    mutating func tryConsume(_ text: String) -> Bool {
        guard lookingAt(text) else { return false }
        advance()
        return true
    }

    mutating func consume(_ text: String, _ message: String? = nil) throws(CodecError) {
        guard tryConsume(text) else {
            throw syntaxError(message ?? "expected \"\(text)\", found \(current.quoted)")
        }
    }

    mutating func consumeIdentifier(_ message: String) throws(CodecError) -> String {
        guard current.kind == .identifier else { throw syntaxError("\(message) Found \(current.quoted).") }
        defer { advance() }
        return current.text
    }

    /// A non-negative integer no larger than `max`.
    mutating func consumeInteger(max: UInt64, _ message: String) throws(CodecError) -> UInt64 {
        guard current.kind == .integer else { throw syntaxError("\(message) Found \(current.quoted).") }
        guard let value = ProtoLexer.integerValue(current.text), value <= max else {
            throw syntaxError("integer \(current.text) is out of range")
        }
        advance()
        return value
    }

    /// An `int32` value written as a plain non-negative integer (field numbers, range bounds).
    mutating func consumeInt32(_ message: String) throws(CodecError) -> Int32 {
        Int32(try consumeInteger(max: UInt64(Int32.max), message))
    }

    /// An `int32` value with an optional leading minus sign (enum values, enum reserved ranges).
    mutating func consumeSignedInt32(_ message: String) throws(CodecError) -> Int32 {
        let negative = tryConsume("-")
        let magnitude = try consumeInteger(max: negative ? UInt64(Int32.max) + 1 : UInt64(Int32.max), message)
        return negative ? Int32(truncatingIfNeeded: 0 &- Int64(magnitude)) : Int32(magnitude)
    }

    /// One string literal or several adjacent ones, concatenated like C.
    mutating func consumeString(_ message: String) throws(CodecError) -> [UInt8] {
        guard current.kind == .string else { throw syntaxError("\(message) Found \(current.quoted).") }
        var bytes: [UInt8] = []
        while current.kind == .string {
            bytes += current.bytes
            advance()
        }
        return bytes
    }

    /// A string literal that must be valid UTF-8 (names, syntax, json_name).
    mutating func consumeText(_ message: String) throws(CodecError) -> String {
        let location = currentLocation
        let bytes = try consumeString(message)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CodecError(.syntaxError, "string is not valid UTF-8", location: location)
        }
        return text
    }

    /// Keeps the comment above the current token (the first of the declaration at `path`) as its documentation.
    mutating func noteLeadingComment(path: [Int32]) {
        if let text = current.leadingComment { result.comments[path] = text }
    }

    /// Keeps the comment after the token just consumed (the last of the declaration at `path`, on the same line) as
    /// its documentation when it has no leading comment.
    mutating func noteTrailingComment(path: [Int32]) {
        guard result.comments[path] == nil, position > 0, let text = tokens[position - 1].trailingComment else {
            return
        }
        result.comments[path] = text
    }

    func syntaxError(_ message: String, at location: SourceLocation? = nil) -> CodecError {
        CodecError(.syntaxError, message, location: location ?? currentLocation)
    }

    mutating func enterBlock() throws(CodecError) {
        depth += 1
        if depth > ProtoSourceParser.maxDepth {
            throw syntaxError("definitions are nested deeper than \(ProtoSourceParser.maxDepth) levels")
        }
    }

    // MARK: File level

    mutating func parseFile() throws(CodecError) {
        if lookingAt("syntax") {
            try parseSyntax()
        } else if lookingAt("edition") {
            throw syntaxError(
                "editions are not supported; use syntax = \"proto2\" or syntax = \"proto3\"")
        }
        while !atEnd {
            try parseTopLevelStatement()
        }
    }

    private mutating func parseSyntax() throws(CodecError) {
        try consume("syntax")
        try consume("=")
        let location = currentLocation
        let syntax = try consumeText("Expected syntax identifier.")
        switch syntax {
        case "proto2": break
        case "proto3":
            result.isProto3 = true
            result.descriptor.syntax = "proto3"
        default:
            throw syntaxError(
                "unrecognized syntax identifier \"\(syntax)\"; this parser only recognizes \"proto2\" and \"proto3\"",
                at: location)
        }
        try consume(";")
    }

    private mutating func parseTopLevelStatement() throws(CodecError) {
        if tryConsume(";") { return }
        if lookingAt("message") {
            let index = Int32(result.descriptor.messageType.count)
            let message = try parseMessageDefinition(path: [ProtoSourcePath.fileMessage, index])
            result.descriptor.messageType.append(message)
        } else if lookingAt("enum") {
            let index = Int32(result.descriptor.enumType.count)
            result.descriptor.enumType.append(try parseEnumDefinition(path: [ProtoSourcePath.fileEnum, index]))
        } else if lookingAt("service") {
            let index = Int32(result.descriptor.service.count)
            result.descriptor.service.append(try parseServiceDefinition(path: [ProtoSourcePath.fileService, index]))
        } else if lookingAt("extend") {
            let parsed = try parseExtend(
                fieldPath: [ProtoSourcePath.fileExtension], firstField: result.descriptor.extension.count,
                messagePath: [ProtoSourcePath.fileMessage], firstMessage: result.descriptor.messageType.count)
            result.descriptor.extension += parsed.fields
            result.descriptor.messageType += parsed.messages
        } else if lookingAt("import") {
            try parseImport()
        } else if lookingAt("package") {
            try parsePackage()
        } else if lookingAt("option") {
            try parseOptionStatement(path: [])
        } else {
            throw syntaxError("expected a top-level statement (e.g. \"message\"), found \(current.quoted)")
        }
    }

    private mutating func parseImport() throws(CodecError) {
        let location = currentLocation
        try consume("import")
        let index = Int32(result.descriptor.dependency.count)
        if tryConsume("public") {
            result.descriptor.publicDependency.append(index)
        } else if tryConsume("weak") {
            result.descriptor.weakDependency.append(index)
        }
        let name = try consumeText("Expected a string naming the file to import.")
        result.descriptor.dependency.append(name)
        result.importLocations.append(location)
        try consume(";")
    }

    private mutating func parsePackage() throws(CodecError) {
        let location = currentLocation
        if result.packageLocation != nil {
            throw syntaxError("multiple package definitions")
        }
        try consume("package")
        var name = try consumeIdentifier("Expected identifier.")
        while tryConsume(".") {
            name += "." + (try consumeIdentifier("Expected identifier."))
        }
        try consume(";")
        result.descriptor.package = name
        result.packageLocation = location
    }

    /// A type name as used by `extend` and `rpc`: optional leading dot, then dotted identifiers.
    mutating func parseUserDefinedType() throws(CodecError) -> String {
        if ProtoSourceParser.scalarTypes[current.text] != nil && current.kind == .identifier {
            throw syntaxError("expected a message type, found the scalar type \(current.quoted)")
        }
        var name = tryConsume(".") ? "." : ""
        name += try consumeIdentifier("Expected type name.")
        while tryConsume(".") {
            name += "." + (try consumeIdentifier("Expected identifier."))
        }
        return name
    }

    static let scalarTypes: [String: Google_Protobuf_FieldDescriptorProto.TypeEnum] = [
        "double": .double, "float": .float, "int64": .int64, "uint64": .uint64, "int32": .int32,
        "fixed64": .fixed64, "fixed32": .fixed32, "bool": .bool, "string": .string, "group": .group,
        "bytes": .bytes, "uint32": .uint32, "sfixed32": .sfixed32, "sfixed64": .sfixed64, "sint32": .sint32,
        "sint64": .sint64,
    ]
}
