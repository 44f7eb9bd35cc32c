import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization

/// The Portico gateway: an HTTP/JSON server that routes requests to RPC methods through a ``BackendInvoker``.
///
/// A `Service` (swift-service-lifecycle): run it in a `ServiceGroup` for signal handling and graceful shutdown
/// (in-flight requests are drained), or call ``run()`` directly and cancel its task to stop it.
///
/// ```swift
/// let server = try GatewayServer(config: config, invoker: invoker, logger: logger)
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public final class GatewayServer: Service, Sendable {
    public let config: GatewayConfig
    public let metrics: GatewayMetrics
    let handler: GatewayHandler
    private let logger: Logger
    private let port = Mutex<Int?>(nil)

    /// Opens the descriptor store, loads the config's and the store's descriptors and services, and builds the
    /// routes. Throws ``GatewayError`` when any of them is unusable (the message names the key or the file).
    public init(config: GatewayConfig, invoker: any BackendInvoker, logger: Logger = Logger(label: "portico.gateway"))
        throws(GatewayError)
    {
        self.config = config
        self.logger = logger
        metrics = GatewayMetrics()
        let store = try DescriptorStore(directory: config.store)
        let control = try GatewayControl(
            config: config, store: store, invoker: invoker, metrics: metrics, logger: logger)
        handler = GatewayHandler(config: config, control: control, invoker: invoker, metrics: metrics, logger: logger)
    }

    /// Serves until cancelled or until graceful shutdown is triggered, then stops accepting connections and
    /// lets in-flight requests finish.
    public func run() async throws {
        await handler.invoker.servicesChanged(handler.holder.snapshot.services)
        var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        if let maxHeader = config.limits.maxHeader, maxHeader > decoder.maxHeaderListSize {
            decoder.maxHeaderListSize = maxHeader + 1024
            decoder.maxHeaderFieldSize = maxHeader + 1024
        }
        let watches = handler.connections
        let application = Application(
            responder: GatewayResponder(handler: handler),
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: [ConnectionWatchHandler(watches: watches)],
                    httpDecoderConfiguration: decoder)),
            configuration: ApplicationConfiguration(
                address: .hostname(config.listen.host, port: config.listen.port), serverName: nil),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? 0
                self.port.withLock { $0 = bound }
                self.handler.ready.store(true, ordering: .releasing)
                self.logger.info(
                    "gateway listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: { [handler] in
            handler.ready.store(false, ordering: .releasing)
        }
        handler.ready.store(false, ordering: .releasing)
    }

    /// The port the server listens on, once it does (useful with port 0). Waits up to `timeout`.
    public func listeningPort(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let bound = port.withLock({ $0 }) { return bound }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw GatewayError(code: "UNAVAILABLE", status: 503, "the server did not start listening within \(timeout)")
    }

    /// The route snapshot requests are served with now.
    public var routes: RouteSnapshot { handler.holder.snapshot }
}
