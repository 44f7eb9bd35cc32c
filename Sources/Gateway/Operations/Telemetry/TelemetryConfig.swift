/// What the gateway reports about itself beyond metrics: traces (OpenTelemetry, OTLP/gRPC) and logs
/// (`telemetry:` in the config). The standard `OTEL_*` variables override the trace settings.
public struct TelemetryConfig: Sendable, Hashable {
    public struct Traces: Sendable, Hashable {
        /// Off by default; `OTEL_TRACES_EXPORTER=otlp` also turns tracing on, `OTEL_SDK_DISABLED=true` off.
        public var enabled = false
        /// The OTLP/gRPC collector; nil: `OTEL_EXPORTER_OTLP_ENDPOINT` or `http://localhost:4317`.
        public var endpoint: String?
        /// `parentbased_always_on` (the default), `always_on`, `always_off`, `traceidratio`,
        /// `parentbased_traceidratio`, `parentbased_always_off`.
        public var sampler = "parentbased_always_on"
        /// The ratio of the `traceidratio` samplers.
        public var samplerRatio = 1.0
        /// How long finished spans wait to be sent in a batch.
        public var exportDelay: Duration = .seconds(5)

        public init() {}
    }

    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        /// swift-log's default console lines.
        case text
        /// One JSON object per line (``JSONLogHandler``), with trace and span ids.
        case json
    }

    /// The `service.name` of the spans; `OTEL_SERVICE_NAME` wins.
    public var serviceName = "portico"
    public var traces = Traces()
    public var logFormat: LogFormat = .text
    /// One log line per request (route, status, code, duration, ids), at info level.
    public var accessLog = false

    public init() {}

    static let samplers: Set<String> = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
        "parentbased_traceidratio",
    ]
}

extension TelemetryConfig {
    /// Reads `telemetry:`.
    init(node: ConfigNode) throws(ConfigError) {
        self.init()
        var reader = try ConfigReader(node, path: "telemetry")
        if let name = try reader.string("service_name") { serviceName = name }
        if let tracesNode = reader.node("traces") {
            var tracesReader = try ConfigReader(tracesNode, path: "telemetry.traces")
            traces.enabled = try tracesReader.bool("enabled") ?? true
            traces.endpoint = try tracesReader.string("endpoint")
            if let sampler = try tracesReader.string("sampler") {
                guard Self.samplers.contains(sampler.lowercased()) else {
                    throw ConfigError(
                        tracesReader.keyPath("sampler"),
                        "\"\(sampler)\" is not one of \(Self.samplers.sorted().joined(separator: " | "))")
                }
                traces.sampler = sampler.lowercased()
            }
            if let ratio = try tracesReader.number("sampler_ratio", in: 0...1) { traces.samplerRatio = ratio }
            if let delay = try tracesReader.duration("export_delay") { traces.exportDelay = delay }
            try tracesReader.rejectUnknownKeys()
        }
        if let logsNode = reader.node("logs") {
            var logsReader = try ConfigReader(logsNode, path: "telemetry.logs")
            if let format = try logsReader.choice("format", of: LogFormat.self) { logFormat = format }
            if let access = try logsReader.bool("access_log") { accessLog = access }
            try logsReader.rejectUnknownKeys()
        }
        try reader.rejectUnknownKeys()
    }
}
