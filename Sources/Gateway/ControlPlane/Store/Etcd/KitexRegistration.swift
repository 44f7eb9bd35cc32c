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
    private let state = Mutex<(task: Task<Void, Never>?, lease: Int64)>((nil, 0))

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
        client = try EtcdClient(url: try EtcdStoreURL(parsing: store), environment: ProcessInfo.processInfo.environment)
        key = Data("kitex/registry-etcd/\(service)/\(address)".utf8)
        let info = "{\"network\":\"tcp\",\"address\":\(JSONString.quoted(address)),\"weight\":\(weight),\"tags\":{}}"
        value = Data(info.utf8)
        self.ttl = ttl
        self.logger = logger
    }

    /// Writes the key under a new lease (failing when etcd cannot be reached), then keeps the lease alive in the
    /// background, registering again if the lease was lost during an outage.
    package func start() async throws(GatewayError) {
        let lease = try await client.grantLease(ttl: ttl)
        _ = try await client.put(key, value, lease: lease)
        let task = Task { [self] in
            var lease = lease
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(ttl) / 3)
                do {
                    let left = lease == 0 ? 0 : try await client.keepAlive(lease)
                    if left <= 0 {
                        lease = try await client.grantLease(ttl: ttl)
                        _ = try await client.put(key, value, lease: lease)
                        logger.info("registered again after the lease was lost")
                    }
                    state.withLock { $0.lease = lease }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("keep-alive failed", metadata: ["error": "\(error)"])
                }
            }
        }
        state.withLock { $0 = (task, lease) }
    }

    /// Stops the keep-alives and revokes the lease (the key goes at once). `revoke: false` leaves as a crashed
    /// process would: the key stays until the lease expires.
    package func stop(revoke: Bool = true) async {
        let (task, lease) = state.withLock { state in
            defer { state = (nil, 0) }
            return state
        }
        task?.cancel()
        if revoke, lease != 0 { try? await client.revokeLease(lease) }
        await client.shutdown()
    }
}
