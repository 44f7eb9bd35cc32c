public import DynamicCodec
/// The CloudWeGo / Hertz `api.*` mapping between HTTP and Thrift structs. Pure functions over bytes and
/// descriptors.
public enum ThriftHTTPMapping {}

extension ThriftHTTPMapping {
    /// Builds the encoded arguments struct of `method` (`Service.method_args`, the request struct as its field, as
    /// Thrift sends it) from an HTTP request.
    ///
    /// Each field of the request struct is filled from where its annotation says: `api.path`, `api.query`,
    /// `api.header`, `api.cookie`, `api.form` (urlencoded or multipart), `api.raw_body` (the whole body), `api.body`
    /// (a key of the JSON body); unannotated fields from the query (GET, HEAD, DELETE) or the body (otherwise),
    /// keyed by name. With `generic`, the JSON body is the whole request struct (the generic route).
    public static func request(
        _ request: HTTPRequestParts, pathParameters: [HTTPPathParameter] = [], method: ThriftMethodDescriptor,
        schema: ThriftSchema, generic: Bool = false, options: HTTPMappingOptions = HTTPMappingOptions()
    ) throws(CodecError) -> [UInt8] {
        var builder = ThriftHTTPRequestBuilder(
            request: request, pathParameters: pathParameters, schema: schema, options: options)
        switch options.thriftProtocol {
        case .binary: return try builder.build(method, generic: generic, writer: ThriftBinaryWriter())
        case .compact: return try builder.build(method, generic: generic, writer: ThriftCompactWriter())
        }
    }
}

/// Gathers the HTTP parts a request struct needs (each parsed at most once) and writes the struct.
struct ThriftHTTPRequestBuilder {
    let request: HTTPRequestParts
    let pathParameters: [HTTPPathParameter]
    let schema: ThriftSchema
    let options: HTTPMappingOptions
    let httpMethod: String

    private var query: [HTTPQueryItem]?
    private var cookies: [HTTPCookie]?
    /// The form fields, once parsed (empty when the body is not a form).
    private var form: [HTTPFormField]?

    init(
        request: HTTPRequestParts, pathParameters: [HTTPPathParameter], schema: ThriftSchema,
        options: HTTPMappingOptions
    ) {
        self.request = request
        self.pathParameters = pathParameters
        self.schema = schema
        self.options = options
        httpMethod = request.method.uppercased()
    }

    mutating func build<Writer: ThriftCountPatching>(
        _ method: ThriftMethodDescriptor, generic: Bool, writer: Writer
    ) throws(CodecError) -> [UInt8] {
        let (type, argument) = ThriftHTTPBinding.requestStruct(of: method, schema: schema)
        let jsonOptions = options.thriftJSONOptions
        let body = ProtoHTTPMapping.isBlank(request.body) ? Array("{}".utf8) : request.body
        if generic {
            // The JSON body is the request struct, written straight into the arguments struct.
            do throws(CodecError) {
                return try ThriftJSON.decode(
                    body, as: type, schema: schema, encoding: options.thriftProtocol,
                    options: jsonOptions, wrappedIn: argument?.id)
            } catch {
                throw Self.bodyError(error, key: nil)
            }
        }
        let sources = type.fields.map { ThriftHTTPBinding.requestSource($0, httpMethod: httpMethod) }
        // Body keys are read from the form fields when the body is a form.
        let bodyIsForm =
            request.mediaType == "application/x-www-form-urlencoded"
            || request.mediaType == "multipart/form-data"
        var bodyMembers: [String: Range<Int>] = [:]
        if !bodyIsForm, sources.contains(where: { if case .body = $0 { true } else { false } }) {
            bodyMembers = try Self.members(
                of: body,
                keys: Set(
                    sources.compactMap {
                        if case .body(let key) = $0 { key } else { nil }
                    }), strict: options.strict)
        }
        let text = ThriftHTTPText(schema: schema, jsonOptions: jsonOptions)
        let keys = ThriftJSONKeyTable.of(schema).structs[type.index]
        let defaults = ThriftDefaultValues<Writer>(schema: schema, maxDepth: options.limits.maxDepth)
        let encoded = try body.withCodecBytes { (buffer) throws(CodecError) -> [UInt8] in
            var decoder = ThriftJSONDecoder(schema: schema, options: jsonOptions, buffer: buffer, writer: Writer())
            decoder.writer.beginStruct()
            for (position, field) in type.fields.enumerated() {
                let source = sources[position]
                var written = true
                switch source {
                case .body(let key) where !bodyIsForm:
                    guard let range = bodyMembers[key] else {
                        written = false
                        break
                    }
                    decoder.scanner.position = range.lowerBound
                    if try decoder.scanner.consumeNull() {
                        written = false
                        break
                    }
                    do throws(CodecError) {
                        try decoder.field(field, jsConv: keys.jsConv[position])
                    } catch {
                        throw Self.bodyError(error, key: key)
                    }
                case .rawBody:
                    guard field.type == .string || field.type == .binary else {
                        throw CodecError(.schemaError, "api.raw_body field '\(field.name)' must be a string or binary")
                    }
                    decoder.writer.writeFieldHeader(field.type.wireType, id: field.id)
                    request.body.withUnsafeBytes { decoder.writer.writeBinary($0) }
                default:
                    let (values, httpSource) = try self.values(for: source, field: field)
                    guard !values.isEmpty else {
                        written = false
                        break
                    }
                    if let raw = values.raw, field.type == .binary || field.type == .string {
                        decoder.writer.writeFieldHeader(field.type.wireType, id: field.id)
                        raw.withUnsafeBytes { decoder.writer.writeBinary($0) }
                    } else {
                        var texts = values.texts
                        if let raw = values.raw {
                            // A file part for a field that is not bytes: its content is the text value.
                            guard let content = String(validating: raw, as: UTF8.self) else {
                                throw CodecError.invalidArgument(httpSource, "the file content is not UTF-8 text")
                            }
                            texts = [content]
                        }
                        try text.writeField(
                            field, texts, source: httpSource, jsConv: keys.jsConv[position], into: &decoder.writer)
                    }
                }
                if !written, field.requiredness == .required {
                    if case .path(let name) = source {
                        throw CodecError.invalidArgument(.path(name), "missing (required field '\(field.name)')")
                    }
                    guard field.defaultValue != nil else {
                        throw CodecError.missingArgument(httpSource(of: source), field: field.name)
                    }
                    try defaults.writeField(field, into: &decoder.writer, depth: 1)
                }
            }
            decoder.writer.writeStop()
            decoder.writer.endStruct()
            return decoder.writer.bytes
        }
        return try wrap(encoded, in: argument, writer: writer)
    }

