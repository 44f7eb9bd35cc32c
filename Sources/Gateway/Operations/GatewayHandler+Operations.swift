import HTTPTypes
import Hummingbird
import NIOCore

extension GatewayHandler {
    /// `/healthz` (the process serves), `/readyz` (listening, routes loaded, not shutting down) and `/metrics`
    /// (Prometheus text). Nil for any other path.
    func operations(method: HTTPRequest.Method, path: String) -> GatewayResponse? {
        guard method == .get || method == .head else { return nil }
        switch path {
        case "/healthz":
            return GatewayResponse.json("{\"status\":\"ok\"}")
        case "/readyz":
            let isReady = ready.load(ordering: .acquiring)
            let snapshot = holder.snapshot
            return GatewayResponse.json(
                "{\"status\":\"\(isReady ? "ready" : "not ready")\",\"services\":\(snapshot.services.count),"
                    + "\"routes\":\(snapshot.table.routes.count),\"generation\":\(snapshot.generation)}",
                status: isReady ? 200 : 503)
        case "/metrics":
            return GatewayResponse(
                status: 200, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ByteBuffer(bytes: metrics.exposition()))
        default:
            return nil
        }
    }
}
