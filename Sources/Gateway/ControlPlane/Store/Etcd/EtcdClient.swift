import DynamicCodec
import GenericCall
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// etcd's v3 gRPC API through GenericCall: the messages of Descriptors/etcd go through ``JSONCaller`` as proto3
/// JSON, so this is also a check that the dynamic gRPC client works against a server we did not write.
///
/// Unary methods (KV, lease grant and revoke) are ordinary calls spread over the cluster's endpoints, retried on
/// another member when the connection fails before the request left. Watch and LeaseKeepAlive are bidirectional
/// in etcd; GenericCall has no client streaming yet, so Watch is opened as a server-streaming call (one create
/// request, then the client half-closes — etcd keeps the watch open and streams events) and a keep-alive is one
/// request per call (etcd answers it, then sees the end of the client's stream and finishes the call).
final class EtcdClient: Sendable {
    let url: EtcdStoreURL
    private let client: RPCClient
    /// Watches have no time limit, so they get their own client.
    private let streamClient: RPCClient
    private let kv: JSONCaller
    private let lease: JSONCaller
    private let watchCaller: JSONCaller
    private let auth: JSONCaller
    private let password: String?
    private let token = Mutex<String?>(nil)

    init(url: EtcdStoreURL, environment: [String: String], requestTimeout: Duration = .seconds(3))
        throws(GatewayError)
    {
        self.url = url
        if let variable = url.passwordVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw GatewayError(
                    code: "STORE_URL_INVALID", status: 400,
                    "the etcd password variable \(variable) is not set", details: ["variable": variable])
            }
            password = value
        } else {
            password = nil
        }
        let schema: ProtoSchema
        do {
            schema = try ProtoSchema(
                protoFiles: ["rpc.proto"],
                source: ProtoFileSource(files: ["rpc.proto": EtcdProtos.rpc, "mvccpb/kv.proto": EtcdProtos.kv]))
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "the etcd API definitions do not load: \(error)")
        }
        // Reads and keep-alives may be repeated; writes are retried only when they never left (the default).
        let retry = RetryPolicy(
            maxAttempts: 3, backoff: .exponential(base: .milliseconds(20), maximum: .milliseconds(200), jitter: 0.5),
            retryableMethods: ["Range", "LeaseKeepAlive", "Authenticate"])
        let health = HealthPolicy(failureThreshold: 2, ejectionTime: .seconds(1), maxEjectionTime: .seconds(5))
        do {
            client = try RPCClient(
                BackendConfiguration(
                    framing: .grpc, endpoints: url.endpoints, health: health, connectTimeout: .milliseconds(500),
                    rpcTimeout: requestTimeout, retry: retry, retryBudgetRatio: 1, maxFrameSize: 64 << 20,
                    callerName: "portico-gateway", name: "etcd", tls: url.tls))
            streamClient = try RPCClient(
                BackendConfiguration(
                    framing: .grpc, endpoints: url.endpoints, health: health, connectTimeout: .milliseconds(500),
                    rpcTimeout: nil, maxFrameSize: 64 << 20, callerName: "portico-gateway", name: "etcd-watch",
                    tls: url.tls))
            func caller(_ service: String, _ client: RPCClient) throws(CallError) -> JSONCaller {
                JSONCaller(schema: try ServiceSchema.find(service, protobuf: schema), client: client)
            }
            kv = try caller("etcdserverpb.KV", client)
            lease = try caller("etcdserverpb.Lease", client)
            auth = try caller("etcdserverpb.Auth", client)
            watchCaller = try caller("etcdserverpb.Watch", streamClient)
        } catch let error where error.details["tls"] == "configuration" {
            // A CA, certificate or key file that exists but does not load.
            throw EtcdStoreURL.invalid(url.description, error.message)
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot make the etcd client: \(error)")
        }
    }

    func shutdown() async {
        await client.shutdown()
        await streamClient.shutdown()
    }

    // MARK: KV

    func range(_ key: Data, end: Data? = nil, limit: Int64? = nil) async throws(GatewayError) -> Etcd.RangeResponse {
        try await unary(kv, "Range", Etcd.RangeRequest(key: key, rangeEnd: end, limit: limit))
    }

    /// Every key-value under `prefix`, read in pages so that no reply grows past the frame limit (a page of 24
    /// bundle chunks of 1 MiB stays under the client's 64 MiB frames), all at the first page's revision.
    func rangePrefix(_ prefix: Data) async throws(GatewayError) -> (kvs: [Etcd.KeyValue], revision: Int64) {
        let end = Etcd.prefixEnd(prefix)
        var all: [Etcd.KeyValue] = []
        var start = prefix
        var revision: Int64 = 0
        while true {
            var request = Etcd.RangeRequest(key: start, rangeEnd: end, limit: 24)
            if revision > 0 { request.revision = revision }
            let response: Etcd.RangeResponse = try await unary(kv, "Range", request)
            if revision == 0 { revision = response.header?.revision?.value ?? 0 }
            let page = response.kvs ?? []
            all.append(contentsOf: page)
            guard response.more == true, let last = page.last else { break }
            start = last.key + Data([0])
        }
        return (all, revision)
    }

    func put(_ key: Data, _ value: Data, lease: Int64? = nil) async throws(GatewayError) -> Int64 {
        let response: Etcd.PutResponse = try await unary(
            kv, "Put", Etcd.PutRequest(key: key, value: value, lease: lease))
        return response.header?.revision?.value ?? 0
    }

    func delete(_ key: Data, end: Data? = nil) async throws(GatewayError) {
        let _: Etcd.DeleteRangeResponse = try await unary(
            kv, "DeleteRange", Etcd.DeleteRangeRequest(key: key, rangeEnd: end))
    }

    /// Runs a transaction; returns whether the guard held and the revision after it.
    func txn(_ request: Etcd.TxnRequest) async throws(GatewayError) -> (succeeded: Bool, revision: Int64) {
        let response: Etcd.TxnResponse = try await unary(kv, "Txn", request)
        return (response.succeeded ?? false, response.header?.revision?.value ?? 0)
    }

    // MARK: Leases

    /// Grants a lease of `ttl` seconds; returns its id.
    func grantLease(ttl: Int64) async throws(GatewayError) -> Int64 {
        let response: Etcd.LeaseGrantResponse = try await unary(lease, "LeaseGrant", Etcd.LeaseGrantRequest(TTL: ttl))
        guard let id = response.ID?.value, id != 0, response.error?.isEmpty ?? true else {
            throw GatewayError(
                code: "STORE_UNAVAILABLE", status: 503, "etcd granted no lease: \(response.error ?? "no id")")
        }
        return id
    }

    /// Renews the lease; returns the TTL left, or 0 when the lease no longer exists.
    func keepAlive(_ id: Int64) async throws(GatewayError) -> Int64 {
        let response: Etcd.LeaseKeepAliveResponse = try await unary(
            lease, "LeaseKeepAlive", Etcd.LeaseIDRequest(ID: id))
        return response.TTL?.value ?? 0
    }

    func revokeLease(_ id: Int64) async throws(GatewayError) {
        let _: Etcd.Empty = try await unary(lease, "LeaseRevoke", Etcd.LeaseIDRequest(ID: id))
    }

    // MARK: Watch

    /// Watches every key under `prefix` from `revision` (inclusive): watch responses as they come. The stream
    /// ends with an error when the connection to etcd does.
    func watch(prefix: Data, from revision: Int64) async throws(GatewayError)
        -> AsyncThrowingStream<Etcd.WatchResponse, any Error>
    {
        let request = Etcd.WatchRequest(
            createRequest: Etcd.WatchCreateRequest(
                key: prefix, rangeEnd: Etcd.prefixEnd(prefix), startRevision: revision, progressNotify: true))
        let body = try Self.encode(request)
        let headers = try await authHeaders()
        let messages: AsyncThrowingStream<[UInt8], any Error>
        do {
            messages = try watchCaller.stream(method: "Watch", json: body, headers: headers)
        } catch {
            throw Self.storeError(error, method: "Watch")
        }
        let (stream, continuation) = AsyncThrowingStream<Etcd.WatchResponse, any Error>.makeStream()
        let task = Task {
            do {
                for try await message in messages {
                    continuation.yield(try JSONDecoder().decode(Etcd.WatchResponse.self, from: Data(message)))
                }
                continuation.finish(
                    throwing: GatewayError(code: "STORE_UNAVAILABLE", status: 503, "etcd ended the watch"))
            } catch let error as CallError {
                continuation.finish(throwing: Self.storeError(error, method: "Watch"))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: Calls

    private func unary<Request: Encodable, Reply: Decodable>(
        _ caller: JSONCaller, _ method: String, _ request: Request
    ) async throws(GatewayError) -> Reply {
        let body = try Self.encode(request)
        var headers = try await authHeaders()
        var renewed = false
        while true {
            do {
                let reply = try await caller.call(method: method, json: body, headers: headers)
                do {
                    return try JSONDecoder().decode(Reply.self, from: Data(reply.json))
                } catch {
                    throw GatewayError(
                        code: "STORE_ERROR", status: 500, "etcd's \(method) reply is not understood: \(error)")
                }
            } catch let error as CallError {
                // An expired auth token: authenticate again once.
                if password != nil, !renewed,
                    error.code == .grpc(.unauthenticated)
                        || error.code == .grpc(.invalidArgument)
                            && error.message.contains("token")
                {
                    token.withLock { $0 = nil }
                    headers = try await authHeaders()
                    renewed = true
                    continue
                }
                throw Self.storeError(error, method: method)
            } catch let error as GatewayError {
                throw error
            } catch {
                throw GatewayError(code: "STORE_ERROR", status: 500, "\(error)")
            }
        }
    }

    private func authHeaders() async throws(GatewayError) -> [RPCHeader] {
        guard let user = url.user, let password else { return [] }
        if let token = token.withLock({ $0 }) { return [RPCHeader("token", token)] }
        let body = try Self.encode(Etcd.AuthenticateRequest(name: user, password: password))
        do {
            let reply = try await auth.call(method: "Authenticate", json: body)
            let response = try JSONDecoder().decode(Etcd.AuthenticateResponse.self, from: Data(reply.json))
            guard let value = response.token, !value.isEmpty else {
                throw GatewayError(code: "STORE_UNAUTHENTICATED", status: 503, "etcd returned no auth token")
            }
            token.withLock { $0 = value }
            return [RPCHeader("token", value)]
        } catch let error as CallError {
            if case .grpc(let status) = error.code,
                status == .invalidArgument || status == .unauthenticated
                    || status == .failedPrecondition
            {
                throw GatewayError(
                    code: "STORE_UNAUTHENTICATED", status: 503, "etcd refused the user \(user): \(error.message)")
            }
            throw Self.storeError(error, method: "Authenticate")
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError(
                code: "STORE_ERROR", status: 500, "etcd's Authenticate reply is not understood: \(error)")
        }
    }

    private static func encode(_ value: some Encodable) throws(GatewayError) -> [UInt8] {
        do {
            return [UInt8](try JSONEncoder().encode(value))
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot encode an etcd request: \(error)")
        }
    }

    /// A failed call to etcd: STORE_UNAVAILABLE (503) — the admin API's answer while etcd cannot be reached.
    static func storeError(_ error: CallError, method: String) -> GatewayError {
        GatewayError(
            code: "STORE_UNAVAILABLE", status: 503, "etcd \(method): \(error.code.name): \(error.message)",
            details: ["etcd_code": error.code.name])
    }
}
