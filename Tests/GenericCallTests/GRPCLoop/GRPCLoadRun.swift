import NIOCore

@testable import GenericCall

/// One call of a load run: its request and how to check its reply.
struct GRPCLoadCall {
    var path: String
    var metadata: [RPCHeader]
    var message: ByteBuffer
    /// The reply it must get, byte for byte.
    var check: (ByteBuffer) -> Bool
}

/// What a load run saw.
struct GRPCLoadReport: Sendable, CustomStringConvertible {
    var completed = 0
    var failures = 0
    /// Calls that succeeded with a wrong reply, or not exactly one reply message.
    var badReplies = 0
    var errors: [String: Int] = [:]
    var elapsed: Duration = .zero
    /// Why the connection closed, if it did (nil: it never closed).
    var closeReason: String?
    var stillUsable = false
    /// Control frames (mostly PINGs) the connection received.
    var controlFrames = 0

    var description: String {
        "\(completed) calls in \(elapsed), \(failures) failed, \(badReplies) bad replies, errors \(errors), "
            + "\(controlFrames) control frames received, closed: \(closeReason ?? "no")"
    }
}

/// Keeps `concurrency` calls in flight on one connection, on its event loop, until `duration` has passed or
/// `total` calls have started, and checks every reply byte.
final class GRPCLoadRun {
    let connection: GRPCLoopConnection
    let concurrency: Int
    let total: Int
    let deadline: NIODeadline
    let start = NIODeadline.now()
    let makeCall: (Int) -> GRPCLoadCall
    let promise: EventLoopPromise<GRPCLoadReport>
    var started = 0
    var inFlight = 0
    var report = GRPCLoadReport()

    init(
        connection: GRPCLoopConnection, concurrency: Int, duration: TimeAmount, total: Int,
        promise: EventLoopPromise<GRPCLoadReport>, makeCall: @escaping (Int) -> GRPCLoadCall
    ) {
        self.connection = connection
        self.concurrency = concurrency
        self.total = total
        self.deadline = .now() + duration
        self.promise = promise
        self.makeCall = makeCall
    }

    func run() {
        for _ in 0..<concurrency { startNext() }
    }

    private func startNext() {
        guard started < total, NIODeadline.now() < deadline, connection.isUsable else {
            if inFlight == 0 { done() }
            return
        }
        let call = makeCall(started)
        started += 1
        inFlight += 1
        let observer = GRPCLoadObserver(run: self, check: call.check)
        _ = connection.startCall(
            path: call.path, metadata: call.metadata, timeout: .seconds(10), message: call.message, observer: observer)
    }

    fileprivate func finished(_ result: Result<[RPCHeader], GRPCCallFailure>, replyOK: Bool) {
        inFlight -= 1
        report.completed += 1
        switch result {
        case .success:
            if !replyOK { report.badReplies += 1 }
        case .failure(let failure):
            report.failures += 1
            report.errors["\(failure.error.code.name): \(failure.error.message.prefix(120))", default: 0] += 1
        }
        startNext()
    }

    private func done() {
        report.elapsed = .nanoseconds((NIODeadline.now() - start).nanoseconds)
        report.closeReason = connection.closeReason
        report.stillUsable = connection.isUsable
        report.controlFrames = connection.controlFramesReceived
        promise.succeed(report)
    }
}

private final class GRPCLoadObserver: GRPCCallObserver {
    let run: GRPCLoadRun
    let check: (ByteBuffer) -> Bool
    var messages = 0
    var replyOK = false

    init(run: GRPCLoadRun, check: @escaping (ByteBuffer) -> Bool) {
        self.run = run
        self.check = check
    }

    func received(headers: [RPCHeader]) {}

    func received(message: ByteBuffer) {
        messages += 1
        replyOK = messages == 1 && check(message)
    }

    func finished(_ result: Result<[RPCHeader], GRPCCallFailure>) {
        run.finished(result, replyOK: replyOK && messages == 1)
    }
}

extension GRPCLoopDriver {
    /// Runs ``GRPCLoadRun`` on this connection.
    func load(
        concurrency: Int, duration: TimeAmount, total: Int = .max,
        makeCall: @escaping @Sendable (Int) -> GRPCLoadCall
    ) async throws -> GRPCLoadReport {
        let promise = loop.makePromise(of: GRPCLoadReport.self)
        let connection = self.connection
        loop.execute {
            GRPCLoadRun(
                connection: connection.value, concurrency: concurrency, duration: duration, total: total,
                promise: promise,
                makeCall: makeCall
            ).run()
        }
        return try await promise.futureResult.get()
    }
}
