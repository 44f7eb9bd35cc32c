import GenericCall
import NIOWebSocket

/// How a bridged session ends: the status frame (`{"status": <error JSON of shared/specs/errors.md>}`) and the
/// Close frame's code. The code follows the status: OK 1000; a request the server refused as invalid (invalid
/// argument and its kinds, failed precondition, unauthenticated, permission denied) 1008; resource exhausted or a
/// message too large 1009; unavailable 1013; anything else 1011. The reserved codes 1005, 1006 and 1015 are never
/// sent.
struct WebSocketStatus {
    /// The JSON of the status frame's `status` member.
    var body: String
    var code: String
    /// The HTTP status the code has elsewhere (metrics and logs count sessions by it).
    var httpStatus: Int
    var closeCode: WebSocketErrorCode

    /// The call completed.
    static let ok = WebSocketStatus(
        body: "{\"code\":\"OK\",\"message\":\"\",\"details\":{\"grpc_code\":\"0\",\"grpc_status\":\"OK\"}}", code: "OK",
        httpStatus: 200, closeCode: .normalClosure)

    /// The call, or the session, failed with `error`.
    init(_ error: GatewayError, closeCode: WebSocketErrorCode? = nil) {
        body = error.body
        code = error.code
        httpStatus = error.status
        self.closeCode = closeCode ?? Self.closeCode(for: error.code)
    }

    /// A backend failure; RETRY_EXHAUSTED closes as its last attempt's code would.
    init(_ error: CallError) {
        var last = error.code
        while case .retryExhausted(let box) = last { last = box.code }
        self.init(GatewayError(error), closeCode: Self.closeCode(for: last.name))
    }

    private init(body: String, code: String, httpStatus: Int, closeCode: WebSocketErrorCode) {
        self.body = body
        self.code = code
        self.httpStatus = httpStatus
        self.closeCode = closeCode
    }

    /// The close code for a code of the taxonomy (gRPC status names included).
    static func closeCode(for code: String) -> WebSocketErrorCode {
        switch code {
        case "OK":
            .normalClosure
        case "INVALID_ARGUMENT", "INVALID_JSON", "MISSING_REQUIRED_FIELD", "UNKNOWN_FIELD", "FAILED_PRECONDITION",
            "OUT_OF_RANGE", "UNAUTHENTICATED", "PERMISSION_DENIED":
            .policyViolation
        case "RESOURCE_EXHAUSTED", "PAYLOAD_TOO_LARGE":
            .messageTooLarge
        case "UNAVAILABLE", "CONNECT_TIMEOUT":
            .unknown(1013)
        default:
            .unexpectedServerError
        }
    }

    /// The status frame's text.
    var frameText: String { "{\"status\":" + body + "}" }

    /// The Close frame's reason: the code, which fits the 123 bytes a reason may take.
    var reason: String { String(code.prefix(123)) }
}
