import HTTPTypes
import Hummingbird
import NIOCore

/// A whole response the gateway answers with: status, headers, body bytes. The event-loop path writes it to the
/// channel; the async path (admin, streams, in-process tests) turns it into a Hummingbird `Response`.
struct GatewayResponse: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: ByteBuffer
    /// The error code of an error response (for traces and the access log).
    var code: String?

    init(status: Int, headers: HTTPFields = HTTPFields(), body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static let jsonType = "application/json"

    /// The error body of shared/specs/errors.md with the error's status and headers.
    init(_ error: GatewayError) {
        var headers = HTTPFields()
        headers[.contentType] = Self.jsonType
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        self.init(status: error.status, headers: headers, body: ByteBuffer(string: error.body))
        code = error.code
    }

    static func json(_ text: String, status: Int = 200) -> GatewayResponse {
        GatewayResponse(status: status, headers: [.contentType: jsonType], body: ByteBuffer(string: text))
    }

    var hummingbird: Response {
        Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
