import DynamicCodec
import Foundation
public import Logging

/// A swift-log handler writing one JSON object per line, with the field names of Go's `log/slog` JSON handler
/// that Kitex's OpenTelemetry logging uses: `time` (RFC 3339, UTC, microseconds), `level` (`DEBUG`, `INFO`,
/// `WARN`, `ERROR`), `msg`, then the metadata — `trace_id`, `span_id`, `trace_flags`, `request_id`, `route`,
/// `status`, `code`, `duration_ms` and whatever else a line carries — and `logger`, the label.
///
/// Metadata values are written as JSON strings (lists and maps as their text), so a line always parses.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: Output

    /// Where lines go: standard output or error, or a closure (tests).
    public struct Output: Sendable {
        let write: @Sendable (String) -> Void

        public static let standardError = Output { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
        public static let standardOutput = Output { line in
            FileHandle.standardOutput.write(Data(line.utf8))
        }

        public static func custom(_ write: @escaping @Sendable (String) -> Void) -> Output { Output(write: write) }
    }

    public init(label: String, output: Output = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "{\"time\":" + JSONString.quoted(Self.timestamp(Date()))
        line += ",\"level\":" + JSONString.quoted(Self.levelName(event.level))
        line += ",\"msg\":" + JSONString.quoted(event.message.description)
        // The correlation fields first, in a fixed order; the rest sorted, so lines are stable.
        let leading = ["trace_id", "span_id", "trace_flags", "request_id"]
        for key in leading {
            if let value = merged[key] { line += "," + JSONString.quoted(key) + ":" + JSONString.quoted(Self.text(value)) }
        }
        for key in merged.keys.sorted() where !leading.contains(key) && !Self.reserved.contains(key) {
            line += "," + JSONString.quoted(key) + ":" + JSONString.quoted(Self.text(merged[key]!))
        }
        line += ",\"logger\":" + JSONString.quoted(label) + "}\n"
        output.write(line)
    }

    /// Keys the handler writes itself; metadata of the same name is dropped rather than duplicated.
    static let reserved: Set<String> = ["time", "level", "msg", "logger"]

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error, .critical: "ERROR"
        }
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }

    /// `2026-12-07T04:40:12.123456Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let micros = Int(((seconds - Double(whole)) * 1e6).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }
}