    /// The arguments struct around the request struct (or the struct itself when it is the arguments struct).
    func wrap<Writer: ThriftWriting>(_ encoded: [UInt8], in argument: ThriftFieldDescriptor?, writer: Writer)
        throws(CodecError) -> [UInt8]
    {
        guard let argument else { return encoded }
        var writer = writer
        writer.beginStruct()
        writer.writeFieldHeader(.struct, id: argument.id)
        writer.bytes += encoded
        writer.writeStop()
        writer.endStruct()
        guard writer.bytes.count <= options.limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "request struct exceeds \(options.limits.maxMessageSize) bytes")
        }
        return writer.bytes
    }

    /// The text values (or, for a form file, the raw bytes) a field finds in its HTTP part.
    struct Values {
        var texts: [String] = []
        var raw: [UInt8]?
        var isEmpty: Bool { texts.isEmpty && raw == nil }
    }

    func httpSource(of source: ThriftHTTPBinding.RequestSource) -> HTTPSource {
        switch source {
        case .path(let name): .path(name)
        case .query(let name): .query(name)
        case .header(let name): .header(name)
        case .cookie(let name): .cookie(name)
        case .form(let name): .form(name)
        case .body(let key): .bodyKey(key)
        case .rawBody: .body
        }
    }

    mutating func values(for source: ThriftHTTPBinding.RequestSource, field: ThriftFieldDescriptor)
        throws(CodecError) -> (Values, HTTPSource)
    {
        let httpSource = httpSource(of: source)
        var values = Values()
        switch source {
        case .path(let name):
            if let value = pathParameters.first(where: { $0.name == name })?.value { values.texts = [value] }
        case .query(let name):
            if query == nil { query = try request.queryItems() }
            values.texts = query!.filter { $0.name == name }.map(\.value)
        case .header(let name):
            values.texts = request.headers.all(named: name)
        case .cookie(let name):
            if cookies == nil { cookies = request.cookies }
            values.texts = cookies!.filter { $0.name == name }.map(\.value)
        case .form(let name), .body(let name):
            if form == nil { form = try request.formFields() ?? [] }
            let matching = form!.filter { $0.name == name }
            if let file = matching.first, file.fileName != nil {
                values.raw = file.value
            } else {
                for part in matching {
                    guard let text = String(validating: part.value, as: UTF8.self) else {
                        throw CodecError.invalidArgument(httpSource, "the value is not UTF-8 text")
                    }
                    values.texts.append(text)
                }
            }
        case .rawBody:
            break
        }
        return (values, httpSource)
    }

    /// The value ranges of the members of a JSON object body, by key. Fails with INVALID_JSON when the body is not
    /// JSON, INVALID_ARGUMENT when it is not an object or repeats a key, UNKNOWN_FIELD (strict) for other keys.
    static func members(of body: [UInt8], keys: Set<String>, strict: Bool) throws(CodecError) -> [String: Range<Int>] {
        try body.withCodecBytes { (buffer) throws(CodecError) in
            var scanner = JSONScanner(buffer)
            var members: [String: Range<Int>] = [:]
            guard try scanner.peek() == UInt8(ascii: "{") else {
                // Anything else that is JSON is the wrong kind; the scanner reports what is not JSON.
                try scanner.skipValue()
                try scanner.expectEnd()
                throw CodecError.invalidArgument(.body, "expected a JSON object")
            }
            scanner.position += 1
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let token = try scanner.readString()
                    let key = scanner.string(of: token)
                    try scanner.expect(UInt8(ascii: ":"))
                    scanner.skipWhitespace()
                    let start = scanner.position
                    try scanner.skipValue()
                    if keys.contains(key) {
                        guard members.updateValue(start..<scanner.position, forKey: key) == nil else {
                            throw CodecError.invalidArgument(.bodyKey(key), "the key appears twice")
                        }
                    } else if strict {
                        throw CodecError(
                            .unknownField, "the request has no field for body key '\(key)'",
                            offset: token.offset, path: HTTPSource.bodyKey(key).description)
                    }
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            try scanner.expectEnd()
            return members
        }
    }

    /// A body error: INVALID_JSON keeps its code and offset; a value that does not fit becomes INVALID_ARGUMENT
    /// naming the body key and the path below it.
    @inline(never)
    static func bodyError(_ error: CodecError, key: String?) -> CodecError {
        var mapped = error
        if error.code == .typeMismatch || error.code == .invalidValue || error.code == .invalidUTF8 {
            mapped.code = .invalidArgument
        }
        let prefix = key.map { HTTPSource.bodyKey($0).description } ?? "body"
        mapped.path = prefix + (error.path.map { $0.hasPrefix("[") ? $0 : "." + $0 } ?? "")
        if error.code != .invalidJSON { mapped.message = "\(prefix): " + error.message }
        return mapped
    }
}
