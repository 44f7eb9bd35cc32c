/// A `google.api.http` annotation in typed form.
public struct HTTPRule: Sendable, Hashable {
    /// The HTTP method: GET, PUT, POST, DELETE, PATCH, or the `custom` kind as written.
    public var method: String
    /// The path template, e.g. `/v1/{name=shelves/*}`.
    public var pathTemplate: String
    /// `"*"` for the whole request, a field name for one field, nil when there is no body.
    public var body: String?
    /// The reply field sent as the response body, or nil for the whole reply.
    public var responseBody: String?
    /// Further bindings of the same method (they cannot nest further).
    public var additionalBindings: [HTTPRule]
    public var selector: String?

    public init(
        method: String, pathTemplate: String, body: String? = nil, responseBody: String? = nil,
        additionalBindings: [HTTPRule] = [], selector: String? = nil
    ) {
        self.method = method
        self.pathTemplate = pathTemplate
        self.body = body
        self.responseBody = responseBody
        self.additionalBindings = additionalBindings
        self.selector = selector
    }
}

extension HTTPRule {
    /// Field number of the `google.api.http` extension of `google.protobuf.MethodOptions`.
    static let extensionNumber = 72_295_728

    /// Decodes an encoded `google.api.HttpRule` (selector=1, get=2, put=3, post=4, delete=5, patch=6, body=7,
    /// custom=8 {kind=1, path=2}, additional_bindings=11, response_body=12).
    init(encoded bytes: [UInt8], range: Range<Int>, depth: Int = 0) throws(CodecError) {
        guard depth < 8 else { throw CodecError(.invalidDescriptor, "google.api.http bindings nested too deep") }
        var rule = HTTPRule(method: "", pathTemplate: "")
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: range)
            while !cursor.isAtEnd {
                let tag = try cursor.readTag()
                guard tag.wireType == .lengthDelimited else {
                    try cursor.skip(tag.wireType, number: tag.number)
                    continue
                }
                let value = try cursor.readLengthDelimited()
                let text = String(decoding: buffer[value], as: UTF8.self)
                switch tag.number {
                case 1: rule.selector = text
                case 2: (rule.method, rule.pathTemplate) = ("GET", text)
                case 3: (rule.method, rule.pathTemplate) = ("PUT", text)
                case 4: (rule.method, rule.pathTemplate) = ("POST", text)
                case 5: (rule.method, rule.pathTemplate) = ("DELETE", text)
                case 6: (rule.method, rule.pathTemplate) = ("PATCH", text)
                case 7: rule.body = text.isEmpty ? nil : text
                case 8:
                    var inner = ProtoCursor(base: cursor.base, range: value)
                    while !inner.isAtEnd {
                        let innerTag = try inner.readTag()
                        guard innerTag.wireType == .lengthDelimited else {
                            try inner.skip(innerTag.wireType, number: innerTag.number)
                            continue
                        }
                        let part = String(decoding: buffer[try inner.readLengthDelimited()], as: UTF8.self)
                        if innerTag.number == 1 { rule.method = part }
                        if innerTag.number == 2 { rule.pathTemplate = part }
                    }
                case 11: rule.additionalBindings.append(try HTTPRule(encoded: bytes, range: value, depth: depth + 1))
                case 12: rule.responseBody = text.isEmpty ? nil : text
                default: break
                }
            }
        }
        self = rule
    }
}
