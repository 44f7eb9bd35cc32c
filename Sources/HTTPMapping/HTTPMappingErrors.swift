public import DynamicCodec
extension CodecError.Code {
    /// No route matches the request's method and path (HTTP 404).
    public static let routeNotFound = CodecError.Code(rawValue: "ROUTE_NOT_FOUND")
    /// A generic `POST /{package.Service}/{Method}` route names a method no loaded service has (HTTP 404).
    public static let methodNotFound = CodecError.Code(rawValue: "METHOD_NOT_FOUND")
    /// A value taken from the HTTP request does not fit its field (HTTP 400). The error's path names the HTTP part:
    /// `path parameter 'shelf'`, `query parameter 'page_size'`, `header 'X-Request-Id'`, `cookie 'session'`,
    /// `form field 'stars'`, `body`.
    public static let invalidArgument = CodecError.Code(rawValue: "INVALID_ARGUMENT")
    /// A reply that cannot be mapped back to HTTP with the method's descriptor (HTTP 502).
    public static let badBackendReply = CodecError.Code(rawValue: "BAD_BACKEND_REPLY")
}

/// The part of an HTTP request a value came from, used to name it in errors.
enum HTTPSource: Sendable, Hashable, CustomStringConvertible {
    case path(String)
    case query(String)
    case header(String)
    case cookie(String)
    case form(String)
    case bodyKey(String)
    case body
    case requestPath

    var description: String {
        switch self {
        case .path(let name): "path parameter '\(name)'"
        case .query(let name): "query parameter '\(name)'"
        case .header(let name): "header '\(name)'"
        case .cookie(let name): "cookie '\(name)'"
        case .form(let name): "form field '\(name)'"
        case .bodyKey(let name): "body key '\(name)'"
        case .body: "body"
        case .requestPath: "request path"
        }
    }
}

extension CodecError {
    @inline(never)
    static func invalidArgument(_ source: HTTPSource, _ problem: String) -> CodecError {
        CodecError(.invalidArgument, "\(source): \(problem)", path: source.description)
    }

    @inline(never)
    static func missingArgument(_ source: HTTPSource, field: String) -> CodecError {
        CodecError(
            .missingRequiredField, "required field '\(field)' is missing: expected in the \(source)",
            path: source.description)
    }
}
