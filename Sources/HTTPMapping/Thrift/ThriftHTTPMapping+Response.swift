public import DynamicCodec
extension ThriftHTTPMapping {
    /// Maps the encoded result struct of `method` (`Service.method_result`: `success` as field 0, declared
    /// exceptions after it) to an HTTP response.
    ///
    /// A struct reply is split by its annotations: `api.http_code` sets the status, `api.header` and `api.cookie`
    /// fields become headers and cookies, `api.none` fields are dropped, an `api.raw_body` field is the body as is;
    /// the other fields make the JSON body, keyed by `api.body` (or `api.key`, or the name). Other replies are
    /// their JSON value; a void method answers `{}`. A declared exception answers with status 500 (or its
    /// `api.http_code` field) and `{"code": "DECLARED_EXCEPTION", "message": ..., "details": {"name": ...,
    /// "value": ...}}`. With `generic`, annotations are ignored and the reply is its plain JSON value.
    public static func response(
        _ result: [UInt8], method: ThriftMethodDescriptor, schema: ThriftSchema, generic: Bool = false,
        options: HTTPMappingOptions = HTTPMappingOptions()
    ) throws(CodecError) -> HTTPResponseParts {
        // A oneway call has no reply to read: the request was sent, and that is all there is to say.
        if method.isOneway {
            return HTTPResponseParts(status: 200, headers: HTTPResponseParts.jsonHeaders, body: Array("{}".utf8))
        }
        let writer = ThriftHTTPResponseWriter(schema: schema, method: method, generic: generic, options: options)
        do throws(CodecError) {
            return try result.withCodecBytes { (buffer) throws(CodecError) in
                let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
                let range = 0..<buffer.count
                let depth = options.limits.maxDepth
                switch options.thriftProtocol {
                case .binary:
                    var reader = ThriftBinaryReader(base: base, range: range, maxDepth: depth)
                    return try writer.response(&reader)
                case .compact:
                    var reader = ThriftCompactReader(base: base, range: range, maxDepth: depth)
                    return try writer.response(&reader)
                }
            }
        } catch {
            guard error.code != .badBackendReply, error.code != .schemaError else { throw error }
            throw CodecError(
                .badBackendReply, "the reply of \(method.name) does not decode: \(error.message)",
                offset: error.offset, path: error.path)
        }
    }
}

/// Walks a result struct once, writing JSON as it goes.
struct ThriftHTTPResponseWriter {
    let schema: ThriftSchema
    let method: ThriftMethodDescriptor
    let generic: Bool
    let options: HTTPMappingOptions

    func response<Reader: ThriftReading>(_ reader: inout Reader) throws(CodecError) -> HTTPResponseParts {
        let resultType = schema.structs[method.resultIndex]
        try reader.beginStruct()
        while let header = try reader.readFieldHeader() {
            guard let field = resultType.field(id: header.id), header.type == field.type.wireType else {
                try reader.skip(header.type)
                continue
            }
            if header.id == 0 {
                return try success(field.type, &reader)
            }
            if method.exceptionIds.contains(header.id), case .struct(let index) = field.type {
                return try exception(schema.structs[index], &reader)
            }
            try reader.skip(header.type)
        }
        guard method.returnType == nil else {
            throw CodecError(.badBackendReply, "the reply of \(method.name) has neither a result nor an exception")
        }
        return HTTPResponseParts(status: 200, headers: HTTPResponseParts.jsonHeaders, body: Array("{}".utf8))
    }

