import ArgumentParser
import DynamicCodec
import Foundation
import Gateway
import GenericCall
import Logging
import Metrics
import ServiceLifecycle
import Tracing

/// `portico serve`: the gateway. With no `--config`, a demo: the example descriptors behind in-process mock
/// backends on loopback.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP/JSON gateway (with no --config: a demo with the example descriptors and mock backends).",
        discussion: """
            portico serve --config portico.yaml [--listen 0.0.0.0:8080] [--store DIR] [--admin-token T]
            The configuration reference is docs/gateway.md. Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight
            requests finish first.
            """
    )

    @Option(help: "The YAML configuration file.")
    var config: String?

    @Option(help: "HOST:PORT to listen on (overrides the config).")
    var listen: String?

    @Option(
        help: """
            The store (overrides the config): a directory, or etcd://HOST:PORT[,HOST:PORT...][/PREFIX] \
            (etcds://...?ca=FILE&cert=FILE&key=FILE over TLS).
            """)
    var store: String?

    @Option(name: .customLong("admin-token"), help: "Bearer token of the admin API (overrides config and PORTICO_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(name: .customLong("max-body"), help: "Largest request body, e.g. 4MiB (overrides the config).")
    var maxBody: String?

    @Flag(help: "Serve the web console at /console (overrides the config; the demo always serves it).")
    var console = false

    @Option(help: "Directory of the example descriptors for the demo.")
    var descriptors: String = "Descriptors"

    func run() async throws {
        let overrides = GatewayConfigOverrides(listen: listen, store: store, adminToken: adminToken, maxBody: maxBody)
        let invoker = GenericCallInvoker()
        var mocks: [MockServer] = []
        var loaded: GatewayConfig
        do {
            if let config {
                loaded = try GatewayConfig.load(path: config).applying(overrides)
            } else {
                let (demo, servers) = try await Self.demo(descriptors: descriptors, store: store)
                mocks = servers
                loaded = try demo.applying(overrides)
            }
            if console { loaded.console.enabled = true }
        } catch {
            FileHandle.standardError.write(Data("portico serve: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let gatewayConfig = loaded
        if gatewayConfig.telemetry.logFormat == .json {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "portico")
        logger.logLevel = .info
        let tracing: (tracer: any Tracer, exporter: any Service)?
        let server: GatewayServer
        do {
            tracing = try GatewayTracing.makeTracer(gatewayConfig.telemetry, logger: logger)
            server = try GatewayServer(config: gatewayConfig, invoker: invoker, logger: logger, tracer: tracing?.tracer)
        } catch {
            FileHandle.standardError.write(Data("portico serve: \(error)\n".utf8))
            for mock in mocks { await mock.stop() }
            throw ExitCode(2)
        }
        // Backend call metrics (GenericCall) land in the gateway's Prometheus registry.
        MetricsSystem.bootstrap(server.metrics.factory)
        // Shut down in reverse order: the gateway drains first, then the exporter flushes the last spans.
        let services: [any Service] = (tracing.map { [$0.exporter] } ?? []) + [server]
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.listeningPort()
            let base = "http://\(gatewayConfig.listen.host):\(port)"
            if config == nil { Self.printDemo(base: base) } else {
                FileHandle.standardOutput.write(Data("portico gateway listening on \(base)\n".utf8))
            }
            FileHandle.standardOutput.write(Data(Self.consoleLines(base: base, settings: gatewayConfig.console).utf8))
            if tracing != nil { logger.info("tracing on: spans are exported over OTLP/gRPC") }
            try await tasks.next()
            tasks.cancelAll()
        }
        await invoker.shutdown()
        for mock in mocks { await mock.stop() }
    }

    /// The demo: BookstoreAdmin (Thrift, framed) and inventory.v1.Inventory (gRPC) served by mock backends on
    /// free loopback ports, with replies from Descriptors/demo.
    static func demo(descriptors: String, store: String?) async throws -> (GatewayConfig, [MockServer]) {
        let thriftPath = descriptors + "/bookstore.thrift"
        let protoPath = descriptors + "/demo/inventory.proto"
        guard FileManager.default.fileExists(atPath: thriftPath), FileManager.default.fileExists(atPath: protoPath) else {
            throw ValidationError(
                "the demo needs the example descriptors: run it from the repository root or pass --descriptors DIR")
        }
        func replies(_ name: String) throws -> MockResponses {
            guard let data = FileManager.default.contents(atPath: descriptors + "/demo/" + name) else { return MockResponses() }
            return try MockResponses(json: [UInt8](data))
        }
        let thrift = try ServiceSchema.load(path: thriftPath, service: "BookstoreAdmin")
        let proto = try ServiceSchema.load(path: protoPath, service: "inventory.v1.Inventory")
        let thriftMock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try replies("bookstore-replies.json")), framing: .framed,
            behavior: MockBehavior(delay: .milliseconds(1)))
        let grpcMock = MockServer(
            responder: try MockResponder(schema: proto, responses: try replies("inventory-replies.json")), framing: .grpc)
        let thriftEndpoint = try await thriftMock.start(port: 0)
        let grpcEndpoint = try await grpcMock.start(port: 0)
        let storeDirectory = store ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-demo-\(getpid())").path
        let config = GatewayConfig(
            listen: GatewayConfig.ListenAddress(host: "127.0.0.1", port: 8080), store: storeDirectory,
            services: [
                ServiceConfig(
                    name: "bookstore", schema: .file(thriftPath), service: "BookstoreAdmin", framing: .framed,
                    endpoints: ["\(thriftEndpoint)"], forwardHeaders: ["Authorization"]),
                ServiceConfig(
                    name: "inventory", schema: .file(protoPath), service: "inventory.v1.Inventory", framing: .grpc,
                    endpoints: ["\(grpcEndpoint)"]),
            ],
            console: GatewayConfig.Console(enabled: true))
        return (config, [thriftMock, grpcMock])
    }

    /// Where the console and the OpenAPI document are, when served.
    static func consoleLines(base: String, settings: GatewayConfig.Console) -> String {
        var text = ""
        if settings.enabled { text += "Console:          \(base)/console\n" }
        if settings.openAPI { text += "OpenAPI document: \(base)/openapi.json\n" }
        return text
    }

    static func printDemo(base: String) {
        let text = """
            Portico demo gateway on \(base)
              Thrift BookstoreAdmin (framed) and gRPC inventory.v1.Inventory, each behind an in-process mock backend.
            Try:
              curl -s \(base)/v1/shelves/1/books/7
              curl -s -X DELETE \(base)/v1/shelves/1/books/404  # a declared Thrift exception, status 404
              curl -s -X POST \(base)/BookstoreAdmin/Reindex -d '{"shelf": 3}'
              curl -s \(base)/v1/inventory/dune-1965
              curl -s -N -H 'Accept: text/event-stream' \(base)/v1/inventory/dune-1965:watch
              curl -s -X POST \(base)/inventory.v1.Inventory/GetStock -d '{"sku": "x"}'
              printf '{"delta":1}\\n{"delta":2}\\n' | curl -s --data-binary @- \(base)/v1/inventory:record  # client stream
              python3 -m websockets ws://\(base.dropFirst("http://".count))/v1/inventory:relay  # bidi over WebSocket: type JSON lines
              curl -s \(base)/metrics | head
            Stop with Ctrl-C.

            """
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
