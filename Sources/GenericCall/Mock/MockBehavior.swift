/// Injected misbehaviour, so retry and timeout handling can be shown against the mock server.
public struct MockBehavior: Sendable, Hashable {
    public enum FailureMode: String, Sendable, Hashable, CaseIterable {
        /// Answer with a TApplicationException (gRPC: UNAVAILABLE status).
        case exception
        /// Close the connection without answering.
        case close
        /// Either, at random.
        case mixed
    }

    /// Pause before each reply.
    public var delay: Duration
    /// Fraction of calls (0...1) that fail.
    public var failureRate: Double
    public var failureMode: FailureMode

    public init(delay: Duration = .zero, failureRate: Double = 0, failureMode: FailureMode = .mixed) {
        self.delay = delay
        self.failureRate = failureRate
        self.failureMode = failureMode
    }

    enum Decision { case answer, exception, close }

    func decide() -> Decision {
        guard failureRate > 0, Double.random(in: 0..<1) < failureRate else { return .answer }
        switch failureMode {
        case .exception: return .exception
        case .close: return .close
        case .mixed: return Bool.random() ? .exception : .close
        }
    }
}
