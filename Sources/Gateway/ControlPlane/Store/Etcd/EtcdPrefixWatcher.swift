import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps up with every key under a prefix: reads them all once, then watches from the next revision (one watch
/// on the client's shared Watch stream). When the stream ends (a member died, or fell silent past the heartbeat's
/// limit) it watches again from the last revision it saw, on the next member, so nothing in between is missed;
/// when etcd has compacted that revision away it reads everything again. Runs until its task is cancelled.
struct EtcdPrefixWatcher: Sendable {
    enum Update: Sendable {
        /// Everything under the prefix as of a revision: replaces what was known.
        case reset([Etcd.KeyValue], revision: Int64)
        /// Changes of one or more revisions, in order.
        case events([Etcd.Event])
    }

    let client: EtcdClient
    let prefix: Data
    let logger: Logger

    /// `update` gets every change; `health` gets nil once etcd answers and the reason when it stops answering
    /// (only after every member has been tried, so one member going away is not reported).
    func run(
        update: @escaping @Sendable (Update) async -> Void, health: @escaping @Sendable (String?) async -> Void
    ) async {
        var revision: Int64 = 0
        var needsRead = true
        var failures = 0
        while !Task.isCancelled {
            do {
                if needsRead {
                    let (kvs, read) = try await client.rangePrefix(prefix)
                    revision = read
                    needsRead = false
                    await update(.reset(kvs, revision: read))
                }
                let stream = try await client.watch(prefix: prefix, from: revision + 1)
                for try await response in stream {
                    if response.canceled == true {
                        if let compacted = response.compactRevision?.value, compacted > 0 {
                            logger.warning(
                                "etcd compacted the revisions this gateway had not seen; reading everything again",
                                metadata: ["from": "\(revision + 1)", "compacted": "\(compacted)"])
                            needsRead = true
                            break
                        }
                        throw GatewayError(
                            code: "STORE_UNAVAILABLE", status: 503,
                            "etcd cancelled the watch: \(response.cancelReason ?? "no reason given")")
                    }
                    if response.created == true {
                        failures = 0
                        await health(nil)
                        continue
                    }
                    let events = response.events ?? []
                    if events.isEmpty {
                        // A progress notification of this watch (etcd's own, every ten minutes by default): every
                        // change up to its revision has been delivered. The answers to the heartbeat's progress
                        // requests never get here (they belong to no watch, and may run ahead of the events).
                        if let progress = response.header?.revision?.value { revision = max(revision, progress) }
                        continue
                    }
                    for event in events {
                        if let changed = event.kv?.modRevision?.value { revision = max(revision, changed) }
                    }
                    await update(.events(events))
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.debug("etcd watch interrupted", metadata: ["error": "\(error)", "failures": "\(failures)"])
                // Every member gets a try at once before etcd counts as unreachable; then retries back off.
                let members = client.url.endpoints.count
                if failures > members { await health("\(error)") }
                if failures >= members {
                    let pause = min(100 << min(failures - members, 4), 1000)
                    try? await Task.sleep(for: .milliseconds(pause))
                }
            }
        }
    }
}
