import Foundation
public import Logging
public import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOWebSocket
public import ServiceLifecycle
import Synchronization
public import Tracing

/// The Portico gateway: an HTTP/JSON server that routes requests to RPC methods through a ``BackendInvoker``.
///
/// The data plane is a SwiftNIO server: each connection's requests are served on its event loop, and backend
/// calls run on that same loop (see ``HTTPConnectionHandler``). A `Service` (swift-service-lifecycle): run it in
/// a `ServiceGroup` for signal handling and graceful shutdown (in-flight requests finish, idle connections
/// close), or call ``run()`` directly and cancel its task to stop it.
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
    private let group: MultiThreadedEventLoopGroup

    /// Opens the descriptor store, loads the config's and the store's descriptors and services, and builds the
    /// routes. Throws ``GatewayError`` when any of them is unusable (the message names the key or the file).
    /// `tracer`: spans for RPC requests and their backend attempts (``GatewayTracing/makeTracer(_:logger:)``);
    /// nil: no tracing.
    public init(
        config: GatewayConfig, invoker: any BackendInvoker, logger: Logger = Logger(label: "portico.gateway"),
        tracer: (any Tracer)? = nil
    ) throws(GatewayError) {
        self.config = config
        self.logger = logger
        group = MultiThreadedEventLoopGroup.singleton
        metrics = GatewayMetrics()
        let authenticators = try Self.authenticators(config, environment: ProcessInfo.processInfo.environment)
        let store: any ConfigStore
        if EtcdStoreURL.isEtcd(config.store) {
            store = try EtcdConfigStore(
                url: EtcdStoreURL(parsing: config.store), environment: ProcessInfo.processInfo.environment,
                logger: logger)
        } else {
            store = try DescriptorStore(directory: config.store)
        }
        let control = try GatewayControl(
            config: config, store: store, invoker: invoker, metrics: metrics, logger: logger)
        handler = GatewayHandler(
            config: config, control: control, invoker: invoker, metrics: metrics, logger: logger,
            eventLoopGroup: group, authenticators: authenticators, tracer: tracer)
    }

    /// Loads the keys of every auth policy: a key that cannot be read keeps the gateway from starting.
    static func authenticators(_ config: GatewayConfig, environment: [String: String]) throws(GatewayError)
        -> [String: TokenAuthenticator]
    {
        var authenticators: [String: TokenAuthenticator] = [:]
        for (name, policy) in config.auth {
            do {
                authenticators[name] = try TokenAuthenticator(name: name, policy: policy, environment: environment)
            } catch {
                throw .config(error)
            }
        }
        return authenticators
    }

    /// Serves until cancelled or until graceful shutdown is triggered, then stops accepting connections and
    /// lets in-flight requests finish.
    public func run() async throws {
        await handler.invoker.servicesChanged(handler.holder.snapshot.services)
        let quiesce = ServerQuiescingHelper(group: group)
        let handler = self.handler
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configureDataPlane(channel.pipeline.syncOperations)
                }
            }
        let channel = try await bootstrap.bind(host: config.listen.host, port: config.listen.port).get()
        let boundPort = channel.localAddress?.port ?? 0
        port.withLock { $0 = boundPort }
        let etcd = handler.control.store as? EtcdConfigStore
        if let etcd {
            let control = handler.control
            etcd.start { await control.storeChanged() }
            etcd.startDiscovery { await control.discoveryChanged() }
            etcd.register(id: memberID(port: boundPort), listen: "\(config.listen.host):\(boundPort)")
        }
        handler.ready.store(true, ordering: .releasing)
        logger.info("gateway listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        let group = self.group
        let drained = Mutex<EventLoopFuture<Void>?>(nil)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                // Not graceful: stop listening and close idle connections; nothing is waited for.
                quiesce.initiateShutdown(promise: nil)
            }
        } onGracefulShutdown: {
            handler.ready.store(false, ordering: .releasing)
            // Stop listening, close idle connections, let each busy one finish its request, then close it.
            let promise = group.next().makePromise(of: Void.self)
            drained.withLock { $0 = promise.futureResult }
            quiesce.initiateShutdown(promise: promise)
        }
        if let future = drained.withLock({ $0 }) { try? await future.get() }
        handler.ready.store(false, ordering: .releasing)
        await etcd?.shutdown()
    }

    /// How this gateway names itself among the fleet's members: host name, port and process id.
    private func memberID(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        return "\(host.isEmpty ? "gateway" : host)-\(port)-\(getpid())"
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

extension GatewayServer {
    /// Adds the data plane's handlers (HTTP/1.1 codec with pipelining, the gateway's connection handler) to a
    /// channel's pipeline: what every accepted connection gets. For benchmarks that drive requests through an
    /// `EmbeddedChannel` without sockets.
    @_spi(Benchmarks)
    public func configureDataPlane(_ pipeline: ChannelPipeline.SynchronousOperations) throws {
        let handler = self.handler
        let upgrades = WebSocketUpgradeState()
        let maxMessage = handler.streamSettings.maxWebSocketMessage
        // A WebSocket upgrade to a streaming method is decided on the loop before the 101 is written: route, auth
        // and mapping refusals are answered as HTTP by the connection handler instead.
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxMessage, automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                if let (route, target) = handler.webSocketProxy(head) {
                    return handler.dialWebSocketProxy(route, target: target, head: head, channel: channel).map {
                        result -> HTTPHeaders? in
                        switch result {
                        case .failure(let refusal):
                            upgrades.refusal = refusal
                            return nil
                        case .success(let proxied):
                            upgrades.proxy = proxied
                            var headers = HTTPHeaders()
                            if let chosen = proxied.backend.subprotocol {
                                headers.add(name: "Sec-WebSocket-Protocol", value: chosen)
                            }
                            headers.add(name: "X-Request-Id", value: proxied.requestID)
                            return headers
                        }
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    switch handler.webSocketSession(head) {
                    case nil:
                        return nil
                    case .failure(let refusal):
                        upgrades.refusal = refusal
                        return nil
                    case .success(let session):
                        upgrades.session = session
                        var headers = HTTPHeaders()
                        if let chosen = session.chosenProtocol { headers.add(name: "Sec-WebSocket-Protocol", value: chosen) }
                        headers.add(name: "X-Request-Id", value: session.prepared.call.requestID)
                        return headers
                    }
                }
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    if let proxied = upgrades.proxy {
                        upgrades.proxy = nil
                        try handler.startWebSocketProxy(proxied, client: channel)
                        return
                    }
                    guard let session = upgrades.session else { throw ChannelError.inappropriateOperationForState }
                    upgrades.session = nil
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096,
                            maxAccumulatedFrameSize: maxMessage))
                    try operations.addHandler(WebSocketBridge(gateway: handler, session: session))
                }
            })
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    _ = context.pipeline.syncOperations.removeHandler(name: HTTPConnectionHandler.name)
                }
            ),
            withErrorHandling: true)
        try pipeline.addHandler(HTTPConnectionHandler(gateway: handler, upgrades: upgrades), name: HTTPConnectionHandler.name)
    }
}
