import GenericCall
import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One bidirectional Watch stream to one etcd member, carrying every watch of an ``EtcdClient``: each watch is
/// a create request with a watch id of ours, its responses are routed by that id, and a watch whose consumer
/// stops is cancelled on the stream. The stream stays open while watches come and go.
///
/// Heartbeat: a stream that has brought nothing for ``EtcdStreamTiming/probeAfter`` gets a progress request,
/// which etcd answers at once (watch id -1); one silent for ``EtcdStreamTiming/silenceLimit`` is ended. When the
/// stream ends — an error, etcd closing it, silence — every watch on it ends with the error, and the client opens
/// the next stream on the next member when a watch asks for one.
final class EtcdWatchStream: Sendable {
    /// Why a stream ended, for the client: a silent member also gets its connections closed; a refused watch
    /// makes the client authenticate again.
    enum Ending: Sendable {
        case failed
        case silent
        case refused
    }

    typealias Responses = AsyncThrowingStream<Etcd.WatchResponse, any Error>

    let member: Int
    private let stream: JSONStream
    private let timing: EtcdStreamTiming
    private let logger: Logger
    private let onEnd: @Sendable (EtcdWatchStream, GatewayError, Ending) -> Void
    private let state: Mutex<State>

    private struct State {
        var watches: [Int64: Responses.Continuation] = [:]
        /// Watches whose create request etcd has not answered yet, in the order they were sent.
        var awaitingCreation: [Int64] = []
        var nextID: Int64 = 1
        var lastHeard: ContinuousClock.Instant
        var isEnded = false
        var tasks: [Task<Void, Never>] = []
    }

    init(
        stream: JSONStream, member: Int, timing: EtcdStreamTiming, logger: Logger,
        onEnd: @escaping @Sendable (EtcdWatchStream, GatewayError, Ending) -> Void
    ) {
        self.stream = stream
        self.member = member
        self.timing = timing
        self.logger = logger
        self.onEnd = onEnd
        state = Mutex(State(lastHeard: .now))
    }

    var isLive: Bool { !state.withLock { $0.isEnded } }

