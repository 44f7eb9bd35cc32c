import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A failed gRPC attempt and whether the request may have reached the server.
struct GRPCAttemptError: Error {
    var error: CallError
    var requestSent: Bool
}

/// One gRPC channel (HTTP/2 connection, multiplexed) to one endpoint, driven by grpc-swift: server-streaming calls.
/// Unary calls use ``GRPCLoopConnection`` on the caller's event loop.
final class GRPCEndpointClient: Sendable {
    let endpoint: Endpoint
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let runner: Task<Void, Never>

    init(_ endpoint: Endpoint) throws(CallError) {
        self.endpoint = endpoint
        let target: any ResolvableTarget
        switch endpoint {
        case .tcp(let host, let port):
            target = host.contains(":") ? .ipv6(address: host, port: port) : (
                host.first.map { $0.isNumber } == true ? .ipv4(address: host, port: port) : .dns(host: host, port: port))
        case .unix(let path):
            target = .unixDomainSocket(path: path)
        }
        do {
            var config = HTTP2ClientTransport.Posix.Config.defaults
            config.backoff.initial = .milliseconds(50)
            config.backoff.max = .seconds(2)
            let transport = try HTTP2ClientTransport.Posix(target: target, transportSecurity: .plaintext, config: config)
            client = GRPCClient(transport: transport, interceptorPipeline: [])
        } catch {
            throw CallError(.invalidArgument, "cannot create a gRPC channel to \(endpoint): \(error)")
        }
        let client = self.client
        runner = Task { try? await client.runConnections() }
    }

    func shutdown() {
        client.beginGracefulShutdown()
    }

    func options(timeout: Duration?) -> GRPCCore.CallOptions {
        var options = GRPCCore.CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    func metadata(_ request: RPCRequest, requestID: String?) -> Metadata {
        var metadata = Metadata()
        for header in request.headers { metadata.addString(header.value, forKey: header.name.lowercased()) }
        if let requestID { metadata.addString(requestID, forKey: "x-request-id") }
        return metadata
    }

    /// Server streaming: each reply message as it arrives; the stream ends with the call's error, if any.
    func serverStream(_ request: RPCRequest, timeout: Duration?, requestID: String?)
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let descriptor = MethodDescriptor(fullyQualifiedService: request.service, method: request.method)
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let client = self.client
        let metadata = metadata(request, requestID: requestID)
        let options = options(timeout: timeout)
        let task = Task {
            do {
                try await client.serverStreaming(
                    request: ClientRequest(message: request.payload, metadata: metadata), descriptor: descriptor,
                    serializer: RawMessageSerializer(), deserializer: RawMessageDeserializer(), options: options
                ) { response in
                    for try await message in response.messages { continuation.yield(message) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.classify(error).error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func classify(_ error: any Error) -> GRPCAttemptError {
        if let error = error as? RPCError {
            let status = GRPCStatus(error.code)
            var details: [String: String] = [:]
            for entry in error.metadata.headers where entry.name == "grpc-status-details-bin" {
                details["status_details_bin"] = entry.value
            }
            // UNAVAILABLE before any response: the connection failed, the request did not reach a server.
            let sent = status != .unavailable
            if status == .cancelled, Task.isCancelled {
                return GRPCAttemptError(error: CallError(.cancelledByCaller, "the caller cancelled the call"), requestSent: true)
            }
            return GRPCAttemptError(error: CallError(.grpc(status), error.message, details: details), requestSent: sent)
        }
        if error is CancellationError {
            return GRPCAttemptError(error: CallError(.cancelledByCaller, "the caller cancelled the call"), requestSent: true)
        }
        return GRPCAttemptError(error: CallError(.grpc(.unknown), "\(error)"), requestSent: true)
    }
}
