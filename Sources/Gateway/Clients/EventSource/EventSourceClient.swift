public import AsyncHTTPClient
import Foundation

/// A Server-Sent Events client on AsyncHTTPClient: requests a `text/event-stream`, parses it with
/// ``EventSourceParser`` and keeps it going the way a browser's `EventSource` does — reconnecting after the
/// reconnection time (the server's `retry:` or ``Configuration/reconnectionTime``) with `Last-Event-ID`, backing off
/// with jitter while attempts keep failing, and stopping for good on a status other than 200 (204 included) or a
/// content type other than `text/event-stream`.
///
/// ```swift
/// var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:8080/v1/inventory/dune:watch")
/// configuration.maxReconnects = 10
/// for try await event in try EventSourceClient(configuration).events() {
///     print(event.id, event.event, event.data)
/// }
/// ```
///
/// Nothing happens until a sequence is iterated; each iteration is a stream of its own. Cancelling the iterating
/// task, or leaving the loop, closes the connection and ends the sequence without an error.
public struct EventSourceClient: Sendable {
    public let configuration: Configuration
    let httpClient: HTTPClient

    /// Checks the configuration; the connection opens when a sequence is iterated.
    ///
    /// - Parameter httpClient: the client to connect with (``defaultHTTPClient`` unless given). Its read timeout
    ///   decides how long a silent stream lasts before it counts as dropped; a client that retries failed connects
    ///   itself (AsyncHTTPClient's default) hides those failures from the event source's backoff until its connect
    ///   timeout.
    public init(_ configuration: Configuration, httpClient: HTTPClient = defaultHTTPClient) throws(EventSourceError) {
        guard let url = URL(string: configuration.url), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw .invalidRequest("\(configuration.url.debugDescription) is not an http:// or https:// URL with a host")
        }
        guard Self.isToken(configuration.method) else {
            throw .invalidRequest("\(configuration.method.debugDescription) is not an HTTP method name")
        }
        for (name, value) in configuration.headers {
            guard Self.isToken(name) else {
                throw .invalidRequest("\(name.debugDescription) is not a valid header name")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("the value of header \(name) contains a line break or NUL")
            }
        }
        guard configuration.maxEventSize > 0 else {
            throw .invalidRequest("maxEventSize must be at least 1 byte")
        }
        self.configuration = configuration
        self.httpClient = httpClient
    }

    /// Everything that happens on the stream: connections, events, comments, waits before reconnecting.
    public func updates() -> Updates { Updates(client: self) }

    /// Only the events.
    public func events() -> Events { Events(updates: updates()) }

    /// The events of a stream, reconnecting as needed; throws ``EventSourceError`` when it stops for good.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = EventSourceEvent
        public typealias Failure = EventSourceError
        let updates: Updates

        public func makeAsyncIterator() -> Iterator { Iterator(updates: updates.makeAsyncIterator()) }

        public struct Iterator: AsyncIteratorProtocol {
            public typealias Element = EventSourceEvent
            public typealias Failure = EventSourceError
            var updates: Updates.Iterator

            public mutating func next() async throws(EventSourceError) -> EventSourceEvent? {
                while let update = try await updates.next() {
                    if case .event(let event) = update { return event }
                }
                return nil
            }
        }
    }

    /// RFC 9110 token characters: what a method or header name may be made of.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}
