import NIOCore

/// The connections of one event loop to one endpoint, bounded. Only that loop touches it, so it takes no lock.
///
/// Without multiplexing a call leases a connection for itself and gives it back; with multiplexing (TTHeader)
/// calls share connections, up to `maxConcurrentPerConnection` each. At the bound, calls wait in order.
final class LoopEndpointPool {
    typealias Lease = (Result<FramedConnection, CallError>) -> Void

    let endpoint: Endpoint
    let eventLoop: any EventLoop
    let codec: MessageCodec
    let multiplexed: Bool
    let maxConnections: Int
    let maxConcurrentPerConnection: Int
    let connectTimeout: Duration

    private var connections: [FramedConnection] = []
    private var connecting = 0
    private var waiters: [(id: Int, lease: Lease)] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    init(
        endpoint: Endpoint, eventLoop: any EventLoop, codec: MessageCodec, multiplexed: Bool, maxConnections: Int,
        maxConcurrentPerConnection: Int, connectTimeout: Duration
    ) {
        self.endpoint = endpoint
        self.eventLoop = eventLoop
        self.codec = codec
        self.multiplexed = multiplexed
        self.maxConnections = max(1, maxConnections)
        self.maxConcurrentPerConnection = max(1, maxConcurrentPerConnection)
        self.connectTimeout = connectTimeout
    }

    /// Gives `lease` a connection now, after a connect, or when one frees up. Returns a waiter id when the call
    /// waits (pass it to ``cancelWaiter(_:)`` if the call ends first), nil otherwise.
    @discardableResult
    func acquire(_ lease: @escaping Lease) -> Int? {
        guard !isShutDown else {
            lease(.failure(CallError(.backendClosed, "the client is shut down")))
            return nil
        }
        connections.removeAll { !$0.isUsable }
        if multiplexed {
            var best: FramedConnection?
            for connection in connections where best == nil || connection.pendingCount < best!.pendingCount {
                best = connection
            }
            if let best, best.pendingCount < maxConcurrentPerConnection || connections.count + connecting >= maxConnections {
                lease(.success(best))
                return nil
            }
        } else if let idle = connections.first(where: { !$0.isLeased }) {
            idle.isLeased = true
            lease(.success(idle))
            return nil
        }
        guard connections.count + connecting < maxConnections else {
            nextWaiterID += 1
            waiters.append((nextWaiterID, lease))
            return nextWaiterID
        }
        connect(for: lease)
        return nil
    }

    private func connect(for lease: @escaping Lease) {
        connecting += 1
        FramedConnection.connect(to: endpoint, codec: codec, on: eventLoop, timeout: connectTimeout) { result in
            self.connecting -= 1
            switch result {
            case .success(let connection):
                guard !self.isShutDown else {
                    connection.close()
                    lease(.failure(CallError(.backendClosed, "the client is shut down")))
                    return
                }
                self.connections.append(connection)
                if !self.multiplexed { connection.isLeased = true }
                lease(.success(connection))
            case .failure(let error):
                lease(.failure(error))
                // Waiters stay queued only while something can free a slot for them.
                if self.connections.isEmpty, self.connecting == 0 { self.failWaiters(error) }
            }
        }
    }

    /// Gives back a leased connection (connections without multiplexing); `reusable` false closes it.
    func release(_ connection: FramedConnection, reusable: Bool) {
        if !reusable { connection.close() }
        connection.isLeased = false
        connections.removeAll { !$0.isUsable }
        serveWaiter()
    }

    /// Called when a multiplexed call ends: a waiter may now fit.
    func callEnded() {
        if !waiters.isEmpty { serveWaiter() }
    }

    private func serveWaiter() {
        guard !waiters.isEmpty else { return }
        let (_, lease) = waiters.removeFirst()
        acquire(lease)
    }

    func cancelWaiter(_ id: Int) {
        waiters.removeAll { $0.id == id }
    }

    private func failWaiters(_ error: CallError) {
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.lease(.failure(error)) }
    }

    func shutDown() {
        isShutDown = true
        let open = connections
        connections = []
        for connection in open { connection.close() }
        failWaiters(CallError(.backendClosed, "the client is shut down"))
    }
}
