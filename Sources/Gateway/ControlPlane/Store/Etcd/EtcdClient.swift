import DynamicCodec
import GenericCall
import Logging
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
/// another member when the connection fails before the request left. Watch and LeaseKeepAlive are long-lived
/// bidirectional streams, each on one member chosen by the client and moved to the next member when it fails or
/// falls silent: one Watch stream carries every watch of the client (``EtcdWatchStream``), one LeaseKeepAlive
/// stream each kept lease (``EtcdLeaseKeeper``).
final class EtcdClient: Sendable {
    let url: EtcdStoreURL
    let timing: EtcdStreamTiming
    let logger: Logger
    private let client: RPCClient
    let schema: ProtoSchema
    private let kv: JSONCaller
    private let lease: JSONCaller
    private let auth: JSONCaller
    private let password: String?
    private let token = Mutex<String?>(nil)
    /// Streams have no time limit and are placed on a member of our choosing: one client per member.
    let memberStreams: Mutex<[MemberStreams]>
    /// The Watch stream shared by every watch, and the member the next one opens on.
    let watchState: Mutex<(stream: EtcdWatchStream?, nextMember: Int, isShutDown: Bool)>
    /// The member the next LeaseKeepAlive stream opens on.
    let nextLeaseMember: Atomic<Int>
    /// Watch streams opened so far (one serves every watch until it fails).
    let watchStreamsOpened = Atomic<Int>(0)

    init(
        url: EtcdStoreURL, environment: [String: String], requestTimeout: Duration = .seconds(3),
        timing: EtcdStreamTiming = EtcdStreamTiming(), logger: Logger = Logger(label: "portico.etcd")
    ) throws(GatewayError) {
        self.url = url
        self.timing = timing
        self.logger = logger
        // Gateways start their streams on different members.
        let first = Int.random(in: 0..<url.endpoints.count)
        watchState = Mutex((nil, first, false))
        nextLeaseMember = Atomic(first)
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
        self.schema = schema
        // Reads may be repeated; writes are retried only when they never left (the default).
        let retry = RetryPolicy(
            maxAttempts: 3, backoff: .exponential(base: .milliseconds(20), maximum: .milliseconds(200), jitter: 0.5),
            retryableMethods: ["Range", "Authenticate"])
        let health = HealthPolicy(failureThreshold: 2, ejectionTime: .seconds(1), maxEjectionTime: .seconds(5))
        do {
            client = try RPCClient(
                BackendConfiguration(
                    framing: .grpc, endpoints: url.endpoints, health: health, connectTimeout: .milliseconds(500),
                    rpcTimeout: requestTimeout, retry: retry, retryBudgetRatio: 1, maxFrameSize: 64 << 20,
                    callerName: "portico-gateway", name: "etcd", tls: url.tls))
            kv = JSONCaller(schema: try ServiceSchema.find("etcdserverpb.KV", protobuf: schema), client: client)
            lease = JSONCaller(schema: try ServiceSchema.find("etcdserverpb.Lease", protobuf: schema), client: client)
            auth = JSONCaller(schema: try ServiceSchema.find("etcdserverpb.Auth", protobuf: schema), client: client)
            var streams: [MemberStreams] = []
            for member in url.endpoints.indices { streams.append(try Self.makeMemberStreams(url, member, schema)) }
            memberStreams = Mutex(streams)
        } catch let error where error.details["tls"] == "configuration" {
            // A CA, certificate or key file that exists but does not load.
            throw EtcdStoreURL.invalid(url.description, error.message)
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot make the etcd client: \(error)")
        }
    }

    func shutdown() async {
        let watch = watchState.withLock { state in
            defer {
                state.stream = nil
                state.isShutDown = true
            }
            return state.stream
        }
        watch?.end(GatewayError(code: "STORE_UNAVAILABLE", status: 503, "the etcd client is shut down"))
        await client.shutdown()
        for member in memberStreams.withLock({ $0 }) { await member.client.shutdown() }
    }

    // MARK: KV

    func range(_ key: Data, end: Data? = nil, limit: Int64? = nil) async throws(GatewayError) -> Etcd.RangeResponse {
        try await unary(kv, "Range", Etcd.RangeRequest(key: key, rangeEnd: end, limit: limit))
    }

    /// Every key-value under `prefix`, read in pages so that no reply grows past the frame limit (a page of 24
    /// bundle chunks of 1 MiB stays under the client's 64 MiB frames), all at one revision: `revision` when given
    /// (0: the first page's). `keysOnly` leaves the values out.
    func rangePrefix(_ prefix: Data, keysOnly: Bool = false, at revision: Int64 = 0) async throws(GatewayError)
        -> (kvs: [Etcd.KeyValue], revision: Int64)
    {
        let end = Etcd.prefixEnd(prefix)
        var all: [Etcd.KeyValue] = []
        var start = prefix
        var revision = revision
        while true {
            var request = Etcd.RangeRequest(
                key: start, rangeEnd: end, limit: keysOnly ? 1000 : 24, keysOnly: keysOnly ? true : nil)
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

    /// Puts the key; returns the put's revision and the revision the key was created at (the put's own when it
    /// was absent).
    func putReportingCreation(_ key: Data, _ value: Data) async throws(GatewayError)
        -> (revision: Int64, created: Int64)
    {
        let response: Etcd.PutResponse = try await unary(
            kv, "Put", Etcd.PutRequest(key: key, value: value, prevKv: true))
        let revision = response.header?.revision?.value ?? 0
        return (revision, response.prevKv?.createRevision?.value ?? revision)
    }

    func delete(_ key: Data, end: Data? = nil) async throws(GatewayError) {
        let _: Etcd.DeleteRangeResponse = try await unary(
            kv, "DeleteRange", Etcd.DeleteRangeRequest(key: key, rangeEnd: end))
    }

    /// Runs a transaction; returns whether the guard held and the revision after it.
    func txn(_ request: Etcd.TxnRequest) async throws(GatewayError) -> (succeeded: Bool, revision: Int64) {
        let response = try await txnResponse(request)
        return (response.succeeded ?? false, response.header?.revision?.value ?? 0)
    }

    /// Runs a transaction; the whole response, with the results of its operations.
    func txnResponse(_ request: Etcd.TxnRequest) async throws(GatewayError) -> Etcd.TxnResponse {
        try await unary(kv, "Txn", request)
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

    func revokeLease(_ id: Int64) async throws(GatewayError) {
        let _: Etcd.Empty = try await unary(lease, "LeaseRevoke", Etcd.LeaseIDRequest(ID: id))
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

    /// Forgets the auth token (etcd refused it on a stream): the next call or stream authenticates again.
    func tokenRejected() {
        token.withLock { $0 = nil }
    }

    func authHeaders() async throws(GatewayError) -> [RPCHeader] {
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
