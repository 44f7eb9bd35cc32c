import HTTPTypes
import Hummingbird
import NIOCore

extension GatewayHandler {
    /// Whether the async path serves this request as the console or the OpenAPI document.
    func isConsoleRequest(method: HTTPRequest.Method, path: String) -> Bool {
        console.handles(method: method.rawValue, path: path)
    }

    /// `GET /openapi.json` (the document of the current snapshot) and `GET /console` (the page), behind the admin
    /// token when the admin API has one.
    func consoleResponse(_ request: Request, path: String) -> Response {
        guard console.authorized(request.headers[.authorization]) else {
            var error = GatewayError(
                code: "UNAUTHENTICATED", status: 401,
                "the console and /openapi.json need the admin token (Authorization: Bearer <token>, or as the "
                    + "password of Basic credentials)")
            error.headers = [("WWW-Authenticate", "Basic realm=\"portico-console\", Bearer realm=\"portico-admin\"")]
            return Self.response(error)
        }
        if path == ConsoleEndpoints.documentPath {
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: console.document(for: holder.snapshot)))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: ConsolePage.contentSecurityPolicy,
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ConsolePage.html)))
    }
}
