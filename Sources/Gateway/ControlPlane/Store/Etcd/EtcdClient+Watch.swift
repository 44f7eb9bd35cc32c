import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EtcdClient {
    /// Watches every key under `prefix` from `revision` (inclusive) on the client's one Watch stream (opened on
    /// the next member when there is none): watch responses as they come. The sequence ends with an error when
    /// the stream does (the member died, the connection fell silent), or after a response that cancels the watch.
    func watch(prefix: Data, from revision: Int64) async throws(GatewayError)
        -> AsyncThrowingStream<Etcd.WatchResponse, any Error>
    {
        try await currentWatchStream().watch(prefix: prefix, from: revision)
    }

    /// The member the live Watch stream is on (nil: none is open).
    var watchMember: Int? {
        watchState.withLock { state in state.stream.flatMap { $0.isLive ? $0.member : nil } }
    }

    /// The live Watch stream, or a new one on the member after the last one that failed.
    private func currentWatchStream() async throws(GatewayError) -> EtcdWatchStream {
        let (live, member) = watchState.withLock { state in
            (state.stream.flatMap { $0.isLive ? $0 : nil }, state.nextMember % url.endpoints.count)
        }
        if let live { return live }
        let opened = try await openStream(.watch, member: member)
        let (stream, isNew) = watchState.withLock { state -> (EtcdWatchStream?, Bool) in
            if state.isShutDown { return (nil, false) }
            // Another watch opened one meanwhile: share it.
            if let live = state.stream, live.isLive { return (live, false) }
            let stream = EtcdWatchStream(
                stream: opened, member: member, timing: timing, logger: logger,
                onEnd: { [weak self] stream, error, ending in self?.watchStreamEnded(stream, error, ending) })
            state.stream = stream
            return (stream, true)
        }
        guard let stream else {
            opened.cancel()
            throw GatewayError(code: "STORE_UNAVAILABLE", status: 503, "the etcd client is shut down")
        }
        if isNew {
            watchStreamsOpened.add(1, ordering: .relaxed)
            stream.start()
            logger.debug("etcd watch stream opened", metadata: ["member": "\(url.endpoints[member])"])
        } else {
            opened.cancel()
        }
        return stream
    }

    /// The next Watch stream goes to the next member; a silent member's connections are closed; a refused auth
    /// token is fetched again.
    private func watchStreamEnded(_ stream: EtcdWatchStream, _ error: GatewayError, _ ending: EtcdWatchStream.Ending) {
        watchState.withLock { state in
            guard state.stream === stream else { return }
            state.stream = nil
            state.nextMember = stream.member + 1
        }
        if ending == .silent {
            logger.warning(
                "an etcd member stopped answering the watch stream; watching on the next member",
                metadata: ["member": "\(url.endpoints[stream.member])", "reason": "\(error.message)"])
            dropConnections(member: stream.member)
        }
        if ending == .refused || Self.isTokenRefusal(error) { tokenRejected() }
    }
}
