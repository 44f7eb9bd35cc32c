extension EventSourceClient {
    /// What happens on a stream, in order: connections, events, comments and waits before reconnecting.
    public enum Update: Sendable, Hashable {
        /// A response was accepted (200, `text/event-stream`); `reconnect` is 0 for the first connection.
        case connected(reconnect: Int)
        /// An event.
        case event(EventSourceEvent)
        /// A comment line (only with ``Configuration/includeComments``).
        case comment(String)
        /// The connection ended (`reason` says how) and the client waits `delay` before reconnect number
        /// `reconnect`.
        case reconnecting(reconnect: Int, delay: Duration, reason: String)
    }
}
