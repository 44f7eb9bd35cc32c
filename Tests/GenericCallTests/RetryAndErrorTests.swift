import Testing

@testable import GenericCall

@Suite struct RetryAndErrorTests {
    @Test func errorsRenderWithTheirStatusAndCode() {
        let error = CallError(.rpcTimeout, "no reply within 200ms", details: ["attempts": "1", "timeout": "200ms"])
        #expect(error.httpStatus == 504)
        #expect(error.json() == #"{"code":"RPC_TIMEOUT","message":"no reply within 200ms","details":{"attempts":"1","timeout":"200ms"}}"#)
        let grpc = CallError(.grpc(.resourceExhausted), "quota \"x\"")
        #expect(grpc.httpStatus == 429)
        #expect(grpc.json() == #"{"code":"RESOURCE_EXHAUSTED","message":"quota \"x\"","details":{"grpc_code":"8","grpc_status":"RESOURCE_EXHAUSTED"}}"#)
        #expect(CallError(.cancelledByCaller, "gone").httpStatus == 499)
        #expect(CallError(.declaredException(httpStatus: 404), "BookNotFound").httpStatus == 404)
        #expect(CallError(.retryExhausted(last: CallErrorCodeBox(.backendClosed)), "3 attempts").httpStatus == 502)
        let statuses: [GRPCStatus: Int] = [
            .ok: 200, .cancelled: 499, .unknown: 500, .invalidArgument: 400, .deadlineExceeded: 504, .notFound: 404,
            .alreadyExists: 409, .permissionDenied: 403, .resourceExhausted: 429, .failedPrecondition: 400,
            .aborted: 409, .outOfRange: 400, .unimplemented: 501, .internal: 500, .unavailable: 503, .dataLoss: 500,
            .unauthenticated: 401,
        ]
        for status in GRPCStatus.allCases { #expect(status.httpStatus == statuses[status]) }
    }

    @Test func retryRulesFollowTheSpec() {
        let policy = RetryPolicy(retryableMethods: ["GetBook"])
        func retryable(_ code: CallErrorCode, sent: Bool, _ method: String = "CreateBook", _ p: RetryPolicy? = nil) -> Bool {
            (p ?? policy).isRetryable(.init(code: code, requestSent: sent), method: method)
        }
        // Failures before the request left are always retried.
        #expect(retryable(.connectTimeout, sent: false))
        #expect(retryable(.unavailable, sent: false))
        // After it left, only retryable methods.
        #expect(!retryable(.backendClosed, sent: true))
        #expect(retryable(.backendClosed, sent: true, "GetBook"))
        // Timeouts only with retryOnTimeout, and the caller's own deadline or cancellation never.
        #expect(!retryable(.rpcTimeout, sent: true, "GetBook"))
        #expect(retryable(.rpcTimeout, sent: true, "GetBook", RetryPolicy(retryOnTimeout: true, retryableMethods: ["GetBook"])))
        #expect(!retryable(.timeoutByCaller, sent: false, "GetBook"))
        #expect(!retryable(.cancelledByCaller, sent: false, "GetBook"))
        #expect(!retryable(.declaredException(httpStatus: 500), sent: true, "GetBook"))
    }

    @Test func backoffGrowsAndStaysBounded() {
        let policy = RetryPolicy(backoff: .exponential(base: .milliseconds(10), maximum: .milliseconds(100), jitter: 0.5))
        #expect(policy.delay(beforeAttempt: 2, random: { 0 }) == .milliseconds(10))
        #expect(policy.delay(beforeAttempt: 3, random: { 0 }) == .milliseconds(20))
        #expect(policy.delay(beforeAttempt: 10, random: { 0 }) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 3, random: { 0.999 }) > .milliseconds(10))
        #expect(policy.delay(beforeAttempt: 3, random: { 0.999 }) <= .milliseconds(20))
        #expect(RetryPolicy(backoff: .fixed(.milliseconds(7))).delay(beforeAttempt: 5, random: { 0.3 }) == .milliseconds(7))
        #expect(RetryPolicy(backoff: .none).delay(beforeAttempt: 2, random: { 0.3 }) == .zero)
    }

    @Test func budgetCapsRetriesAtTheRatioOfCalls() {
        let budget = RetryBudget(ratio: 0.1, minimumRetries: 2, window: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<100 { budget.recordCall(now: start) }
        var granted = 0
        for _ in 0..<50 where budget.tryRetry(now: start) { granted += 1 }
        #expect(granted == 10)
        // Once the window has passed, the old calls and retries no longer count: only the minimum is left.
        let later = start + .seconds(11)
        var grantedLater = 0
        for _ in 0..<50 where budget.tryRetry(now: later) { grantedLater += 1 }
        #expect(grantedLater == 2)
    }
}
