#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EtcdConfigStore {
    /// Uploads the bundle's chunks unless etcd has them already (bundles are named by content), then adds the
    /// version and activates it in one transaction guarded by the name's `active` key and by the bundle itself:
    /// the leader's garbage collection may delete a bundle no version references at any moment until this
    /// transaction references it, so the transaction also requires the bundle's record (when it was stored
    /// already) or each chunk just written (when it was not) to be the one seen here — created at the same
    /// revision and not deleted since. When only that part of the guard failed, the chunks are written again and
    /// the transaction retried.
    func addVersion(_ name: String, _ bundle: DescriptorBundle, version: Int, label: String?, expected: Int64)
        async throws(GatewayError) -> Int64
    {
        try checkWritable()
        let bytes = try bundle.storedJSON()
        let hash = Self.hash(bytes)
        let metaKey = layout.bundle(hash)
        let chunkCount = max(1, (bytes.count + EtcdKeyLayout.chunkSize - 1) / EtcdKeyLayout.chunkSize)
        let meta = try Self.json(BundleRecord(chunks: chunkCount, size: bytes.count, kind: bundle.kind.rawValue))
        let versionRecord = try Self.json(VersionRecord(bundle: hash, label: label))
        let puts = [
            (metaKey, meta), (layout.version(name, version), versionRecord),
            (layout.active(name), Data(String(version).utf8)),
        ]
        var stored = mirror.withLock { $0[metaKey] }
        for attempt in 1...3 {
            var compare: [Etcd.Compare] = [.modified(layout.active(name), at: expected)]
            if let stored {
                if let created = stored.createRevision?.value, created > 0 {
                    compare.append(.created(metaKey, at: created))
                } else {
                    compare.append(.modified(metaKey, at: stored.modRevision?.value ?? 0))
                }
            } else {
                for index in 0..<chunkCount {
                    let start = index * EtcdKeyLayout.chunkSize
                    let chunk = Data(bytes[start..<min(bytes.count, start + EtcdKeyLayout.chunkSize)])
                    let key = layout.chunk(hash, index)
                    let (revision, created) = try await client.putReportingCreation(key, chunk)
                    record(puts: [(key, chunk)], revision: revision)
                    compare.append(.created(key, at: created))
                }
            }
            let response = try await client.txnResponse(
                Etcd.TxnRequest(
                    compare: compare, success: puts.map { .put($0.0, $0.1) }, failure: [.get(layout.active(name))]))
            let revision = response.header?.revision?.value ?? 0
            if response.succeeded == true {
                record(puts: puts, revision: revision)
                return revision
            }
            let active = response.responses?.first?.responseRange?.kvs?.first?.modRevision?.value ?? 0
            guard active == expected, attempt < 3 else { throw Self.conflict("the descriptors '\(name)'") }
            logger.info(
                "the bundle was collected while it was being uploaded; storing its chunks again",
                metadata: ["bundle": "\(hash)", "name": "\(name)"])
            stored = nil
        }
        throw Self.conflict("the descriptors '\(name)'")
    }

    func activate(_ name: String, version: Int, expected: Int64) async throws(GatewayError) -> Int64 {
        try checkWritable()
        return try await guarded(
            [.modified(layout.active(name), at: expected)],
            puts: [(layout.active(name), Data(String(version).utf8))], what: "the descriptors '\(name)'")
    }

    /// Removes the name's versions and active key. The bundles stay for now (another name or version may share
    /// them): the leader's collection deletes those no version references any more (``collectGarbage()``).
    func deleteDescriptors(_ name: String, expected: Int64) async throws(GatewayError) {
        try checkWritable()
        let prefix = layout.descriptors(name)
        let request = Etcd.TxnRequest(
            compare: [.modified(layout.active(name), at: expected)],
            success: [.delete(prefix, rangeEnd: Etcd.prefixEnd(prefix))])
        let (succeeded, revision) = try await client.txn(request)
        guard succeeded else { throw Self.conflict("the descriptors '\(name)'") }
        record(puts: [], deletePrefixes: [prefix], revision: revision)
    }

    func writeService(_ name: String, json: [UInt8]?, expected: Int64) async throws(GatewayError) -> Int64 {
        try checkWritable()
        return try await guarded(
            [.modified(layout.service(name), at: expected)],
            puts: [(layout.service(name), Data(json ?? DescriptorStore.tombstone))], what: "the service '\(name)'")
    }

    /// Puts the keys if every comparison holds; 409 ABORTED otherwise (another gateway changed it first).
    private func guarded(_ compare: [Etcd.Compare], puts: [(Data, Data)], what: String) async throws(GatewayError)
        -> Int64
    {
        let request = Etcd.TxnRequest(compare: compare, success: puts.map { .put($0.0, $0.1) })
        let (succeeded, revision) = try await client.txn(request)
        guard succeeded else { throw Self.conflict(what) }
        record(puts: puts, revision: revision)
        return revision
    }

    func checkWritable() throws(GatewayError) {
        guard loaded.load(ordering: .acquiring) else {
            throw GatewayError(
                code: "STORE_UNAVAILABLE", status: 503, "the etcd store has not been read yet; try again shortly")
        }
        if let reason = unavailableReason {
            throw GatewayError(code: "STORE_UNAVAILABLE", status: 503, "\(reason); writes resume when it is back")
        }
    }

    static func conflict(_ what: String) -> GatewayError {
        GatewayError(
            code: "ABORTED", status: 409,
            "\(what) changed on another gateway since this one read it; read it again and retry")
    }

    static func json(_ value: some Encodable) throws(GatewayError) -> Data {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return try encoder.encode(value)
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot encode a store record: \(error)")
        }
    }
}
