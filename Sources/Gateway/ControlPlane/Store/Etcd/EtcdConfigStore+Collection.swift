#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Chunks without a bundle record, as a collection found them.
struct OrphanMark: Sendable, Equatable {
    /// The highest modification revision among the chunks: a chunk written since gives a new mark.
    var revision: Int64
    var seen: ContinuousClock.Instant
}

extension EtcdConfigStore {
    /// Chunks of a bundle that has no record (an upload that failed between its chunks and its transaction, or
    /// one still running) are deleted only when a collection finds them unchanged this long after another first
    /// saw them.
    static let orphanGrace: Duration = .seconds(600)

    /// What one collection did.
    struct CollectionReport: Sendable {
        /// Bundles deleted (record and chunks), by hash.
        var removed: [String] = []
        /// Bundles left because a write raced with the collection (its guard failed): the next one decides.
        var deferred = 0
        /// Orphaned chunks left for now (within their grace period).
        var orphansWaiting = 0
    }

    /// What a collection read: the bundles to delete, as of `revision`.
    struct CollectionPlan: Sendable {
        var revision: Int64
        /// Unreferenced bundles and the modification revision of their record (0: chunks without a record).
        var candidates: [(hash: String, record: Int64)] = []
        var orphansWaiting = 0
    }

    /// Deletes the bundles that no version record references: a bundle is referenced by `P/descriptors/NAME/
    /// versions/V` (the retained versions, the active one among them); service configs name a registry entry
    /// (`registry:NAME`), never a bundle, so they reference bundles only through the name's versions. To stay on
    /// the safe side any `sha256-<hex>` found in any value under `P/descriptors/` counts as a reference, even in a
    /// record that does not parse.
    ///
    /// Why it cannot race with an upload: everything is read at one revision R, and each bundle is deleted (its
    /// record and its chunks) in a transaction that requires that no key under `P/descriptors/` was written
    /// after R (so no version record referencing it appeared), that the bundle's record is the one read at R (or
    /// still absent), and that none of its chunks was written after R. An upload about to reference the bundle
    /// guards its own transaction on the bundle's record or chunks having the creation revision it saw
    /// (``addVersion(_:_:version:label:expected:)``). Whichever commits first, the other's guard fails: the
    /// collection leaves the bundle, or the upload writes the chunks again. Orphaned chunks (no record) may belong
    /// to an upload between its chunks and its transaction, so they wait ``orphanGrace`` first (only to spare that
    /// upload a retry: its guard would catch the deletion either way).
    func collectGarbage(orphanGrace: Duration = EtcdConfigStore.orphanGrace, now: ContinuousClock.Instant = .now)
        async throws(GatewayError) -> CollectionReport
    {
        try await sweep(try await planCollection(orphanGrace: orphanGrace, now: now))
    }

    /// The read half of a collection: what no version references as of one revision.
    func planCollection(orphanGrace: Duration = EtcdConfigStore.orphanGrace, now: ContinuousClock.Instant = .now)
        async throws(GatewayError) -> CollectionPlan
    {
        let (records, revision) = try await client.rangePrefix(layout.allDescriptors)
        var referenced = Set<String>()
        for record in records { referenced.formUnion(Self.bundleHashes(in: record.value ?? Data())) }
        let (keys, _) = try await client.rangePrefix(layout.bundles, keysOnly: true, at: revision)
        var found: [String: (record: Int64, chunks: Int64)] = [:]
        for kv in keys {
            let modified = kv.modRevision?.value ?? 0
            switch layout.entry(kv.key) {
            case .bundle(let hash): found[hash, default: (0, 0)].record = modified
            case .chunk(let hash, _): found[hash, default: (0, 0)].chunks = max(found[hash]?.chunks ?? 0, modified)
            default: continue  // keys of no known shape are left alone
            }
        }
        var plan = CollectionPlan(revision: revision)
        let previousMarks = orphans.withLock { $0 }
        var marks: [String: OrphanMark] = [:]
        for (hash, bundle) in found.sorted(by: { $0.key < $1.key }) where !referenced.contains(hash) {
            if bundle.record == 0 {
                let mark =
                    previousMarks[hash].flatMap { $0.revision == bundle.chunks ? $0 : nil }
                    ?? OrphanMark(revision: bundle.chunks, seen: now)
                guard now - mark.seen >= orphanGrace else {
                    marks[hash] = mark
                    plan.orphansWaiting += 1
                    continue
                }
            }
            plan.candidates.append((hash, bundle.record))
        }
        orphans.withLock { $0 = marks }
        return plan
    }

    /// The write half: one guarded transaction per bundle of the plan.
    func sweep(_ plan: CollectionPlan) async throws(GatewayError) -> CollectionReport {
        var report = CollectionReport(orphansWaiting: plan.orphansWaiting)
        for (hash, recordRevision) in plan.candidates {
            let chunks = layout.chunks(hash)
            let request = Etcd.TxnRequest(
                compare: [
                    .unchangedSince(plan.revision, under: layout.allDescriptors),
                    .modified(layout.bundle(hash), at: recordRevision),
                    .unchangedSince(plan.revision, under: chunks),
                ],
                success: [.delete(layout.bundle(hash)), .delete(chunks, rangeEnd: Etcd.prefixEnd(chunks))])
            let (succeeded, revision) = try await client.txn(request)
            if succeeded {
                report.removed.append(hash)
                record(puts: [], deletes: [layout.bundle(hash)], deletePrefixes: [chunks], revision: revision)
            } else {
                report.deferred += 1
            }
        }
        return report
    }

    /// Every `sha256-` followed by 64 lowercase hex digits in `value`.
    static func bundleHashes(in value: Data) -> Set<String> {
        let bytes = [UInt8](value)
        let marker = Array("sha256-".utf8)
        var hashes = Set<String>()
        var index = 0
        while index + marker.count + 64 <= bytes.count {
            guard bytes[index..<index + marker.count].elementsEqual(marker) else {
                index += 1
                continue
            }
            let digits = bytes[index + marker.count..<index + marker.count + 64]
            if digits.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                hashes.insert(String(decoding: bytes[index..<index + marker.count + 64], as: UTF8.self))
                index += marker.count + 64
            } else {
                index += 1
            }
        }
        return hashes
    }
}
