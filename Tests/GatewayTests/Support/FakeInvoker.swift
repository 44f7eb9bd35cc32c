import DynamicCodec
import Gateway
import GenericCall
import Synchronization

/// An in-process backend: replies per method name with handlers the test sets, and records every call.
final class FakeInvoker: BackendInvoker {
    typealias Unary = @Sendable (BackendCall) async throws(CallError) -> [UInt8]
    typealias Streaming = @Sendable (BackendCall, AsyncThrowingStream<[UInt8], any Error>.Continuation) async -> Void

    private let unaryHandlers = Mutex<[String: Unary]>([:])
    private let streamHandlers = Mutex<[String: Streaming]>([:])
    let calls = Mutex<[BackendCall]>([])
    let serviceChanges = Mutex<[[String]]>([])

    /// Replies to `method` (its name) with `handler`.
    func on(_ method: String, _ handler: @escaping Unary) {
        unaryHandlers.withLock { $0[method] = handler }
    }

    /// Replies to `method` with this JSON, encoded as the method's reply (Thrift: the result struct).
    func reply(_ method: String, json: String) {
        on(method) { call throws(CallError) in try Self.encodeReply(call, json: json) }
    }

    func onStream(_ method: String, _ handler: @escaping Streaming) {
        streamHandlers.withLock { $0[method] = handler }
    }

    func unary(_ call: BackendCall) async throws(CallError) -> [UInt8] {
        calls.withLock { $0.append(call) }
        guard let handler = unaryHandlers.withLock({ $0[call.target.methodName] }) else {
            throw CallError(.grpc(.unimplemented), "the fake has no handler for \(call.target.methodName)")
        }
        return try await handler(call)
    }

    func serverStream(_ call: BackendCall) -> AsyncThrowingStream<[UInt8], any Error> {
        calls.withLock { $0.append(call) }
        let handler = streamHandlers.withLock { $0[call.target.methodName] }
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let task = Task {
            guard let handler else {
                continuation.finish(throwing: CallError(.grpc(.unimplemented), "no stream handler"))
                return
            }
            await handler(call, continuation)
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func servicesChanged(_ services: [ServiceConfig]) async {
        serviceChanges.withLock { $0.append(services.map(\.name)) }
    }

    var callCount: Int { calls.withLock { $0.count } }

    /// JSON -> the reply bytes of the call's method (Protobuf output message; Thrift result struct, whose field
    /// `success` is the return value and other fields the declared exceptions).
    static func encodeReply(_ call: BackendCall, json: String) throws(CallError) -> [UInt8] {
        do {
            switch call.target {
            case .protobuf(let schema, _, let method, _):
                return try ProtoJSON.decode(Array(json.utf8), as: schema.output(of: method), schema: schema)
            case .thrift(let schema, _, let method):
                return try ThriftJSON.decode(
                    Array(json.utf8), as: schema.structs[method.resultIndex], schema: schema,
                    encoding: call.service.thriftProtocol)
            }
        } catch {
            throw CallError(.badBackendReply, "test reply does not encode: \(error)")
        }
    }

    /// The call's request payload as JSON (Thrift: the arguments struct).
    static func requestJSON(_ call: BackendCall) -> String {
        do {
            switch call.target {
            case .protobuf(let schema, _, let method, _):
                return String(
                    decoding: try ProtoJSON.encode(call.payload, as: schema.input(of: method), schema: schema),
                    as: UTF8.self)
            case .thrift(let schema, _, let method):
                return String(
                    decoding: try ThriftJSON.encode(
                        call.payload, as: schema.structs[method.argumentsIndex], schema: schema,
                        encoding: call.service.thriftProtocol),
                    as: UTF8.self)
            }
        } catch {
            return "<\(error)>"
        }
    }
}
