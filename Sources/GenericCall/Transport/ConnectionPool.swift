import Synchronization

/// The connections to one endpoint, bounded.
///
/// Without multiplexing (buffered, framed, Kitex protobuf: the servers answer one call at a time per connection) a
/// call leases a connection for itself and returns it afterwards; at the bound, calls wait for a free one. With
/// multiplexing (TTHeader) calls share connections, up to `maxConcurrentPerConnection` each, replies matched by
/// sequence id.
final class ConnectionPool: Sendable {
    let endpoint: Endpoint
    let transport: any RPCTransport
    let codec: MessageCodec
    let maxConnections: Int
    let multiplexed: Bool
    let maxConcurrentPerConnection: Int

    private struct State {
        var idle: [any RPCConnection] = []
        /// Multiplexed connections, shared.
        var shared: [any RPCConnection] = []
        /// Connections open or being opened.
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiterID = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(
        endpoint: Endpoint, transport: any RPCTransport, codec: MessageCodec, maxConnections: Int, multiplexed: Bool,
        maxConcurrentPerConnection: Int = 128
    ) {
        self.endpoint = endpoint
        self.transport = transport
        self.codec = codec
        self.maxConnections = max(1, maxConnections)
        self.multiplexed = multiplexed
        self.maxConcurrentPerConnection = maxConcurrentPerConnection
    }

    private enum Step {
        case use(any RPCConnection)
        case connect
        case wait
    }

    /// A connection for one call. Throws the connect errors (CONNECT_TIMEOUT, UNAVAILABLE) or CANCELLED_BY_CALLER.
    func acquire(connectTimeout: Duration) async throws(CallError) -> any RPCConnection {
        while true {
            let step: Step = state.withLock { state in
                if multiplexed {
                    state.shared.removeAll { !$0.isUsable }
                    let best = state.shared.min { $0.pendingCount < $1.pendingCount }
                    if let best, best.pendingCount < maxConcurrentPerConnection || state.open >= maxConnections {
                        return .use(best)
                    }
                    if state.open < maxConnections {
                        state.open += 1
                        return .connect
                    }
                    return .wait
                }
                while let connection = state.idle.popLast() {
                    if connection.isUsable { return .use(connection) }
                    connection.close()
                    state.open -= 1
                }
                if state.open < maxConnections {
                    state.open += 1
                    return .connect
                }
                return .wait
            }
            switch step {
            case .use(let connection):
                return connection
            case .connect:
                do {
                    let connection = try await transport.connect(to: endpoint, codec: codec, timeout: connectTimeout)
                    if multiplexed { state.withLock { $0.shared.append(connection) } }
                    return connection
                } catch {
                    state.withLock { $0.open -= 1 }
                    wakeOne()
                    throw error
                }
            case .wait:
                try await waitForRoom()
            }
        }
    }

    /// Gives a leased connection back; `reusable` is false after a timeout or an error (a reply may still be on
    /// its way, or the stream is broken), and the connection is closed.
    func release(_ connection: any RPCConnection, reusable: Bool) {
        if multiplexed {
            if !reusable || !connection.isUsable {
                let removed = state.withLock { state in
                    let before = state.shared.count
                    state.shared.removeAll { $0 === connection }
                    if state.shared.count < before { state.open -= 1 }
                    return state.shared.count < before
                }
                // On a shared connection a timed-out call's late reply is simply dropped: only a broken connection
                // is closed.
                if removed, !connection.isUsable { connection.close() }
            }
            wakeOne()
            return
        }
        let keep = reusable && connection.isUsable
        state.withLock { state in
            if keep && !state.closed {
                state.idle.append(connection)
            } else {
                state.open -= 1
            }
        }
        if !keep { connection.close() }
        wakeOne()
    }

    private func waitForRoom() async throws(CallError) {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    state.withLock { $0.waiters.append((id, continuation)) }
                    if Task.isCancelled { cancelWaiter(id) }
                }
            } onCancel: {
                cancelWaiter(id)
            }
        } catch {
            throw CallError(.cancelledByCaller, "the call was cancelled while waiting for a connection")
        }
    }

    private func cancelWaiter(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: CancellationError())
    }

    private func wakeOne() {
        let waiter = state.withLock { state in state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation }
        waiter?.resume()
    }

    /// Closes every connection; calls in flight fail with BACKEND_CLOSED.
    func close() {
        let (connections, waiters) = state.withLock { state in
            state.closed = true
            let connections = state.idle + state.shared
            state.idle.removeAll()
            state.shared.removeAll()
            let waiters = state.waiters.map(\.continuation)
            state.waiters.removeAll()
            return (connections, waiters)
        }
        for connection in connections { connection.close() }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }
}
