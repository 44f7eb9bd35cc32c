public import DynamicCodec

/// Builds the mock server's answers from the schema and the configured responses.
public struct MockResponder: Sendable {
    public let schema: ServiceSchema
    public let responses: MockResponses
    public let thriftProtocol: ThriftProtocol
    /// The answer of every method of the service, encoded once at start (the replies are fixed), so a call costs
    /// a dictionary look-up rather than a JSON encoding.
    private(set) var answers: [String: Answer]

    /// What to send back for one call.
    enum Answer: Sendable {
        /// Thrift result struct / Protobuf message(s).
        case payload([[UInt8]])
        case applicationException(TApplicationException)
        case grpcStatus(code: Int, message: String)
        case business(status: String, message: String, payload: [UInt8])
        /// The request message(s) back (gRPC).
        case echo
    }

    public init(schema: ServiceSchema, responses: MockResponses = MockResponses(), thriftProtocol: ThriftProtocol = .binary)
        throws(CallError)
    {
        self.schema = schema
        self.responses = responses
        self.thriftProtocol = thriftProtocol
        self.answers = [:]
        // Every configured answer must encode: fail at start, not on the first call.
        for method in responses.byMethod.keys {
            guard schema.methodNames.contains(method) else {
                throw CallError(
                    .methodNotFound, "the responses file names \(method), which \(schema.serviceName) does not have")
            }
            _ = try compute(method: method)
        }
        var answers: [String: Answer] = [:]
        for method in schema.methodNames {
            if let answer = try? compute(method: method) { answers[method] = answer }
        }
        self.answers = answers
    }

    /// The answer to a call of `method`: encoded at start; computed now only for names outside the service (or
    /// an answer that did not encode, which then fails the call).
    func answer(method: String) throws(CallError) -> Answer {
        if let answer = answers[method] { return answer }
        return try compute(method: method)
    }

    func compute(method: String) throws(CallError) -> Answer {
        let response = responses.byMethod[method]
        do {
            switch schema {
            case .thrift(let thrift, let service):
                guard let descriptor = thrift.allMethods(of: service).first(where: { $0.name == method }) else {
                    return .applicationException(TApplicationException(
                        message: "Invalid method name: '\(method)'", type: TApplicationException.unknownMethod))
                }
                let result = thrift.structs[descriptor.resultIndex]
                func encode(_ json: String) throws(CodecError) -> [UInt8] {
                    var options = ThriftJSONOptions()
                    options.writeRequired = true
                    options.writeDefault = true
                    return try ThriftJSON.decode(Array(json.utf8), as: result, schema: thrift, encoding: thriftProtocol, options: options)
                }
                let defaultReply = descriptor.returnType.map { "{\"success\":\(Self.defaultJSON($0))}" } ?? "{}"
                switch response?.kind {
                case .reply(let json)?:
                    return .payload([try encode(descriptor.returnType == nil ? "{}" : "{\"success\":\(String(decoding: json, as: UTF8.self))}")])
                case .replies(let list)?:
                    return .payload(try list.map { (json) throws(CodecError) in
                        try encode("{\"success\":\(String(decoding: json, as: UTF8.self))}") })
                case .exception(let field, let json)?:
                    guard result.fields.contains(where: { $0.name == field && $0.id != 0 }) else {
                        throw CallError(.invalidArgument, "\(method) declares no exception \"\(field)\"")
                    }
                    return .payload([try encode("{\(JSONString.quoted(field)):\(String(decoding: json, as: UTF8.self))}")])
                case .applicationException(let exception)?:
                    return .applicationException(exception)
                case .grpcStatus(let code, let message)?:
                    return .grpcStatus(code: code, message: message)
                case .business(let status, let message)?:
                    return .business(status: status, message: message, payload: try encode(defaultReply))
                case .echo?:
                    throw CallError(.invalidArgument, "\(method): echo is for gRPC methods")
                case nil:
                    return .payload([try encode(defaultReply)])
                }
            case .protobuf(let proto, let service):
                guard let descriptor = service.method(named: method) else {
                    return .grpcStatus(code: GRPCStatus.unimplemented.rawValue, message: "unknown method \(method)")
                }
                let output = proto.output(of: descriptor)
                switch response?.kind {
                case .reply(let json)?:
                    return .payload([try ProtoJSON.decode(json, as: output, schema: proto)])
                case .replies(let list)?:
                    return .payload(try list.map { (json) throws(CodecError) in try ProtoJSON.decode(json, as: output, schema: proto) })
                case .exception?:
                    throw CallError(.invalidArgument, "\(method): Protobuf methods have no declared exceptions")
                case .applicationException(let exception)?:
                    return .applicationException(exception)
                case .grpcStatus(let code, let message)?:
                    return .grpcStatus(code: code, message: message)
                case .business(let status, let message)?:
                    return .business(status: status, message: message, payload: [])
                case .echo?:
                    return .echo
                case nil:
                    return .payload([[]])
                }
            }
        } catch let error as CallError {
            throw error
        } catch let error as CodecError {
            throw CallError(.invalidArgument, "the configured reply of \(method) does not encode: \(error)")
        } catch {
            throw CallError(.invalidArgument, "\(error)")
        }
    }

    /// A JSON value of `type` that the converter accepts (required struct fields get their defaults).
    static func defaultJSON(_ type: ThriftType) -> String {
        switch type {
        case .bool: "false"
        case .byte, .i16, .i32, .i64, .double, .enum: "0"
        case .string, .binary: "\"\""
        case .uuid: "\"00000000-0000-0000-0000-000000000000\""
        case .struct, .map: "{}"
        case .list, .set: "[]"
        }
    }
}
