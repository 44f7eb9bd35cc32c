public import DynamicCodec
public import GenericCall
public import NIOCore
import Synchronization

/// The gateway's backend calls through GenericCall: one ``RPCClient`` per configured service (its framing,
/// transport, endpoints, balancing, timeouts and retry policy), rebuilt when the service's configuration changes.
public final class GenericCallInvoker: BackendInvoker {
    private struct Entry {
        var config: ServiceConfig
        var protobuf: Bool
        var client: RPCClient
    }

    private let clients = Mutex<[String: Entry]>([:])

    public init() {}

    /// Starts the call on `eventLoop` with the service's ``RPCClient``: the whole call — pooled connection,
    /// deadlines, retries, backup request — stays on that loop.
    public func start(
        _ call: BackendCall, on eventLoop: any EventLoop,
        completion: @escaping (Result<[UInt8], CallError>) -> Void
    ) -> BackendCallHandle {
        let client: RPCClient
        let request: RPCRequest
        do throws(CallError) {
            (client, request) = try clientAndRequest(call)
        } catch {
            completion(.failure(error))
            return BackendCallHandle {}
        }
        let handle = client.start(request, options: options(call), on: eventLoop) { result in
            completion(result.map(\.payload))
        }
        return BackendCallHandle { handle.cancel() }
    }

    /// The service's client and the call as GenericCall's request.
    private func clientAndRequest(_ call: BackendCall) throws(CallError) -> (RPCClient, RPCRequest) {
        (try client(for: call), try request(call))
    }

    public func unary(_ call: BackendCall) async throws(CallError) -> [UInt8] {
        let client = try client(for: call)
        return try await client.call(request(call), options: options(call)).payload
    }

    public func serverStream(_ call: BackendCall) -> AsyncThrowingStream<[UInt8], any Error> {
        do {
            let client = try client(for: call)
            return client.serverStream(try request(call), options: options(call))
        } catch {
            return AsyncThrowingStream { throw error }
        }
    }

    public func startStream(
        _ call: BackendCall, on eventLoop: any EventLoop, onMessage: @escaping ([UInt8]) -> Void,
        onFinish: @escaping (Result<Void, CallError>) -> Void
    ) -> BackendStreamHandle {
        let client: RPCClient
        let request: RPCRequest
        do throws(CallError) {
            (client, request) = try clientAndRequest(call)
        } catch {
            eventLoop.execute { onFinish(.failure(error)) }
            return BackendStreamHandle(send: { _ in }, finishSending: {}, cancel: {})
        }
        let handle = client.startStream(
            request, options: options(call), on: eventLoop, onMessage: onMessage,
            onFinish: { onFinish($0.map { _ in () }) })
        return BackendStreamHandle(
            send: { handle.send($0) }, finishSending: { handle.finishSending() }, cancel: { handle.cancel() },
            isWritable: { handle.isWritable },
            pauseReplies: { paused in paused ? handle.pauseReplies() : handle.resumeReplies() })
    }

    public func servicesChanged(_ services: [ServiceConfig]) async {
        let current = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        let stale = clients.withLock { clients -> [RPCClient] in
            var stale: [RPCClient] = []
            for (name, entry) in clients where current[name] != entry.config {
                stale.append(entry.client)
                clients[name] = nil
            }
            return stale
        }
        for client in stale { await client.shutdown() }
    }

    /// Closes every client.
    public func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return clients.values.map(\.client)
        }
        for client in all { await client.shutdown() }
    }

    func request(_ call: BackendCall) throws(CallError) -> RPCRequest {
        var isOneway = false
        var service = call.target.serviceName
        if case .thrift(_, _, let method) = call.target {
            isOneway = method.isOneway
            // Thrift names services without the file scope on the wire (TTHeader ToService).
            if let dot = service.lastIndex(of: ".") { service = String(service[service.index(after: dot)...]) }
        }
        return RPCRequest(
            service: service, method: call.target.methodName, payload: call.payload,
            headers: call.headers.map { RPCHeader($0.0, $0.1) }, isOneway: isOneway, hashKey: call.hashKey)
    }

    func options(_ call: BackendCall) -> CallOptions {
        let settings = call.settings
        var options = CallOptions(
            deadline: call.deadline, rpcTimeout: settings.rpcTimeout,
            retry: settings.retry.policy(method: call.target.methodName), requestID: call.requestID,
            rpcDeadline: call.start + settings.rpcTimeout, rpcTimeoutForErrors: settings.rpcTimeout)
        options.tracing = call.tracing
        return options
    }

    func client(for call: BackendCall) throws(CallError) -> RPCClient {
        let config = call.service
        var protobuf = false
        if case .protobuf = call.target { protobuf = true }
        if let entry = clients.withLock({ $0[config.name] }), entry.config == config, entry.protobuf == protobuf {
            return entry.client
        }
        if config.endpoints.isEmpty, case .kitex(let kitexName) = config.discovery {
            throw CallError(
                .unavailable, "no instance of \(kitexName) is registered (kitex/registry-etcd/\(kitexName)/)",
                details: ["discovery": kitexName])
        }
        var endpoints: [Endpoint] = []
        for text in config.endpoints {
            endpoints.append(try Endpoint(parsing: text))
        }
        let framing = config.framing ?? (protobuf ? .grpc : .framed)
        var balance = BalancePolicy.roundRobin
        if case .consistentHash = config.balance { balance = .consistentHash }
        var backend = BackendConfiguration(
            framing: framing, thriftProtocol: config.thriftProtocol, protobuf: protobuf,
            transport: config.transport == .shmipc ? .shmipc : .tcp, endpoints: endpoints, balance: balance,
            connectTimeout: config.timeouts.connect, rpcTimeout: config.timeouts.rpc,
            retry: config.retry.policy(method: ""), retryBudgetRatio: config.retry.budgetPercent / 100,
            callerName: "portico-gateway", name: config.name)
        backend.weights = config.weights
        backend.tls = config.tls
        let client = try RPCClient(backend)
        let (chosen, replaced) = clients.withLock { clients -> (RPCClient, RPCClient?) in
            if let entry = clients[config.name], entry.config == config, entry.protobuf == protobuf {
                return (entry.client, client)
            }
            let old = clients[config.name]?.client
            clients[config.name] = Entry(config: config, protobuf: protobuf, client: client)
            return (client, old)
        }
        if let replaced { Task { await replaced.shutdown() } }
        return chosen
    }
}
