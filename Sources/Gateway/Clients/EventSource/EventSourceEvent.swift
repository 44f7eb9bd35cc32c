/// One event of a Server-Sent Events stream, as the WHATWG HTML spec dispatches it.
public struct EventSourceEvent: Sendable, Hashable, CustomStringConvertible {
    /// The last event ID when the event was dispatched: set by this event's `id:` field or kept from an earlier
    /// one (empty when the stream never set one, or reset it with an empty `id:`).
    public var id: String
    /// The event type: the `event:` field, or `message` when the event had none.
    public var event: String
    /// The `data:` lines, joined with LF.
    public var data: String
    /// The reconnection time in milliseconds a `retry:` field of this event's block set, if any (the client applies
    /// it either way; this only reports it).
    public var retry: Int?

    public init(id: String = "", event: String = "message", data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    public var description: String {
        "EventSourceEvent(id: \(id.debugDescription), event: \(event.debugDescription), data: \(data.debugDescription)"
            + (retry.map { ", retry: \($0)" } ?? "") + ")"
    }
}
