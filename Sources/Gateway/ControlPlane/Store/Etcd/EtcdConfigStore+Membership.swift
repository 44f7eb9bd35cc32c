#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EtcdConfigStore {
    /// The membership record's lease, in seconds: a gateway that dies leaves the member list within this time.
    static let memberTTL: Int64 = 10

    /// Records this gateway under `P/members/ID` with a lease kept alive on one LeaseKeepAlive stream
    /// (``EtcdLeaseKeeper``: a request every third of the TTL; a lease that expired while etcd was unreachable is
    /// granted again and the record rewritten), and starts the caretaker that campaigns for the fleet's leader key
    /// under the same lease and, while leader, collects unreferenced bundles.
    func register(id: String, listen: String) {
        struct Member: Codable {
            var id: String
            var listen: String
            var started: String
        }
        let started = Date().formatted(.iso8601)
        let keeper = EtcdLeaseKeeper(client: client, ttl: Self.memberTTL, logger: logger) {
            [self] (lease: Int64) async throws(GatewayError) in
            let value = try Self.json(Member(id: id, listen: listen, started: started))
            _ = try await client.put(layout.member(id), value, lease: lease)
            membership.withLock { $0 = (id, lease) }
        }
        let task = Task { await keeper.run() }
        let caretaker = Task { [self] in await runCaretaker() }
        tasks.withLock { $0 += [task, caretaker] }
    }
}
