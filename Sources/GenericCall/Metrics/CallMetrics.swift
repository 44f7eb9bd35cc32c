import Metrics

/// Counters and timers of backend calls (swift-metrics; the gateway exports them to Prometheus).
struct CallMetrics: Sendable {
    let backend: String

    /// One attempt ended: `code` nil for success.
    func attempt(method: String, code: CallErrorCode?) {
        Counter(
            label: "portico_backend_attempts_total",
            dimensions: [("backend", backend), ("method", method), ("code", code?.name ?? "OK")]
        ).increment()
        if let code, case .rpcTimeout = code {
            Counter(label: "portico_timeouts_total", dimensions: [("backend", backend), ("kind", "RPC_TIMEOUT")]).increment()
        } else if let code, case .timeoutByCaller = code {
            Counter(label: "portico_timeouts_total", dimensions: [("backend", backend), ("kind", "TIMEOUT_BY_CALLER")]).increment()
        } else if let code, case .connectTimeout = code {
            Counter(label: "portico_timeouts_total", dimensions: [("backend", backend), ("kind", "CONNECT_TIMEOUT")]).increment()
        }
    }

    /// A whole call ended (after retries).
    func call(method: String, code: CallErrorCode?, seconds: Double) {
        Timer(label: "portico_backend_call_seconds", dimensions: [("backend", backend), ("method", method)])
            .recordNanoseconds(Int64(seconds * 1e9))
        if let code {
            Counter(label: "portico_backend_errors_total", dimensions: [("backend", backend), ("code", code.name)])
                .increment()
        }
    }

    func retry(method: String) {
        Counter(label: "portico_retries_total", dimensions: [("backend", backend), ("method", method)]).increment()
    }

    /// The series a successful call of `method` touches, made once: the metrics factory is asked per series, not
    /// per call (its lookups take a lock and hash the labels).
    func successHandles(method: String) -> SuccessHandles {
        SuccessHandles(
            attempts: Counter(
                label: "portico_backend_attempts_total",
                dimensions: [("backend", backend), ("method", method), ("code", "OK")]),
            duration: Timer(label: "portico_backend_call_seconds", dimensions: [("backend", backend), ("method", method)]))
    }

    struct SuccessHandles {
        let attempts: Counter
        let duration: Timer
    }

    func backup(method: String) {
        Counter(label: "portico_backup_requests_total", dimensions: [("backend", backend), ("method", method)])
            .increment()
    }
}
