public import DynamicCodec
public import HTTPMapping

/// A reply rendered as JSON: the method's value, or an error body (declared exception, call failure).
public struct JSONReply: Sendable {
    /// The JSON text.
    public var json: [UInt8]
    /// HTTP status the reply maps to (200 for success).
    public var status: Int
    public var isError: Bool { status >= 400 }
}

/// JSON in, JSON out, for any method of a loaded service — what `portico call` and scripts use.
///
/// Requests: for Thrift, the JSON is the method's single struct argument (the Kitex generic-call convention) or,
/// for other signatures, an object keyed by argument names; for Protobuf, the request message in proto3 JSON.
/// Replies: the success value (Thrift) or reply message (Protobuf); a declared Thrift exception is an error reply
/// `{"code": "DECLARED_EXCEPTION", ...}` with its name and value.
public struct JSONCaller: Sendable {
    public let schema: ServiceSchema
    public let client: RPCClient
    public var options: HTTPMappingOptions

    public init(schema: ServiceSchema, client: RPCClient, options: HTTPMappingOptions = HTTPMappingOptions()) {
        self.schema = schema
        self.client = client
        var options = options
        options.thriftProtocol = client.configuration.thriftProtocol
        self.options = options
    }

    /// Encodes `json` as the request of `method`.
    public func request(method: String, json: [UInt8], headers: [RPCHeader] = [], hashKey: String? = nil)
        throws(CallError) -> RPCRequest
    {
        let parts = HTTPRequestParts(method: "POST", path: "/", headers: [HTTPHeader("Content-Type", "application/json")], body: json)
        do {
            switch schema {
            case .thrift(let thrift, let service):
                let descriptor = try thriftMethod(method, thrift, service)
                let payload = try ThriftHTTPMapping.request(parts, method: descriptor, schema: thrift, generic: true, options: options)
                return RPCRequest(
                    service: schema.serviceName, method: descriptor.name, payload: payload, headers: headers,
                    isOneway: descriptor.isOneway, hashKey: hashKey)
            case .protobuf(let proto, let service):
                let descriptor = try protoMethod(method, service)
                let payload = try ProtoJSON.decode(json, as: proto.input(of: descriptor), schema: proto, options: options.protoJSON)
                return RPCRequest(service: service.fullName, method: descriptor.name, payload: payload, headers: headers, hashKey: hashKey)
            }
        } catch let error as CallError {
            throw error
        } catch let error as CodecError {
            throw CallError(error)
        } catch {
            throw CallError(.invalidArgument, "\(error)")
        }
    }

    /// Renders an encoded reply of `method` as JSON.
    public func render(method: String, reply: [UInt8]) throws(CallError) -> JSONReply {
        do {
            switch schema {
            case .thrift(let thrift, let service):
                let descriptor = try thriftMethod(method, thrift, service)
                let response = try ThriftHTTPMapping.response(reply, method: descriptor, schema: thrift, generic: true, options: options)
                return JSONReply(json: response.body, status: response.status)
            case .protobuf(let proto, let service):
                let descriptor = try protoMethod(method, service)
                return JSONReply(
                    json: try ProtoJSON.encode(reply, as: proto.output(of: descriptor), schema: proto, options: options.protoJSON),
                    status: 200)
            }
        } catch let error as CallError {
            throw error
        } catch let error as CodecError {
            throw CallError(error, reply: true)
        } catch {
            throw CallError(.badBackendReply, "\(error)")
        }
    }

    /// Calls `method` with a JSON request and returns the JSON reply (or the error, as a thrown ``CallError``).
    public func call(method: String, json: [UInt8], headers: [RPCHeader] = [], options callOptions: CallOptions = CallOptions())
        async throws(CallError) -> JSONReply
    {
        let request = try request(method: method, json: json, headers: headers)
        let reply = try await client.call(request, options: callOptions)
        if request.isOneway { return JSONReply(json: Array("{}".utf8), status: 200) }
        return try render(method: request.method, reply: reply.payload)
    }

    /// A server-streaming call: one JSON document per reply message.
    public func stream(method: String, json: [UInt8], headers: [RPCHeader] = [], options callOptions: CallOptions = CallOptions())
        throws(CallError) -> AsyncThrowingStream<[UInt8], any Error>
    {
        let request = try request(method: method, json: json, headers: headers)
        let messages = client.serverStream(request, options: callOptions)
        let caller = self
        let (output, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let task = Task {
            do {
                for try await message in messages {
                    continuation.yield(try caller.render(method: request.method, reply: message).json)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return output
    }

    /// Whether `method` is a server-streaming gRPC method.
    public func isServerStreaming(_ method: String) -> Bool {
        if case .protobuf(_, let service) = schema, let descriptor = service.method(named: method) {
            return descriptor.serverStreaming
        }
        return false
    }

    func thriftMethod(_ name: String, _ schema: ThriftSchema, _ service: ThriftServiceDescriptor) throws(CallError)
        -> ThriftMethodDescriptor
    {
        guard let method = schema.allMethods(of: service).first(where: { $0.name == name }) else {
            throw CallError(.methodNotFound, "service \(service.name) has no method \(name)", details: ["method": name])
        }
        return method
    }

    func protoMethod(_ name: String, _ service: ProtoServiceDescriptor) throws(CallError) -> ProtoMethodDescriptor {
        guard let method = service.method(named: name) else {
            throw CallError(.methodNotFound, "service \(service.fullName) has no method \(name)", details: ["method": name])
        }
        return method
    }
}