    /// Starts reading the stream and keeping its heartbeat.
    func start() {
        let reader = Task { [self] in
            do {
                for try await message in stream.replies {
                    let response = try JSONDecoder().decode(Etcd.WatchResponse.self, from: Data(message))
                    route(response)
                }
                end(GatewayError(code: "STORE_UNAVAILABLE", status: 503, "etcd ended the watch stream"), .failed)
            } catch let error as CallError {
                end(EtcdClient.storeError(error, method: "Watch"), .failed)
            } catch {
                end(
                    GatewayError(code: "STORE_ERROR", status: 500, "etcd's Watch reply is not understood: \(error)"),
                    .failed)
            }
        }
        let heartbeat = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: timing.tick)
                let silent = ContinuousClock.now - state.withLock { $0.lastHeard }
                if silent >= timing.silenceLimit {
                    end(
                        GatewayError(
                            code: "STORE_UNAVAILABLE", status: 503,
                            "etcd member \(member) sent nothing on the watch stream for \(silent.roundedMilliseconds) ms, "
                                + "not even an answer to a progress request"),
                        .silent)
                    return
                }
                if silent >= timing.probeAfter {
                    send(Etcd.WatchRequest(progressRequest: Etcd.WatchProgressRequest()))
                }
            }
        }
        let started = state.withLock { state -> Bool in
            guard !state.isEnded else { return false }
            state.tasks = [reader, heartbeat]
            return true
        }
        if !started {
            reader.cancel()
            heartbeat.cancel()
        }
    }

    /// Watches every key under `prefix` from `revision` (inclusive), with progress notifications: the responses
    /// of this watch as they come, ending with an error when the stream ends, or after a response that cancels
    /// the watch (compaction, permission). Stopping the iteration cancels the watch on the stream.
    func watch(prefix: Data, from revision: Int64) throws(GatewayError) -> Responses {
        let (responses, continuation) = Responses.makeStream()
        let id = state.withLock { state -> Int64? in
            guard !state.isEnded else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.watches[id] = continuation
            state.awaitingCreation.append(id)
            return id
        }
        guard let id else {
            throw GatewayError(code: "STORE_UNAVAILABLE", status: 503, "the etcd watch stream has ended")
        }
        continuation.onTermination = { [weak self] _ in self?.cancel(id) }
        send(
            Etcd.WatchRequest(
                createRequest: Etcd.WatchCreateRequest(
                    key: prefix, rangeEnd: Etcd.prefixEnd(prefix), startRevision: revision, progressNotify: true,
                    watchId: id)))
        return responses
    }

    /// Ends the stream: every watch on it ends with `error`. Once; later calls do nothing.
    func end(_ error: GatewayError, _ ending: Ending = .failed) {
        let ended = state.withLock { state -> (watches: [Responses.Continuation], tasks: [Task<Void, Never>])? in
            guard !state.isEnded else { return nil }
            state.isEnded = true
            defer {
                state.watches = [:]
                state.tasks = []
            }
            return (Array(state.watches.values), state.tasks)
        }
        guard let ended else { return }
        stream.cancel()
        for task in ended.tasks { task.cancel() }
        for watch in ended.watches { watch.finish(throwing: error) }
        logger.debug(
            "etcd watch stream ended", metadata: ["member": "\(member)", "error": "\(error)", "ending": "\(ending)"])
        onEnd(self, error, ending)
    }

    /// Hands a response to its watch. Anything heard counts for the heartbeat; the answers to progress
    /// requests (watch id -1) are only that. etcd answers create requests in order, and a create it refuses may
    /// carry watch id -1 too (etcd 3.4 does when the stream's auth token is no longer valid): such an answer goes
    /// to the oldest watch still waiting for its own.
    private func route(_ response: Etcd.WatchResponse) {
        let (id, watch) = state.withLock { state -> (Int64, Responses.Continuation?) in
            state.lastHeard = .now
            var id = response.watchId?.value ?? 0
            if response.created == true {
                if id == Etcd.WatchResponse.progressAnswerID, !state.awaitingCreation.isEmpty {
                    id = state.awaitingCreation.removeFirst()
                } else {
                    state.awaitingCreation.removeAll { $0 == id }
                }
            }
            guard id != Etcd.WatchResponse.progressAnswerID else { return (id, nil) }
            return (id, response.canceled == true ? state.watches.removeValue(forKey: id) : state.watches[id])
        }
        guard let watch else { return }
        watch.yield(response)
        guard response.canceled == true else { return }
        watch.finish()
        // A watch refused for its credentials: the token expired unused (etcd forgets it after --auth-token-ttl,
        // 5 minutes by default), or the user lacks the permission. The stream is done; the next one
        // authenticates again.
        if let reason = response.cancelReason,
            ["permission denied", "auth token", "Unauthenticated"].contains(where: { reason.contains($0) })
        {
            end(
                GatewayError(code: "STORE_UNAVAILABLE", status: 503, "etcd refused watch \(id): \(reason)"), .refused)
        }
    }

    /// The consumer of watch `id` stopped: cancel it on the stream (etcd ignores an id it no longer has).
    private func cancel(_ id: Int64) {
        let known = state.withLock { state in
            state.awaitingCreation.removeAll { $0 == id }
            return state.isEnded ? false : state.watches.removeValue(forKey: id) != nil
        }
        if known { send(Etcd.WatchRequest(cancelRequest: Etcd.WatchCancelRequest(watchId: id))) }
    }

    private func send(_ request: Etcd.WatchRequest) {
        do {
            try stream.send(try JSONEncoder().encode(request).map { $0 })
        } catch {
            // Our own messages always encode; a failure here is a bug worth seeing, not a reason to stop.
            logger.error("cannot send on the etcd watch stream", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    /// Whole milliseconds, for messages.
    var roundedMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
