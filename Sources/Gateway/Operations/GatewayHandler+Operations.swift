import HTTPTypes
import Hummingbird
import NIOCore

extension GatewayHandler {
    /// `/healthz` (the process serves), `/readyz` (listening, routes loaded, not shutting down) and `/metrics`
    /// (Prometheus text). Nil for any other path.
    func operations(_ request: Request, path: String) -> Response? {
        guard request.method == .get || request.method == .head else { return nil }
        switch path {
        case "/healthz":
            return Self.json("{\"status\":\"ok\"}")
        case "/readyz":
            let isReady = ready.load(ordering: .acquiring)
            let snapshot = holder.snapshot
            return Self.json(
                "{\"status\":\"\(isReady ? "ready" : "not ready")\",\"services\":\(snapshot.services.count),"
                    + "\"routes\":\(snapshot.table.routes.count),\"generation\":\(snapshot.generation)}",
                status: isReady ? 200 : 503)
        case "/metrics":
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        default:
            return nil
        }
    }
}
