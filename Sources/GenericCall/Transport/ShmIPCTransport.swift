public import ShmIPC
import Synchronization

/// RPC connections over ShmIPC: one session per socket path, shared; each connection is one stream, leased by
/// one call at a time and reused (the pool keeps it). Frames are the same as over TCP (framed, TTHeader, Kitex
/// protobuf), written into shared memory with one flush per request.
public final class ShmIPCTransport: RPCTransport {
    let configuration: ShmIPCConfiguration
    private let sessions = Mutex<[String: ShmIPCSession]>([:])

    public init(configuration: ShmIPCConfiguration = ShmIPCConfiguration()) {
        self.configuration = configuration
    }

    public func connect(to endpoint: Endpoint, codec: MessageCodec, timeout: Duration) async throws(CallError)
        -> any RPCConnection
    {
        guard case .unix(let path) = endpoint else {
            throw CallError(.invalidArgument, "shmipc endpoints are socket paths, not \(endpoint)")
        }
        let session = try await session(for: path, timeout: timeout)
        do {
            return ShmIPCConnection(stream: try session.openStream(), session: session, codec: codec)
        } catch {
            sessions.withLock { if $0[path] === session { $0[path] = nil } }
            throw CallError(.unavailable, "cannot open a shmipc stream on \(path): \(error)", details: ["endpoint": path])
        }
    }

    private func session(for path: String, timeout: Duration) async throws(CallError) -> ShmIPCSession {
        if let open = sessions.withLock({ $0[path] }), open.closeReason == nil { return open }
        var settings = configuration
        settings.handshakeTimeout = min(settings.handshakeTimeout, timeout)
        do {
            let session = try await ShmIPCSession.connect(socketPath: path, configuration: settings)
            let chosen = sessions.withLock { sessions -> ShmIPCSession in
                if let other = sessions[path], other.closeReason == nil { return other }
                sessions[path] = session
                return session
            }
            if chosen !== session { session.close() }
            return chosen
        } catch {
            let code: CallErrorCode = error.code == .handshakeTimeout ? .connectTimeout : .unavailable
            throw CallError(code, "cannot connect to shmipc://\(path): \(error)", details: ["endpoint": path])
        }
    }

    /// Closes every session.
    public func close() {
        let all = sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return Array(sessions.values)
        }
        for session in all { session.close() }
    }
}

/// One ShmIPC stream used for one call at a time.
final class ShmIPCConnection: RPCConnection {
    let stream: ShmIPCStream
    let session: ShmIPCSession
    let codec: MessageCodec
    private let state = Mutex<(buffer: [UInt8], closed: Bool, busy: Int)>(([], false, 0))

    init(stream: ShmIPCStream, session: ShmIPCSession, codec: MessageCodec) {
        self.stream = stream
        self.session = session
        self.codec = codec
    }

    var isUsable: Bool { !state.withLock { $0.closed } && session.closeReason == nil }

    var pendingCount: Int { state.withLock { $0.busy } }

    func send(_ frame: [UInt8]) async throws(CallError) {
        do {
            try await stream.writeMessage(frame)
        } catch {
            close()
            throw CallError(.backendClosed, "shmipc write failed: \(error)")
        }
    }

    func roundTrip(_ frame: [UInt8], sequenceID: Int32) async throws(CallError) -> WireEnvelope {
        state.withLock { $0.busy += 1 }
        defer { state.withLock { $0.busy -= 1 } }
        try await send(frame)
        while true {
            let envelope = try await readFrame()
            // A reply with another id is a late one from an abandoned call: skip it.
            if envelope.sequenceID == sequenceID { return envelope }
        }
    }

    private func readFrame() async throws(CallError) -> WireEnvelope {
        while true {
            let buffered = state.withLock { $0.buffer }
            do {
                if let length = try codec.frameLength(in: buffered[...]), buffered.count >= length {
                    state.withLock { $0.buffer.removeFirst(length) }
                    return try codec.decode(Array(buffered[..<length]))
                }
            } catch {
                close()
                throw CallError(.badBackendReply, "malformed reply frame: \(error.message)")
            }
            if Task.isCancelled { throw CallError(.cancelledByCaller, "the call was cancelled") }
            let chunk: [UInt8]?
            do {
                chunk = try await stream.read()
            } catch {
                close()
                throw CallError(.backendClosed, "the shmipc stream ended: \(error)")
            }
            guard let chunk else {
                close()
                throw CallError(.backendClosed, "the backend closed the shmipc stream")
            }
            state.withLock { $0.buffer.append(contentsOf: chunk) }
        }
    }

    func close() {
        let first = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        if first { try? stream.close() }
    }
}
