import NIOCore

/// What one event loop holds of an ``RPCClient``: its own connection pool per endpoint (default TCP transport),
/// touched only from that loop.
final class LoopClient: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// One pool per endpoint, in endpoint order; empty when the client's calls do not run on loop connections
    /// (gRPC, a transport other than the default TCP one).
    let pools: [LoopEndpointPool]
    /// One HTTP/2 pool per endpoint for gRPC backends on TCP; empty otherwise.
    let grpcPools: [LoopGRPCPool]

    init(
        eventLoop: any EventLoop, configuration: BackendConfiguration, onLoopConnections: Bool,
        tls: GRPCTLSContext? = nil
    ) {
        self.eventLoop = eventLoop
        if configuration.framing == .grpc, configuration.transport == .tcp {
            var grpcConfiguration = GRPCLoopConfiguration()
            grpcConfiguration.tls = tls
            grpcPools = configuration.endpoints.map {
                LoopGRPCPool(
                    endpoint: $0, eventLoop: eventLoop, maxConnections: 8, connectTimeout: configuration.connectTimeout,
                    configuration: grpcConfiguration)
            }
        } else {
            grpcPools = []
        }
        guard onLoopConnections else {
            pools = []
            return
        }
        pools = configuration.endpoints.map {
            LoopEndpointPool(
                endpoint: $0, eventLoop: eventLoop, codec: configuration.codec,
                multiplexed: configuration.framing == .ttheader,
                maxConnections: configuration.maxConnectionsPerEndpoint,
                maxConcurrentPerConnection: configuration.maxConcurrentPerConnection,
                connectTimeout: configuration.connectTimeout)
        }
    }

    /// Metric series of successful calls by method, cached on this loop (no lock).
    private var successMetricsByMethod: [String: CallMetrics.SuccessHandles] = [:]

    func successMetrics(_ metrics: CallMetrics, method: String) -> CallMetrics.SuccessHandles {
        if let handles = successMetricsByMethod[method] { return handles }
        let handles = metrics.successHandles(method: method)
        if successMetricsByMethod.count < 4096 { successMetricsByMethod[method] = handles }
        return handles
    }

    func shutDown() {
        for pool in pools { pool.shutDown() }
        for pool in grpcPools { pool.shutDown() }
    }
}

/// A call started with ``RPCClient/start(_:options:on:completion:)``.
public struct CallHandle: Sendable {
    let call: LoopCall

    /// Ends the call with CANCELLED_BY_CALLER unless it already ended (its completion then runs with that error).
    /// Safe from any thread; the cancellation happens on the call's event loop.
    public func cancel() {
        let call = self.call
        if call.eventLoop.inEventLoop {
            call.cancel()
        } else {
            call.eventLoop.execute { call.cancel() }
        }
    }
}
