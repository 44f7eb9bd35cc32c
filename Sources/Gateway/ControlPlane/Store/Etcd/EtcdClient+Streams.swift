import DynamicCodec
import GenericCall

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the long-lived streams notice a member that stopped answering without closing the connection (a frozen
/// process, a network path that drops packets): GenericCall's HTTP/2 client sends no keep-alive PINGs, so the
/// streams carry their own heartbeat (docs/fleet.md, "Heartbeat").
struct EtcdStreamTiming: Sendable {
    /// How often a Watch stream's silence is looked at.
    var tick: Duration = .milliseconds(500)
    /// A Watch stream that has brought nothing for this long gets a progress request, which etcd answers at once.
    var probeAfter: Duration = .seconds(1)
    /// A Watch stream that has brought nothing for this long (no event, no answer to the progress requests) is
    /// dead: it is cancelled, the member's connections are closed, and the watches go to the next member.
    var silenceLimit: Duration = .seconds(3)
}

extension EtcdClient {
    /// The stream callers of one member: a client with that member as its only endpoint and no time limit.
    struct MemberStreams: Sendable {
        let client: RPCClient
        let watch: JSONCaller
        let lease: JSONCaller
    }

    enum StreamMethod: String, Sendable {
        case watch = "Watch"
        case leaseKeepAlive = "LeaseKeepAlive"
    }

    static func makeMemberStreams(_ url: EtcdStoreURL, _ index: Int, _ schema: ProtoSchema) throws(CallError)
        -> MemberStreams
    {
        let client = try RPCClient(
            BackendConfiguration(
                framing: .grpc, endpoints: [url.endpoints[index]], connectTimeout: .milliseconds(500),
                rpcTimeout: nil, maxFrameSize: 64 << 20, callerName: "portico-gateway", name: "etcd-streams",
                tls: url.tls))
        return MemberStreams(
            client: client,
            watch: JSONCaller(schema: try ServiceSchema.find("etcdserverpb.Watch", protobuf: schema), client: client),
            lease: JSONCaller(schema: try ServiceSchema.find("etcdserverpb.Lease", protobuf: schema), client: client))
    }

    /// Opens a bidirectional stream of `method` on member `member` (an index into the URL's endpoints, taken
    /// modulo their count). The stream asks for a member with a leader (`hasleader`): a member cut off from the
    /// others' quorum ends it instead of keeping it open with nothing to say.
    func openStream(_ method: StreamMethod, member: Int) async throws(GatewayError) -> JSONStream {
        let headers = try await authHeaders() + [RPCHeader("hasleader", "true")]
        let streams = memberStreams.withLock { $0[member % $0.count] }
        do {
            return try (method == .watch ? streams.watch : streams.lease).openStream(
                method: method.rawValue, headers: headers)
        } catch {
            throw Self.storeError(error, method: method.rawValue)
        }
    }

    /// Closes every connection to a member that fell silent, so that the next stream placed there connects
    /// afresh instead of waiting on a connection nobody answers.
    func dropConnections(member: Int) {
        guard let fresh = try? Self.makeMemberStreams(url, member, schema) else { return }
        let old = memberStreams.withLock { streams in
            defer { streams[member] = fresh }
            return streams[member]
        }
        Task { await old.client.shutdown() }
    }

    /// Whether a stream's error means etcd refused the auth token (it expired): authenticate again.
    static func isTokenRefusal(_ error: any Error) -> Bool {
        let text = "\(error)"
        return text.contains("invalid auth token") || text.contains("UNAUTHENTICATED")
    }
}
