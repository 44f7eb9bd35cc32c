public import DynamicCodec
public import GenericCall

/// A failure the gateway answers with: a stable code, an HTTP status and the JSON body of
/// shared/specs/errors.md (`{"code": ..., "message": ..., "details": {...}}`). Backend failures keep the
/// ``CallError`` they came from; codec failures map to the taxonomy.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let status: Int
    public let message: String
    /// The JSON body.
    public let body: String
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: [(String, String)] = []

    /// An error of the taxonomy.
    public init(_ error: CallError) {
        code = error.code.name
        status = error.httpStatus
        message = error.message
        body = error.json()
    }

    /// A gateway error outside the backend call: admin API, limits.
    public init(code: String, status: Int, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        var text = "{\"code\":" + JSONString.quoted(code) + ",\"message\":" + JSONString.quoted(message)
        if !details.isEmpty {
            text += ",\"details\":{"
            text += details.keys.sorted().map { JSONString.quoted($0) + ":" + JSONString.quoted(details[$0]!) }
                .joined(separator: ",")
            text += "}"
        }
        body = text + "}"
    }

    /// A request that could not be mapped (`reply: false`) or a reply that could not be (`reply: true`), with
    /// GenericCall's mapping of codec errors to the taxonomy.
    public init(_ error: CodecError, reply: Bool = false) {
        self.init(CallError(error, reply: reply))
    }

    public var description: String { "\(code) (\(status)): \(message)" }

    /// Details of a descriptor error: where in the IDL, the field, the byte offset.
    static func details(of error: CodecError) -> [String: String] {
        var details: [String: String] = [:]
        let routing = error.code == .routeNotFound || error.code == .methodNotFound
        if let path = error.path, !path.isEmpty { details[routing ? "path" : "field"] = path }
        if let offset = error.offset { details["offset"] = String(offset) }
        if let location = error.location { details["location"] = location.description }
        if !routing { details["codec_code"] = error.code.rawValue }
        return details
    }
}

extension GatewayError {
    static func notFound(_ what: String) -> GatewayError {
        GatewayError(code: "NOT_FOUND", status: 404, what)
    }

    static func invalidArgument(_ message: String, details: [String: String] = [:]) -> GatewayError {
        GatewayError(code: "INVALID_ARGUMENT", status: 400, message, details: details)
    }

    static func failedPrecondition(_ message: String) -> GatewayError {
        GatewayError(code: "FAILED_PRECONDITION", status: 400, message)
    }

    static func payloadTooLarge(limit: Int) -> GatewayError {
        GatewayError(
            code: "PAYLOAD_TOO_LARGE", status: 413, "the request body is larger than \(limit) bytes",
            details: ["limit": String(limit)])
    }

    static func config(_ error: ConfigError) -> GatewayError {
        invalidArgument(error.description, details: error.keyPath.isEmpty ? [:] : ["key": error.keyPath])
    }
}
