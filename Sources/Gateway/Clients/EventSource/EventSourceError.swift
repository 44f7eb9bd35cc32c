/// The one error type of the SSE client: a stable machine-readable ``code``, a message a person can act on, and
/// what was received (the HTTP status, the byte offset in the stream) in ``details``.
///
/// Codes never change once published, so callers may switch on them.
public struct EventSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code such as `SSE_BAD_STATUS`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server answered 204 No Content: it asks the client to stop reconnecting.
        public static let noContent = Code(rawValue: "SSE_NO_CONTENT")
        /// The server answered with a status other than 200 (after redirects); the client does not reconnect.
        public static let badStatus = Code(rawValue: "SSE_BAD_STATUS")
        /// A 200 answer whose `Content-Type` is not `text/event-stream`; the client does not reconnect.
        public static let badContentType = Code(rawValue: "SSE_BAD_CONTENT_TYPE")
        /// One event (its data plus the line being read) grew past the configured maximum event size.
        public static let eventTooLarge = Code(rawValue: "SSE_EVENT_TOO_LARGE")
        /// The connection failed (or dropped) and the configured number of reconnects was used up.
        public static let connectionFailed = Code(rawValue: "SSE_CONNECTION_FAILED")
        /// The configuration cannot make a request: a URL that is not http(s), a bad method or header.
        public static let invalidRequest = Code(rawValue: "SSE_INVALID_REQUEST")
    }

    /// The stable code.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// What the client saw: `status`, `content_type`, `offset`, `limit`, `url`, `reconnects`.
    public let details: [String: String]

    public init(_ code: Code, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The HTTP status of a refused response, when there was one.
    public var status: Int? { details["status"].flatMap { Int($0) } }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension EventSourceError {
    @inline(never)
    static func eventTooLarge(limit: Int, offset: Int) -> EventSourceError {
        EventSourceError(
            .eventTooLarge,
            "an event is larger than the \(limit)-byte limit (stream byte offset \(offset)); raise maxEventSize if "
                + "the server really sends events this large",
            details: ["limit": String(limit), "offset": String(offset)])
    }

    @inline(never)
    static func invalidRequest(_ message: String) -> EventSourceError {
        EventSourceError(.invalidRequest, message)
    }
}
