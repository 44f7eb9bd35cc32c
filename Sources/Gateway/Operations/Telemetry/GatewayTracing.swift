#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
public import Logging
import Foundation
import OTel
public import ServiceLifecycle
public import Tracing

/// The tracer of `portico serve`: swift-otel with its OTLP/gRPC exporter, made from the `telemetry:` config and
/// the standard `OTEL_*` variables. The gateway holds the tracer itself (no global bootstrap), so tests can run
/// several gateways with their own collectors in one process.
public enum GatewayTracing {
    /// A tracer and the service that exports its spans (run it beside the gateway; its graceful shutdown flushes
    /// what is left), or nil when tracing is off.
    public static func makeTracer(_ config: TelemetryConfig, logger: Logger) throws -> (
        tracer: any Tracer, exporter: any Service
    )? {
        let environment = ProcessInfo.processInfo.environment
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return nil }
        let exporterVariable = environment["OTEL_TRACES_EXPORTER"]?.lowercased()
        guard config.traces.enabled || exporterVariable == "otlp" else { return nil }
        // swift-otel stops the process on settings it does not implement; such values are dropped here with a
        // warning, before it reads the environment.
        for change in TelemetryEnvironment.sanitized(environment) {
            logger.warning("\(change.warning)")
            if let value = change.value { setenv(change.name, value, 1) } else { unsetenv(change.name) }
        }
        var otel = OTel.Configuration.default
        otel.serviceName = config.serviceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.otlpExporter.protocol = .grpc
        if let endpoint = config.traces.endpoint { otel.traces.otlpExporter.endpoint = endpoint }
        otel.traces.batchSpanProcessor.scheduleDelay = config.traces.exportDelay
        otel.traces.sampler = sampler(config.traces)
        otel.diagnosticLogger = .custom(logger)
        otel.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: otel)
        return (backend.factory, backend.service)
    }

    static func sampler(_ traces: TelemetryConfig.Traces) -> OTel.Configuration.TracesConfiguration.SamplerConfiguration {
        switch traces.sampler {
        case "always_on": .alwaysOn
        case "always_off": .alwaysOff
        case "parentbased_always_off": .parentBasedAlwaysOff
        case "traceidratio": .traceIDRatio(ratio: traces.samplerRatio) ?? .alwaysOn
        case "parentbased_traceidratio": .parentBasedTraceIDRatio(ratio: traces.samplerRatio) ?? .parentBasedAlwaysOn
        default: .parentBasedAlwaysOn
        }
    }
}

/// `OTEL_*` values swift-otel 1.6 would stop the process on, and what to use instead.
enum TelemetryEnvironment {
    struct Change: Equatable {
        var name: String
        /// nil: unset the variable.
        var value: String?
        var warning: String
    }

    static let supportedPropagators: Set<String> = ["tracecontext", "none"]
    static let supportedSamplers = TelemetryConfig.samplers

    static func sanitized(_ environment: [String: String]) -> [Change] {
        var changes: [Change] = []
        if let value = environment["OTEL_PROPAGATORS"] {
            let names = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let kept = names.filter { supportedPropagators.contains($0) }
            let dropped = names.filter { !supportedPropagators.contains($0) && !$0.isEmpty }
            if !dropped.isEmpty {
                let replacement = kept.isEmpty ? "tracecontext" : kept.joined(separator: ",")
                changes.append(
                    Change(
                        name: "OTEL_PROPAGATORS", value: replacement,
                        warning: "OTEL_PROPAGATORS: \(dropped.joined(separator: ", ")) not supported; using \(replacement)"))
            }
        }
        if let value = environment["OTEL_TRACES_SAMPLER"], !supportedSamplers.contains(value.lowercased()) {
            changes.append(
                Change(
                    name: "OTEL_TRACES_SAMPLER", value: nil,
                    warning: "OTEL_TRACES_SAMPLER: \(value) not supported; using the configured sampler"))
        }
        if let value = environment["OTEL_TRACES_EXPORTER"], value.lowercased() != "otlp" {
            changes.append(
                Change(
                    name: "OTEL_TRACES_EXPORTER", value: "otlp",
                    warning: "OTEL_TRACES_EXPORTER: \(value) not supported; using otlp"))
        }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let value = environment[name], value.lowercased() != "grpc" {
                changes.append(
                    Change(
                        name: name, value: "grpc",
                        warning: "\(name): \(value) not supported (only the gRPC exporter is built); using grpc"))
            }
        }
        return changes
    }
}
