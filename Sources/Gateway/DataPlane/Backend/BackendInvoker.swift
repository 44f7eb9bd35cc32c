public import GenericCall
public import NIOCore

/// What the gateway needs from the RPC client: the seam between the HTTP side (this module) and GenericCall.
///
/// The production implementation makes the calls with GenericCall (framing, transport, pools, balancing, retry)
/// on the event loop of the request; tests use an in-process fake. Implementations must be safe to call
/// concurrently.
public protocol BackendInvoker: Sendable {
    /// A unary call started on `eventLoop`: `completion` runs on that loop exactly once with the reply message
    /// (Protobuf) or the result struct (Thrift, in the service's protocol; declared exceptions are fields of it and
    /// the gateway renders them), or a ``CallError`` with the exact code of shared/specs/errors.md. The call ends
    /// by `call.effectiveDeadline` at the latest, with TIMEOUT_BY_CALLER or RPC_TIMEOUT; the handle cancels it
    /// (the completion then gets CANCELLED_BY_CALLER).
    func start(
        _ call: BackendCall, on eventLoop: any EventLoop,
        completion: @escaping (Result<[UInt8], CallError>) -> Void
    ) -> BackendCallHandle

    /// A unary call as async code; invokers that only implement this get ``start(_:on:completion:)`` from it.
    func unary(_ call: BackendCall) async throws(CallError) -> [UInt8]

    /// A server-streaming gRPC call: the reply messages one by one. The stream ends after the last message or
    /// with a ``CallError``; the gateway stops iterating (which should cancel the call) when its client leaves.
    func serverStream(_ call: BackendCall) -> AsyncThrowingStream<[UInt8], any Error>

    /// A streaming gRPC call (client-streaming, bidirectional, or server-streaming driven from the loop) started on
    /// `eventLoop`: request messages go through the handle, `onMessage` gets each reply message and `onFinish`
    /// the end (or a ``CallError`` of shared/specs/errors.md), exactly once, last, on that loop. The call ends by
    /// `call.effectiveDeadline` at the latest.
    func startStream(
        _ call: BackendCall, on eventLoop: any EventLoop, onMessage: @escaping ([UInt8]) -> Void,
        onFinish: @escaping (Result<Void, CallError>) -> Void
    ) -> BackendStreamHandle

    /// The set of services changed (at start, and after every admin change): drop or rebuild the clients of
    /// services that are gone or changed.
    func servicesChanged(_ services: [ServiceConfig]) async
}

/// Cancels a call started with ``BackendInvoker/start(_:on:completion:)``; safe from any thread.
public struct BackendCallHandle: Sendable {
    private let onCancel: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) { onCancel = cancel }

    public func cancel() { onCancel() }
}

/// Drives a call started with ``BackendInvoker/startStream(_:on:onMessage:onFinish:)``; use it on the call's loop.
public struct BackendStreamHandle: Sendable {
    private let sendMessage: @Sendable ([UInt8]) -> Void
    private let finish: @Sendable () -> Void
    private let cancelCall: @Sendable () -> Void
    private let writable: @Sendable () -> Bool
    private let pause: @Sendable (Bool) -> Void

    /// `pauseReplies(true)` asks the backend to stop sending replies for now (flow control), `false` to resume;
    /// invokers that cannot hold a backend back leave it a no-op.
    public init(
        send: @escaping @Sendable ([UInt8]) -> Void, finishSending: @escaping @Sendable () -> Void,
        cancel: @escaping @Sendable () -> Void, isWritable: @escaping @Sendable () -> Bool = { true },
        pauseReplies: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        sendMessage = send
        finish = finishSending
        cancelCall = cancel
        writable = isWritable
        pause = pauseReplies
    }

    /// Sends one request message (encoded).
    public func send(_ message: [UInt8]) { sendMessage(message) }
    /// Ends the request side.
    public func finishSending() { finish() }
    /// Ends the call (the finish callback gets CANCELLED_BY_CALLER).
    public func cancel() { cancelCall() }
    /// Whether the backend takes more bytes now: a relay stops reading its source while it does not.
    public var isWritable: Bool { writable() }
    /// Stops taking replies while the relay's destination cannot take them (what is on its way still arrives).
    public func pauseReplies() { pause(true) }
    /// Takes replies again.
    public func resumeReplies() { pause(false) }
}

extension BackendInvoker {
    /// Invokers without streaming calls refuse them with UNIMPLEMENTED.
    public func startStream(
        _ call: BackendCall, on eventLoop: any EventLoop, onMessage: @escaping ([UInt8]) -> Void,
        onFinish: @escaping (Result<Void, CallError>) -> Void
    ) -> BackendStreamHandle {
        eventLoop.execute {
            onFinish(.failure(CallError(.grpc(.unimplemented), "this backend invoker has no streaming calls")))
        }
        return BackendStreamHandle(send: { _ in }, finishSending: {}, cancel: {})
    }

    /// Runs ``unary(_:)`` in a task and brings its outcome back to `eventLoop`, bounded by the call's deadline
    /// (a timer on the loop), so an invoker written as async code keeps the contract of the event-loop path.
    public func start(
        _ call: BackendCall, on eventLoop: any EventLoop,
        completion: @escaping (Result<[UInt8], CallError>) -> Void
    ) -> BackendCallHandle {
        let once = LoopOnce(eventLoop: eventLoop, completion: completion)
        let task = Task { [self] in
            do throws(CallError) {
                let reply = try await unary(call)
                once.complete(.success(reply))
            } catch {
                once.complete(.failure(error))
            }
        }
        let remaining = call.effectiveDeadline - ContinuousClock.now
        let timer = eventLoop.scheduleTask(in: .nanoseconds(max(0, remaining.nanosecondsClamped))) {
            task.cancel()
            once.complete(.failure(call.deadlineError))
        }
        once.onComplete = { timer.cancel() }
        return BackendCallHandle {
            task.cancel()
            once.complete(.failure(CallError(.cancelledByCaller, "the client closed the connection")))
        }
    }
}

/// Delivers the first of several competing outcomes on the event loop, once.
final class LoopOnce: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var completion: ((Result<[UInt8], CallError>) -> Void)?
    var onComplete: (() -> Void)?

    init(eventLoop: any EventLoop, completion: @escaping (Result<[UInt8], CallError>) -> Void) {
        self.eventLoop = eventLoop
        self.completion = completion
    }

    func complete(_ result: Result<[UInt8], CallError>) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.complete(result) }
            return
        }
        guard let completion else { return }
        self.completion = nil
        onComplete?()
        onComplete = nil
        completion(result)
    }
}

extension Duration {
    /// Nanoseconds, clamped to Int64.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max
            : product + attoseconds / 1_000_000_000
    }
}
