import GenericCall
import NIOCore
import NIOPosix

/// What one call on a ``GRPCLoopConnection`` produced.
struct GRPCOutcome: Sendable {
    var headers: [RPCHeader] = []
    var messages: [[UInt8]] = []
    var result: Result<[RPCHeader], GRPCCallFailure>?
    /// Callbacks after `finished` (must stay 0).
    var lateCallbacks = 0

    var error: CallError? {
        if case .failure(let failure)? = result { return failure.error }
        return nil
    }
    var trailers: [RPCHeader] {
        if case .success(let trailers)? = result { return trailers }
        return []
    }
    func header(_ name: String) -> String? { (headers + trailers).last { $0.name == name }?.value }
}

/// Collects one call's callbacks on the loop.
final class CollectingObserver: GRPCCallObserver {
    var outcome = GRPCOutcome()
    let promise: EventLoopPromise<GRPCOutcome>?

    init(promise: EventLoopPromise<GRPCOutcome>?) {
        self.promise = promise
    }

    func received(headers: [RPCHeader]) {
        if outcome.result != nil { outcome.lateCallbacks += 1 }
        outcome.headers = headers
    }

    func received(message: ByteBuffer) {
        if outcome.result != nil { outcome.lateCallbacks += 1 }
        outcome.messages.append(Array(message.readableBytesView))
    }

    func finished(_ result: Result<[RPCHeader], GRPCCallFailure>) {
        if outcome.result != nil { outcome.lateCallbacks += 1 }
        outcome.result = result
        promise?.succeed(outcome)
    }
}

/// Drives a ``GRPCLoopConnection`` from async tests: every step hops onto the connection's event loop.
struct GRPCLoopDriver: Sendable {
    /// A loop of their own for these connections: a load run keeps its loop busy for seconds in a debug build,
    /// which must not delay the other suites' calls on the shared loops.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    let loop: any EventLoop
    let connection: NIOLoopBound<GRPCLoopConnection>

    static func connect(
        to endpoint: Endpoint, configuration: GRPCLoopConfiguration = GRPCLoopConfiguration(),
        connectTimeout: Duration = .seconds(2)
    ) async throws -> GRPCLoopDriver {
        let loop = group.next()
        let promise = loop.makePromise(of: GRPCLoopDriver.self)
        loop.execute {
            GRPCLoopConnection.connect(
                to: endpoint, on: loop, connectTimeout: connectTimeout, configuration: configuration
            ) { result in
                switch result {
                case .success(let connection):
                    promise.succeed(GRPCLoopDriver(loop: loop, connection: NIOLoopBound(connection, eventLoop: loop)))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        }
        return try await promise.futureResult.get()
    }

    /// One call, awaited to its end.
    func call(
        _ path: String, message: [UInt8], metadata: [RPCHeader] = [], timeout: Duration? = nil
    ) async throws -> GRPCOutcome {
        let promise = loop.makePromise(of: GRPCOutcome.self)
        let connection = self.connection
        loop.execute {
            let observer = CollectingObserver(promise: promise)
            _ = connection.value.startCall(
                path: path, metadata: metadata, timeout: timeout, message: ByteBuffer(bytes: message),
                observer: observer)
        }
        return try await promise.futureResult.get()
    }

    /// Starts a call, cancels it after `delay`, waits `settle` more, and returns what the observer saw.
    func callAndCancel(_ path: String, message: [UInt8], after delay: TimeAmount, settle: TimeAmount) async throws
        -> GRPCOutcome
    {
        let promise = loop.makePromise(of: GRPCOutcome.self)
        let connection = self.connection
        let loop = self.loop
        loop.execute {
            let observer = CollectingObserver(promise: nil)
            let handle = connection.value.startCall(
                path: path, metadata: [], timeout: nil, message: ByteBuffer(bytes: message), observer: observer)
            _ = loop.assumeIsolated().scheduleTask(in: delay) { handle.cancel() }
            _ = loop.assumeIsolated().scheduleTask(in: delay + settle) { promise.succeed(observer.outcome) }
        }
        return try await promise.futureResult.get()
    }

    func onLoop<Value: Sendable>(_ body: @escaping @Sendable (GRPCLoopConnection) -> Value) async throws -> Value {
        let connection = self.connection
        return try await loop.submit { body(connection.value) }.get()
    }

    var isUsable: Bool { get async throws { try await onLoop { $0.isUsable } } }

    func close() async throws {
        try await onLoop { $0.close() }
    }
}

extension GRPCLoopDriver {
    /// Starts several calls in one event-loop tick, in order (so their streams get ids 1, 3, 5... in that order),
    /// and awaits them all.
    func callsTogether(_ paths: [String]) async throws -> [GRPCOutcome] {
        let promises = paths.map { _ in loop.makePromise(of: GRPCOutcome.self) }
        let connection = self.connection
        loop.execute {
            for (path, promise) in zip(paths, promises) {
                _ = connection.value.startCall(
                    path: path, metadata: [], timeout: nil, message: ByteBuffer(),
                    observer: CollectingObserver(promise: promise))
            }
        }
        var outcomes: [GRPCOutcome] = []
        for promise in promises { outcomes.append(try await promise.futureResult.get()) }
        return outcomes
    }
}
