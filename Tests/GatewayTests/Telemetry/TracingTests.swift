import Foundation
import GenericCall
import Logging
import PorticoTestSupport
import Synchronization
import Testing

@testable import Gateway

/// Traces of real requests through the gateway to real backends, exported by swift-otel over OTLP/gRPC to a
/// collector built from PyPI's opentelemetry-proto and grpcio (Tests/peers/otlp_collector.py), and the JSON log
/// lines of the same requests.
@Suite("Live: OpenTelemetry traces and JSON logs", .serialized)
struct TracingTests {
    struct Span: Sendable {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        var kind: String
        var status: String
        var service: String?
        var attributes: [String: String]
    }

    /// Spans received so far by the collector writing to `file`.
    static func spans(in file: String) -> [Span] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            var attributes: [String: String] = [:]
            for (key, value) in object["attributes"] as? [String: Any] ?? [:] { attributes[key] = "\(value)" }
            return Span(
                traceID: object["trace_id"] as? String ?? "", spanID: object["span_id"] as? String ?? "",
                parentSpanID: object["parent_span_id"] as? String ?? "", name: object["name"] as? String ?? "",
                kind: object["kind"] as? String ?? "", status: object["status"] as? String ?? "",
                service: object["service"] as? String, attributes: attributes)
        }
    }

    /// Waits until `condition` holds for the received spans (the exporter sends a batch every 100 ms).
    static func waitForSpans(in file: String, _ condition: ([Span]) -> Bool) async throws -> [Span] {
        let limit = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < limit {
            let spans = spans(in: file)
            if condition(spans) { return spans }
            try await Task.sleep(for: .milliseconds(100))
        }
        return spans(in: file)
    }

    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    struct Setup: Sendable {
        let gatewayPort: Int
        let thriftMock: MockServer
        let grpcMock: MockServer
        let spansFile: String
        let logs: Lines
    }

    static func withTracedGateway(_ body: @Sendable (Setup) async throws -> Void) async throws {
        let spansFile = Fixtures.temporaryDirectory() + "/spans.jsonl"
        let collector = try await onOwnThread {
            try PeerServer(["python3", Repo.peers + "/otlp_collector.py", "--out", spansFile])
        }
        defer { collector.stop() }
        let thrift = try ServiceSchema.load(path: Fixtures.descriptors + "/bookstore.thrift", service: "Bookstore")
        let proto = try ServiceSchema.load(
            path: Fixtures.descriptors + "/demo/inventory.proto", includeDirectories: [Fixtures.descriptors],
            service: "inventory.v1.Inventory")
        let thriftMock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try MockResponses(json: Array(#"""
                {"GetBook": {"reply": {"book": {"id": "9", "title": "Dune"}, "etag": "v1", "status": 200}}}
                """#.utf8))),
            framing: .ttheader)
        let grpcMock = MockServer(
            responder: try MockResponder(schema: proto, responses: try MockResponses(json: Array(#"""
                {"GetStock": {"reply": {"sku": "dune"}}}
                """#.utf8))),
            framing: .grpc)
        let thriftEndpoint = try await thriftMock.start(port: 0)
        let grpcEndpoint = try await grpcMock.start(port: 0)
        // The gRPC service lists a closed port first: round-robin sends one of two calls there first, and that
        // call is retried on the live endpoint (a connect failure is always retried).
        let config = try Fixtures.config(
            services: """
                  - name: books
                    schema: \(Fixtures.descriptors)/bookstore.thrift
                    service: Bookstore
                    framing: ttheader
                    endpoints: [\(thriftEndpoint)]
                  - name: inventory
                    schema: \(Fixtures.descriptors)/demo/inventory.proto
                    include: [\(Fixtures.descriptors)]
                    service: inventory.v1.Inventory
                    framing: grpc
                    endpoints: [127.0.0.1:9, \(grpcEndpoint)]
                    retry: { max_attempts: 3, backoff: none }
                """,
            extra: """
                telemetry:
                  service_name: portico-test
                  traces: { endpoint: "http://127.0.0.1:\(collector.port)", export_delay: 100ms }
                  logs: { format: json, access_log: true }

                """)
        let logs = Lines()
        let logger = Logger(label: "portico.test") { label in
            JSONLogHandler(label: label, output: .custom { line in logs.lines.withLock { $0.append(line) } })
        }
        let (tracer, exporter) = try #require(try GatewayTracing.makeTracer(config.telemetry, logger: logger))
        let exporterTask = Task { try await exporter.run() }
        let invoker = GenericCallInvoker()
        let server = try GatewayServer(config: config, invoker: invoker, logger: logger, tracer: tracer)
        let serverTask = Task { try await server.run() }
        do {
            let port = try await server.listeningPort()
            try await body(
                Setup(gatewayPort: port, thriftMock: thriftMock, grpcMock: grpcMock, spansFile: spansFile, logs: logs))
        } catch {
            serverTask.cancel()
            exporterTask.cancel()
            await invoker.shutdown()
            await thriftMock.stop()
            await grpcMock.stop()
            throw error
        }
        serverTask.cancel()
        _ = await serverTask.result
        exporterTask.cancel()
        _ = await exporterTask.result
        await invoker.shutdown()
        await thriftMock.stop()
        await grpcMock.stop()
        Fixtures.removeIfOwned(config.store)
    }

    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"

    @Test func serverAndAttemptSpansReachTheCollectorAndTheBackendJoinsTheTrace() async throws {
        try await Self.withTracedGateway { setup in
            let response = try await TestHTTPClient.request(
                port: setup.gatewayPort, "GET", "/v1/shelves/3/books/9",
                headers: [("traceparent", "00-\(Self.traceID)-\(Self.parentID)-01"), ("X-Request-Id", "trace-req-1")])
            #expect(response.status == 200, "\(response.text)")
            let spans = try await Self.waitForSpans(in: setup.spansFile) { spans in
                spans.contains { $0.kind == "SPAN_KIND_SERVER" } && spans.contains { $0.kind == "SPAN_KIND_CLIENT" }
            }
            let server = try #require(spans.first { $0.kind == "SPAN_KIND_SERVER" }, "\(spans)")
            let client = try #require(spans.first { $0.kind == "SPAN_KIND_CLIENT" }, "\(spans)")
            // The incoming traceparent is honoured: same trace, our span its child.
            #expect(server.traceID == Self.traceID && server.parentSpanID == Self.parentID)
            #expect(server.name == "GET /v1/shelves/:shelf/books/:id", "\(server.name)")
            #expect(server.service == "portico-test")
            #expect(server.attributes["http.response.status_code"] == "200")
            #expect(server.attributes["http.route"] == server.name)
            #expect(server.attributes["portico.request_id"] == "trace-req-1")
            #expect(server.status != "STATUS_CODE_ERROR")
            // The attempt: child of the server span, with what it went to.
            #expect(client.traceID == Self.traceID && client.parentSpanID == server.spanID)
            #expect(client.attributes["rpc.method"] == "GetBook")
            #expect(client.attributes["rpc.system"] == "apache_thrift")
            #expect(client.attributes["portico.framing"] == "ttheader")
            #expect(client.attributes["portico.attempt"] == "1")
            #expect(client.attributes["portico.code"] == "OK")
            #expect(client.attributes["server.port"] != nil)
            // The TTHeader backend received the attempt's context where Kitex servers read it.
            let seen = setup.thriftMock.lastRequestHeaders
            #expect(seen["RPC_TRANSIT_traceparent"] == "00-\(Self.traceID)-\(client.spanID)-01", "\(seen)")
        }
    }

    @Test func retriesAreSiblingSpansAndGRPCBackendsGetTraceparentMetadata() async throws {
        try await Self.withTracedGateway { setup in
            var traceIDs: [String] = []
            for index in 0..<2 {
                let traceID = String(format: "%032x", 0xabc0 + index)
                traceIDs.append(traceID)
                let response = try await TestHTTPClient.request(
                    port: setup.gatewayPort, "GET", "/v1/inventory/dune",
                    headers: [("traceparent", "00-\(traceID)-\(Self.parentID)-01")])
                #expect(response.status == 200, "\(response.text)")
            }
            let spans = try await Self.waitForSpans(in: setup.spansFile) { spans in
                spans.filter { $0.kind == "SPAN_KIND_CLIENT" }.count >= 3
                    && spans.filter { $0.kind == "SPAN_KIND_SERVER" }.count >= 2
            }
            let attempts = spans.filter { $0.kind == "SPAN_KIND_CLIENT" }
            // Round-robin advances on retries too, so one or both calls meet the closed port first.
            #expect((3...4).contains(attempts.count), "\(attempts.map(\.attributes))")
            #expect(traceIDs.allSatisfy { id in (1...2).contains(attempts.filter { $0.traceID == id }.count) })
            let retried = try #require(
                traceIDs.first { id in attempts.filter { $0.traceID == id }.count == 2 }, "\(attempts)")
            let server = try #require(spans.first { $0.kind == "SPAN_KIND_SERVER" && $0.traceID == retried })
            let pair = attempts.filter { $0.traceID == retried }.sorted {
                ($0.attributes["portico.attempt"] ?? "") < ($1.attributes["portico.attempt"] ?? "")
            }
            #expect(pair.allSatisfy { $0.parentSpanID == server.spanID }, "siblings under the server span")
            #expect(pair[0].attributes["portico.attempt"] == "1" && pair[1].attributes["portico.attempt"] == "2")
            #expect(pair[0].status == "STATUS_CODE_ERROR" && pair[0].attributes["server.port"] == "9", "\(pair[0])")
            #expect(pair[0].attributes["portico.code"] != "OK")
            #expect(pair[1].attributes["portico.code"] == "OK" && pair[1].attributes["rpc.system"] == "grpc")
            #expect(server.attributes["http.response.status_code"] == "200")
            // The gRPC backend saw the last call's attempt context as metadata.
            let last = try #require(attempts.last { $0.traceID == traceIDs[1] && $0.attributes["portico.code"] == "OK" })
            #expect(setup.grpcMock.lastRequestHeaders["traceparent"] == "00-\(traceIDs[1])-\(last.spanID)-01")
        }
    }

    @Test func withoutTraceparentATraceStartsHereAndErrorsMarkTheServerSpan() async throws {
        try await Self.withTracedGateway { setup in
            let unknown = try await TestHTTPClient.request(
                port: setup.gatewayPort, "POST", "/Bookstore/NoSuchMethod", headers: [("X-Request-Id", "trace-404")],
                body: Array("{}".utf8))
            #expect(unknown.status == 404)
            let book = try await TestHTTPClient.request(
                port: setup.gatewayPort, "GET", "/v1/shelves/3/books/9", headers: [("X-Request-Id", "trace-root")])
            #expect(book.status == 200)
            let watch = try await TestHTTPClient.request(
                port: setup.gatewayPort, "GET", "/v1/inventory/dune:watch", headers: [("X-Request-Id", "trace-stream")])
            #expect(watch.status == 200, "\(watch.text)")
            let spans = try await Self.waitForSpans(in: setup.spansFile) { spans in
                spans.filter { $0.kind == "SPAN_KIND_SERVER" }.count >= 2
            }
            let root = try #require(spans.first { $0.attributes["portico.request_id"] == "trace-root" })
            #expect(root.parentSpanID.isEmpty && root.traceID.count == 32 && root.traceID != Self.traceID)
            let refused = try #require(spans.first { $0.attributes["portico.request_id"] == "trace-404" })
            #expect(refused.attributes["http.response.status_code"] == "404")
            #expect(refused.attributes["portico.code"] == "METHOD_NOT_FOUND" || refused.attributes["portico.code"] == "ROUTE_NOT_FOUND")
            #expect(refused.status != "STATUS_CODE_ERROR", "a 4xx is the client's error, not the server span's")
            #expect(!spans.contains { $0.kind == "SPAN_KIND_CLIENT" && $0.traceID == refused.traceID })
            // A server stream's backend call is an attempt span of the stream's server span too.
            let streamSpans = try await Self.waitForSpans(in: setup.spansFile) { spans in
                spans.contains { $0.kind == "SPAN_KIND_CLIENT" && $0.attributes["rpc.method"] == "WatchStock" }
                    && spans.contains { $0.attributes["portico.request_id"] == "trace-stream" }
            }
            let stream = try #require(streamSpans.first { $0.attributes["portico.request_id"] == "trace-stream" })
            let streamAttempt = try #require(streamSpans.first { $0.attributes["rpc.method"] == "WatchStock" })
            #expect(streamAttempt.parentSpanID == stream.spanID && streamAttempt.traceID == stream.traceID)
        }
    }

    @Test func jsonLogLinesCarryTheSameIds() async throws {
        try await Self.withTracedGateway { setup in
            let response = try await TestHTTPClient.request(
                port: setup.gatewayPort, "GET", "/v1/shelves/3/books/9",
                headers: [("traceparent", "00-\(Self.traceID)-\(Self.parentID)-01"), ("X-Request-Id", "log-req-1")])
            #expect(response.status == 200)
            let spans = try await Self.waitForSpans(in: setup.spansFile) { spans in
                spans.contains { $0.attributes["portico.request_id"] == "log-req-1" }
            }
            let server = try #require(spans.first { $0.attributes["portico.request_id"] == "log-req-1" })
            let lines = setup.logs.all
            let objects = try lines.map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            }
            #expect(lines.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") }, "one object per line")
            let access = try #require(objects.first { ($0["request_id"] as? String) == "log-req-1" }, "\(lines)")
            #expect(access["msg"] as? String == "request")
            #expect(access["level"] as? String == "INFO")
            #expect(access["trace_id"] as? String == Self.traceID)
            #expect(access["span_id"] as? String == server.spanID)
            #expect(access["trace_flags"] as? String == "01")
            #expect(access["route"] as? String == "GET /v1/shelves/:shelf/books/:id")
            #expect(access["status"] as? String == "200")
            #expect((access["time"] as? String)?.hasSuffix("Z") == true)
            #expect(access["duration_ms"] != nil)
        }
    }
}

@Suite("Telemetry: environment, ids, log lines")
struct TelemetryUnitTests {
    @Test func unsupportedOTELSettingsAreReplacedNotFatal() {
        let changes = TelemetryEnvironment.sanitized([
            "OTEL_PROPAGATORS": "tracecontext,baggage,b3", "OTEL_TRACES_SAMPLER": "jaeger_remote",
            "OTEL_TRACES_EXPORTER": "zipkin", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        ])
        #expect(changes.first { $0.name == "OTEL_PROPAGATORS" }?.value == "tracecontext")
        #expect(changes.first { $0.name == "OTEL_PROPAGATORS" }?.warning.contains("baggage, b3") == true)
        #expect(changes.contains { $0.name == "OTEL_TRACES_SAMPLER" && $0.value == nil })
        #expect(changes.contains { $0.name == "OTEL_TRACES_EXPORTER" && $0.value == "otlp" })
        #expect(changes.contains { $0.name == "OTEL_EXPORTER_OTLP_PROTOCOL" && $0.value == "grpc" })
        #expect(TelemetryEnvironment.sanitized(["OTEL_PROPAGATORS": "b3multi"]).first?.value == "tracecontext")
        #expect(TelemetryEnvironment.sanitized(["OTEL_PROPAGATORS": "tracecontext", "OTEL_TRACES_SAMPLER": "always_on"]).isEmpty)
    }

    @Test func traceparentParsing() {
        let ids = TraceIDs(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(ids?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && ids?.spanID == "00f067aa0ba902b7" && ids?.flags == "01")
        #expect(TraceIDs(traceparent: "00-abc-def-01") == nil)
        #expect(TraceIDs(traceparent: "garbage") == nil)
    }

    @Test func jsonLinesEscapeAndOrderTheirFields() throws {
        let captured = Mutex<[String]>([])
        var logger = Logger(label: "unit") { label in
            JSONLogHandler(label: label, output: .custom { line in captured.withLock { $0.append(line) } })
        }
        logger[metadataKey: "request_id"] = "r\"1"
        logger.warning("quote \" newline \n tab \t", metadata: ["trace_id": "t", "zeta": "z", "msg": "ignored"])
        logger.debug("below the level")
        let lines = captured.withLock { $0 }
        try #require(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "quote \" newline \n tab \t")
        #expect(object["level"] as? String == "WARN")
        #expect(object["request_id"] as? String == "r\"1")
        #expect(object["logger"] as? String == "unit")
        #expect(lines[0].hasPrefix(#"{"time":""#))
        let traceIndex = try #require(lines[0].range(of: "\"trace_id\"")).lowerBound
        let zetaIndex = try #require(lines[0].range(of: "\"zeta\"")).lowerBound
        #expect(traceIndex < zetaIndex)
    }

    @Test func telemetryConfigIsChecked() throws {
        func load(_ yaml: String) -> String {
            do {
                _ = try GatewayConfig(yaml: "telemetry:\n" + yaml)
                return "ok"
            } catch {
                return "\(error)"
            }
        }
        #expect(load("  traces: { sampler: jaeger_remote }\n").contains("telemetry.traces.sampler"))
        #expect(load("  traces: { sampler_ratio: 2 }\n").contains("out of range"))
        #expect(load("  logs: { format: xml }\n").contains("telemetry.logs.format"))
        #expect(load("  tracing: {}\n").contains("telemetry.tracing"))
        #expect(load("  traces: { endpoint: \"http://collector:4317\", sampler: always_on }\n  logs: { format: json }\n") == "ok")
        let config = try GatewayConfig(yaml: "telemetry:\n  traces: {}\n  logs: { access_log: true }\n")
        #expect(config.telemetry.traces.enabled && config.telemetry.accessLog && config.telemetry.logFormat == .text)
    }
}