    func success<Reader: ThriftReading>(_ type: ThriftType, _ reader: inout Reader) throws(CodecError)
        -> HTTPResponseParts
    {
        var encoder = ThriftJSONEncoder(schema: schema, options: options.thriftJSONOptions, capacity: 256)
        guard !generic, case .struct(let index) = type else {
            try encoder.valueFromAnyModule(type, jsConv: false, &reader, depth: 1)
            return HTTPResponseParts(
                status: 200, headers: HTTPResponseParts.jsonHeaders, body: encoder.writer.bytes)
        }
        let replyType = schema.structs[index]
        let keys = encoder.keys.structs[index]
        var response = HTTPResponseParts(status: 200)
        var rawBody: [UInt8]?
        var seen = Set<Int16>()
        var members = 0
        encoder.writer.beginObject()
        try reader.beginStruct()
        while let header = try reader.readFieldHeader() {
            let position = replyType.fieldPosition(id: header.id)
            guard position >= 0, seen.insert(header.id).inserted else {
                try reader.skip(header.type)
                continue
            }
            let field = replyType.fields[position]
            guard header.type == field.type.wireType else {
                throw CodecError(
                    .badBackendReply, "reply field '\(field.name)' has wire type \(header.type)",
                    offset: reader.position)
            }
            switch ThriftHTTPBinding.responseRole(field) {
            case .httpCode:
                let code = try integer(field.type, &reader)
                guard let code, (100...599).contains(code) else {
                    let held = code.map(String.init) ?? "a non-integer"
                    throw CodecError(
                        .badBackendReply, "api.http_code field '\(field.name)' holds \(held), not an HTTP status")
                }
                response.status = Int(code)
            case .header(let name):
                response.headers.append(HTTPHeader(name, try text(field.type, &reader)))
            case .cookie(let name):
                response.cookies.append(HTTPCookie(name, try text(field.type, &reader)))
            case .none:
                try reader.skip(header.type)
            case .rawBody:
                guard field.type == .string || field.type == .binary else {
                    try reader.skip(header.type)
                    continue
                }
                let range = try reader.readBinary()
                rawBody = Array(UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))
            case .body(let key):
                if members > 0 { encoder.writer.comma() }
                members += 1
                encoder.writer.string(key)
                encoder.writer.colon()
                do throws(CodecError) {
                    try encoder.valueFromAnyModule(field.type, jsConv: keys.jsConv[position], &reader, depth: 2)
                } catch {
                    throw error.under(field.name)
                }
            }
        }
        reader.endStruct()
        encoder.writer.endObject()
        if replyType.fields.contains(where: { ThriftHTTPBinding.responseRole($0) == .rawBody }) {
            response.body = rawBody ?? []
            // A body always says what it is: bytes, unless a header field named its type (an empty field, as
            // backends write an unset string, names none).
            response.headers.removeAll { $0.name.lowercased() == "content-type" && $0.value.isEmpty }
            if !response.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                response.headers.append(HTTPHeader("Content-Type", "application/octet-stream"))
            }
        } else {
            response.body = encoder.writer.bytes
            response.headers.removeAll { $0.name.lowercased() == "content-type" }
            response.headers.append(HTTPResponseParts.jsonContentType)
        }
        return response
    }

    /// A declared exception as the errors.md JSON body.
    func exception<Reader: ThriftReading>(_ type: ThriftStructDescriptor, _ reader: inout Reader) throws(CodecError)
        -> HTTPResponseParts
    {
        let start = reader.position
        var encoder = ThriftJSONEncoder(schema: schema, options: options.thriftJSONOptions, capacity: 256)
        try encoder.structValueFromAnyModule(type, &reader, depth: 1)
        let value = encoder.writer.bytes
        // A second pass over the exception for its status and message.
        var scan = Reader(base: reader.base, range: start..<reader.position, maxDepth: reader.maxDepth)
        var status = 500
        var message: String?
        var codeSeen = false
        try scan.beginStruct()
        while let header = try scan.readFieldHeader() {
            guard let field = type.field(id: header.id), header.type == field.type.wireType else {
                try scan.skip(header.type)
                continue
            }
            if field.annotations["api.http_code"] != nil, let code = try integer(field.type, &scan),
                (100...599).contains(code)
            {
                status = Int(code)
                codeSeen = true
            } else if field.name == "message", field.type == .string {
                message = try text(field.type, &scan)
            } else {
                try scan.skip(header.type)
            }
        }
        if !codeSeen, let field = type.fields.first(where: { $0.annotations["api.http_code"] != nil }),
            case .integer(let code)? = field.defaultValue, (100...599).contains(code)
        {
            status = Int(code)
        }
        let name = type.name.split(separator: ".").last.map(String.init) ?? type.name
        var writer = JSONWriter(capacity: value.count + 128)
        writer.beginObject()
        writer.string("code")
        writer.colon()
        writer.string("DECLARED_EXCEPTION")
        writer.comma()
        writer.string("message")
        writer.colon()
        writer.string(message ?? "\(method.name) threw \(name)")
        writer.comma()
        writer.string("details")
        writer.colon()
        writer.beginObject()
        writer.string("name")
        writer.colon()
        writer.string(name)
        writer.comma()
        writer.string("value")
        writer.colon()
        writer.raw(value)
        writer.endObject()
        writer.endObject()
        return HTTPResponseParts(status: status, headers: HTTPResponseParts.jsonHeaders, body: writer.bytes)
    }

    /// An integer field's value (nil for other types, which are skipped).
    func integer<Reader: ThriftReading>(_ type: ThriftType, _ reader: inout Reader) throws(CodecError) -> Int64? {
        switch type {
        case .byte: return Int64(try reader.readByte())
        case .i16: return Int64(try reader.readI16())
        case .i32, .enum: return Int64(try reader.readI32())
        case .i64: return try reader.readI64()
        default:
            try reader.skip(type.wireType)
            return nil
        }
    }

    /// A value as header or cookie text: scalars as written, lists and sets joined with commas.
    func text<Reader: ThriftReading>(_ type: ThriftType, _ reader: inout Reader) throws(CodecError) -> String {
        switch type {
        case .bool: return try reader.readBool() ? "true" : "false"
        case .byte, .i16, .i32, .i64: return String(try integer(type, &reader)!)
        case .enum(let index):
            let number = try reader.readI32()
            return options.thriftJSON.enumsAsNames
                ? schema.enums[index].name(of: number) ?? String(number)
                : String(number)
        case .double: return String(try reader.readDouble())
        case .string, .binary:
            let range = try reader.readBinary()
            return String(
                decoding: UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count),
                as: UTF8.self)
        case .list(let element), .set(let element):
            let header = try reader.readListHeader()
            guard header.count == 0 || header.element == element.wireType else {
                throw CodecError(.badBackendReply, "list elements have wire type \(header.element)")
            }
            var items: [String] = []
            for _ in 0..<header.count { items.append(try text(element, &reader)) }
            return items.joined(separator: ",")
        default:
            var encoder = ThriftJSONEncoder(schema: schema, options: options.thriftJSONOptions, capacity: 64)
            try encoder.valueFromAnyModule(type, jsConv: false, &reader, depth: 2)
            return String(decoding: encoder.writer.bytes, as: UTF8.self)
        }
    }
}
