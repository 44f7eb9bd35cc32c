import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EtcdConfigStore {
    /// How often the caretaker looks at the leader key and whether a collection is wanted.
    static let caretakerTick: Duration = .seconds(1)
    /// How often the leader collects even when it saw no deletion (chunks left by failed uploads, deletions made
    /// while no gateway was leader).
    static let collectionInterval: Duration = .seconds(600)

    /// The fleet's caretaker on this gateway: while no gateway holds `P/leader`, campaign for it (a transaction
    /// that creates the key only if it does not exist, under this gateway's membership lease, so it goes when the
    /// gateway dies or is cut off); while this gateway holds it, collect unreferenced bundles a tick after a
    /// version record was deleted anywhere in the fleet, when it becomes leader, and every
    /// ``collectionInterval``. Leadership only keeps the fleet from doing the same work many times: a collection
    /// is safe whoever runs it (``collectGarbage(orphanGrace:now:)``). Runs until its task is cancelled.
    func runCaretaker() async {
        var lastCollection: ContinuousClock.Instant?
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.caretakerTick)
            guard loaded.load(ordering: .acquiring), unavailableReason == nil,
                let member = membership.withLock({ $0 })
            else { continue }
            guard let holder = mirror.withLock({ $0[layout.leader] }) else {
                await campaign(id: member.id, lease: member.lease)
                continue
            }
            guard holder.value == Data(member.id.utf8), holder.lease?.value == member.lease else {
                lastCollection = nil
                continue
            }
            let due = lastCollection.map { ContinuousClock.now - $0 >= Self.collectionInterval } ?? true
            guard collectionWanted.exchange(false, ordering: .relaxed) || due else { continue }
            do {
                let report = try await collectGarbage()
                lastCollection = .now
                // A write raced with the collection: it did nothing for those bundles; look again next tick.
                if report.deferred > 0 { collectionWanted.store(true, ordering: .relaxed) }
                if !report.removed.isEmpty || report.deferred > 0 {
                    logger.info(
                        "collected bundles that no version references",
                        metadata: [
                            "removed": "\(report.removed)", "deferred": "\(report.deferred)",
                            "orphans_waiting": "\(report.orphansWaiting)",
                        ])
                }
            } catch {
                collectionWanted.store(true, ordering: .relaxed)
                logger.debug("bundle collection failed; trying again", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Creates `P/leader` holding `id` under `lease` unless some gateway holds it. The mirror learns the holder
    /// from the watch, like every other key (a campaign that lost, or won just before the lease went, leaves
    /// nothing stale behind).
    func campaign(id: String, lease: Int64) async {
        let request = Etcd.TxnRequest(
            compare: [.created(layout.leader, at: 0)], success: [.put(layout.leader, Data(id.utf8), lease: lease)])
        do {
            if try await client.txn(request).succeeded {
                logger.info("this gateway is now the fleet's leader: it collects unreferenced bundles")
            }
        } catch {
            logger.debug("campaign for the leader key failed", metadata: ["error": "\(error)"])
        }
    }
}
