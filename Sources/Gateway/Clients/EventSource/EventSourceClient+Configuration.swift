extension EventSourceClient {
    /// What to request and how to keep the stream going.
    public struct Configuration: Sendable {
        /// An `http` or `https` URL.
        public var url: String
        /// `GET` by default; `POST` (with a ``body``) for APIs that stream the answer to a request.
        public var method: String = "GET"
        /// Extra request headers. `Accept: text/event-stream` and `Cache-Control: no-cache` are added unless given
        /// here; `Last-Event-ID` is always the client's own.
        public var headers: [(name: String, value: String)] = []
        /// The request body, sent again on every reconnect.
        public var body: [UInt8]?
        /// The last event ID to send on the first request (to resume a stream seen earlier); empty sends none.
        public var lastEventID: String = ""
        /// How long to wait before reconnecting until the server sets a time with `retry:`.
        public var reconnectionTime: Duration = .seconds(3)
        /// The longest wait between attempts once consecutive failures have doubled it (never below the
        /// reconnection time itself).
        public var maxReconnectionDelay: Duration = .seconds(30)
        /// How many reconnects the client makes in all before it gives up; nil reconnects forever.
        public var maxReconnects: Int?
        /// The most bytes one event's data plus the line being read may take before the stream fails with
        /// ``EventSourceError/Code/eventTooLarge``.
        public var maxEventSize: Int = 1 << 20
        /// Report comment lines (keep-alives) as ``EventSourceClient/Update/comment(_:)``.
        public var includeComments: Bool = false
        /// How long connecting and receiving the response head may take before the attempt counts as failed.
        public var connectTimeout: Duration = .seconds(30)

        public init(url: String) {
            self.url = url
        }
    }
}
