import DynamicCodec
package import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Registers one instance the way Kitex's registry-etcd does — `kitex/registry-etcd/SERVICE/HOST:PORT` holding
/// `{"network":"tcp","address":...,"weight":...,"tags":{}}` under a lease that is kept alive — so that gateways
/// (and Kitex clients) discover it. `portico mock --register` uses it.
package final class KitexRegistration: Sendable {
    private let client: EtcdClient
    private let key: Data
    private let value: Data
    private let ttl: Int64
    private let logger: Logger
    private let state = Mutex<(task: Task<Void, Never>?, keeper: EtcdLeaseKeeper?)>((nil, nil))

    /// `store`: `etcd://HOST:PORT[,...]` (a path after the endpoints is ignored: the Kitex keys have their own).
    package init(store: String, service: String, address: String, weight: Int, ttl: Int64, logger: Logger)
        throws(GatewayError)
    {
        guard !service.isEmpty, !service.contains("/") else {
            throw GatewayError.invalidArgument("'\(service)' is not a Kitex service name")
        }
        guard GatewayConfig.ListenAddress(address).map({ $0.port > 0 }) == true else {
            throw GatewayError.invalidArgument("'\(address)' is not HOST:PORT")
        }
        guard (1...1000).contains(weight), (2...3600).contains(ttl) else {
            throw GatewayError.invalidArgument("the weight must be 1...1000 and the TTL 2...3600 s")
        }
        client = try EtcdClient(
            url: try EtcdStoreURL(parsing: store), environment: ProcessInfo.processInfo.environment, logger: logger)
        key = Data("kitex/registry-etcd/\(service)/\(address)".utf8)
        let info = "{\"network\":\"tcp\",\"address\":\(JSONString.quoted(address)),\"weight\":\(weight),\"tags\":{}}"
        value = Data(info.utf8)
        self.ttl = ttl
        self.logger = logger
    }

    /// Writes the key under a new lease (failing when etcd cannot be reached), then keeps the lease alive in the
    /// background on one LeaseKeepAlive stream (``EtcdLeaseKeeper``), registering again if the lease was lost
    /// during an outage.
    package func start() async throws(GatewayError) {
        let lease = try await client.grantLease(ttl: ttl)
        _ = try await client.put(key, value, lease: lease)
        let keeper = EtcdLeaseKeeper(client: client, ttl: ttl, logger: logger) {
            [client, key, value] (lease: Int64) async throws(GatewayError) in
            _ = try await client.put(key, value, lease: lease)
        }
        let task = Task { await keeper.run(initial: lease) }
        state.withLock { $0 = (task, keeper) }
    }

    /// Keep-alive answers received so far, the streams opened for them, the lease and the member the stream is
    /// on (tests check that one stream serves many keep-alives).
    var keepAlives: (answers: Int, streams: Int, lease: Int64, member: Int) {
        guard let keeper = state.withLock({ $0.keeper }) else { return (0, 0, 0, 0) }
        return (
            keeper.answers.load(ordering: .relaxed), keeper.streamsOpened.load(ordering: .relaxed),
            keeper.lease.load(ordering: .relaxed),
            client.nextLeaseMember.load(ordering: .relaxed) % client.url.endpoints.count
        )
    }

    /// Stops the keep-alives and revokes the lease (the key goes at once). `revoke: false` leaves as a crashed
    /// process would: the key stays until the lease expires.
    package func stop(revoke: Bool = true) async {
        let (task, keeper) = state.withLock { state in
            defer { state = (nil, nil) }
            return state
        }
        task?.cancel()
        _ = await task?.value
        if revoke, let lease = keeper?.lease.load(ordering: .relaxed), lease != 0 {
            try? await client.revokeLease(lease)
        }
        await client.shutdown()
    }
}
