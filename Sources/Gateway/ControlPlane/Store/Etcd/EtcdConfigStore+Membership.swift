#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EtcdConfigStore {
    /// The membership record's lease, in seconds: a gateway that dies leaves the member list within this time.
    static let memberTTL: Int64 = 10

    /// Records this gateway under `P/members/ID` with a lease, and keeps the lease alive (a keep-alive every third
    /// of the TTL; a lease that expired while etcd was unreachable is granted again and the record rewritten).
    func register(id: String, listen: String) {
        struct Member: Codable {
            var id: String
            var listen: String
            var started: String
        }
        let started = Date().formatted(.iso8601)
        let task = Task { [self] in
            var lease: Int64 = 0
            while !Task.isCancelled {
                do {
                    if lease == 0 {
                        lease = try await client.grantLease(ttl: Self.memberTTL)
                        let value = try Self.json(Member(id: id, listen: listen, started: started))
                        _ = try await client.put(layout.member(id), value, lease: lease)
                        membership.withLock { $0 = (id, lease) }
                    } else if try await client.keepAlive(lease) <= 0 {
                        lease = 0
                        continue
                    }
                } catch {
                    logger.debug("etcd membership keep-alive failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(Self.memberTTL) / 3)
            }
        }
        tasks.withLock { $0.append(task) }
    }
}
