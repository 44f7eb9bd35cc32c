import DynamicCodec
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
            // Serving needs the listener and the store's content; writes also need the store to answer. A gateway
            // that lost its shared store stays ready (it serves its last snapshot) and says why writes fail.
            let store = control.storeStatus()
            let isReady = ready.load(ordering: .acquiring) && store.loaded
            let snapshot = holder.snapshot
            var fields = [
                "\"status\":\"\(isReady ? "ready" : "not ready")\"", "\"services\":\(snapshot.services.count)",
                "\"routes\":\(snapshot.table.routes.count)", "\"generation\":\(snapshot.generation)",
                "\"store\":\(JSONString.quoted(control.store.location))", "\"store_loaded\":\(store.loaded)",
                "\"writes\":\"\(store.writesRefused == nil ? "accepted" : "refused")\"",
            ]
            if let reason = store.writesRefused { fields.append("\"reason\":\(JSONString.quoted(reason))") }
            if let problem = store.applyProblem { fields.append("\"store_problem\":\(JSONString.quoted(problem))") }
            return GatewayResponse.json("{" + fields.joined(separator: ",") + "}", status: isReady ? 200 : 503)
        case "/metrics":
            return GatewayResponse(
                status: 200, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ByteBuffer(bytes: metrics.exposition()))
        default:
            return nil
        }
    }
}
