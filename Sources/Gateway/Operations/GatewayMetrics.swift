public import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, served at `/metrics`. Each server has its own registry (no global state),
/// so several servers can run in one process; ``factory`` lets GenericCall's swift-metrics counters land in the
/// same registry (`MetricsSystem.bootstrap(metrics.factory)`).
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Latency buckets from 0.5 ms to 10 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// The per-request series, looked up in the registry once and kept: the registry's lookup validates the
    /// name and labels and builds the label key on every call, which is measurable per request.
    private struct RequestSeries {
        var counters: [RouteStatus: Counter] = [:]
        var histograms: [String: DurationHistogram] = [:]
    }

    private struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    private let series = Mutex(RequestSeries())
    private let inFlightGauge: Gauge
    private let webSocketGauge: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlightGauge = registry.makeGauge(
            descriptor: Self.name("http_in_flight", "requests", "Requests being served"))
        webSocketGauge = registry.makeGauge(
            descriptor: Self.name("websocket", "sessions", "WebSocket sessions bridged to streaming calls now"))
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "portico", metricName: metric, unitName: unit, helpText: help)
    }

    /// A family GenericCall's swift-metrics counters also write (through ``factory``, which registers every family
    /// with an empty help text). The registry traps on two help texts for one family, so these have none either.
    static func shared(_ metric: String, _ unit: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "portico", metricName: metric, unitName: unit, helpText: "")
    }

    /// A swift-metrics factory writing into ``registry``.
    public var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    /// One finished request. `route` is the route template (`GET /v1/shelves/{shelf}`), or a fixed name for
    /// requests that matched none (`unmatched`, `admin`, `health`), so hostile paths cannot explode the label set.
    /// Route labels come from the route table and a few fixed names, statuses from a small set: the cache of
    /// series stays as small as the registry's own.
    func request(route: String, status: Int, duration: Duration) {
        let key = RouteStatus(route: route, status: status)
        let (counter, histogram) = series.withLock { series in
            (series.counters[key], series.histograms[route])
        }
        (counter ?? requestCounter(key)).increment()
        (histogram ?? requestHistogram(route)).record(duration)
    }

    private func requestCounter(_ key: RouteStatus) -> Counter {
        let counter = registry.makeCounter(
            descriptor: Self.name("http_requests", "total", "HTTP requests by route and status"),
            labels: [("route", key.route), ("status", String(key.status))])
        series.withLock { $0.counters[key] = counter }
        return counter
    }

    private func requestHistogram(_ route: String) -> DurationHistogram {
        let histogram = registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "HTTP request latency by route"),
            labels: [("route", route)],
            buckets: Self.latencyBuckets)
        series.withLock { $0.histograms[route] = histogram }
        return histogram
    }

    /// A failed backend call, by taxonomy code.
    func backendError(code: String, service: String) {
        registry.makeCounter(
            descriptor: Self.shared("backend_errors", "total"),
            labels: [("code", code), ("service", service)]
        ).increment()
    }

    /// A timeout, by kind: `rpc` (the gateway's), `caller` (the client's deadline), `connect`.
    func timeout(kind: String) {
        registry.makeCounter(
            descriptor: Self.shared("timeouts", "total"), labels: [("kind", kind)]
        ).increment()
    }

    /// Retries made by the backend client. The invoker reports them here as they happen; the gateway also adds
    /// the extra attempts of calls that failed with RETRY_EXHAUSTED when the invoker does not.
    public func retries(service: String, count: Int = 1) {
        registry.makeCounter(
            descriptor: Self.shared("retries", "total"), labels: [("service", service)]
        ).increment(by: Int64(count))
    }

    /// A client that went away before its reply (CANCELLED_BY_CALLER).
    func cancelledByCaller(route: String) {
        registry.makeCounter(
            descriptor: Self.name(
                "cancelled_by_caller", "total", "Requests whose HTTP client went away before the reply"),
            labels: [("route", route)]
        ).increment()
    }

    /// A request refused by a limit: `body`, `header`, `concurrency`.
    func rejected(limit: String) {
        registry.makeCounter(
            descriptor: Self.name("rejected", "total", "Requests refused by a limit"), labels: [("limit", limit)]
        ).increment()
    }

    /// A request refused by an auth policy, by PASETO error code.
    func authRefused(policy: String, code: String) {
        registry.makeCounter(
            descriptor: Self.name("auth_refused", "total", "Requests refused by an auth policy"),
            labels: [("policy", policy), ("code", code)]
        ).increment()
    }

    /// The active version of a registry name (0 once deleted).
    func descriptorVersion(name: String, version: Int) {
        registry.makeGauge(
            descriptor: Self.name("descriptor", "version", "Active version of each descriptor registry name"),
            labels: [("name", name)]
        ).set(Double(version))
    }

    /// Requests being served now.
    func inFlight(_ delta: Double) {
        inFlightGauge.increment(by: delta)
    }

    /// WebSocket sessions open now.
    func webSocketSessions(_ delta: Double) {
        webSocketGauge.increment(by: delta)
    }

    /// Route snapshot swaps (descriptor or service changes).
    func snapshotSwapped(generation: Int) {
        registry.makeGauge(
            descriptor: Self.name("route_snapshot", "generation", "Generation of the active route snapshot")
        ).set(Double(generation))
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
