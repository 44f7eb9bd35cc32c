import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension EventSourceClient.Updates.Iterator {
    /// The body of an accepted response, read chunk by chunk. Dropping it closes the connection.
    struct Connection {
        var body: HTTPClientResponse.Body.AsyncIterator
    }

    /// One attempt: sends the request and accepts the response, or decides to stop or reconnect.
    mutating func connect() async {
        let configuration = client.configuration
        var request = HTTPClientRequest(url: configuration.url)
        request.method = HTTPMethod(rawValue: configuration.method)
        request.headers = requestHeaders()
        if let body = configuration.body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do {
            response = try await client.httpClient.execute(
                request, deadline: .now() + TimeAmount(configuration.connectTimeout))
        } catch {
            if Task.isCancelled {
                step = .done
            } else if let refusal = Self.refusal(error, url: configuration.url) {
                step = .fail(refusal)
            } else {
                scheduleReconnect(reason: "cannot connect: \(Self.describe(error))", failed: true)
            }
            return
        }
        if let refusal = Self.refusal(response, url: configuration.url) {
            // The unread body is dropped with the response, which closes the connection.
            step = .fail(refusal)
            return
        }
        failures = 0
        connection = Connection(body: response.body.makeAsyncIterator())
        pending.append(.connected(reconnect: reconnects))
        step = .read
    }

    /// Reads one chunk and parses it, or handles the end of the stream.
    mutating func read() async {
        guard var current = connection else {
            step = .connect
            return
        }
        let chunk: ByteBuffer?
        do {
            chunk = try await current.body.next()
        } catch {
            if Task.isCancelled {
                step = .done
            } else {
                scheduleReconnect(reason: "the connection dropped: \(Self.describe(error))", failed: true)
            }
            return
        }
        guard let chunk else {
            if Task.isCancelled {
                step = .done
            } else {
                scheduleReconnect(reason: "the server ended the stream", failed: false)
            }
            return
        }
        connection = current
        do throws(EventSourceError) {
            for output in try parser.feed(chunk.readableBytesView) {
                switch output {
                case .event(let event): pending.append(.event(event))
                case .comment(let text): pending.append(.comment(text))
                }
            }
        } catch {
            step = .fail(error)
        }
    }

    /// The configured headers plus the ones an event stream needs; `Last-Event-ID` is the parser's.
    func requestHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in client.configuration.headers
        where name.caseInsensitiveCompare("Last-Event-ID") != .orderedSame {
            headers.add(name: name, value: value)
        }
        if !headers.contains(name: "Accept") { headers.add(name: "Accept", value: "text/event-stream") }
        if !headers.contains(name: "Cache-Control") { headers.add(name: "Cache-Control", value: "no-cache") }
        if !parser.lastEventID.isEmpty { headers.add(name: "Last-Event-ID", value: parser.lastEventID) }
        return headers
    }

    /// Why a response ends the stream for good (the spec's "fail the connection"), or nil when it is accepted.
    static func refusal(_ response: HTTPClientResponse, url: String) -> EventSourceError? {
        let status = Int(response.status.code)
        var details = ["status": String(status), "url": url]
        if status == 204 {
            return EventSourceError(
                .noContent, "\(url) answered 204 No Content: the server asks the client to stop reconnecting",
                details: details)
        }
        guard status == 200 else {
            return EventSourceError(
                .badStatus,
                "\(url) answered \(status) \(response.status.reasonPhrase), not 200; an event stream is not "
                    + "reconnected after that (check the URL, method and credentials)",
                details: details)
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        details["content_type"] = contentType
        guard isEventStream(contentType) else {
            let shown = contentType.isEmpty ? "no Content-Type" : "Content-Type \(contentType)"
            return EventSourceError(
                .badContentType,
                "\(url) answered with \(shown), not text/event-stream; is this an SSE endpoint (some servers need "
                    + "Accept: text/event-stream)?",
                details: details)
        }
        return nil
    }

    /// `text/event-stream`, in any case, with or without parameters such as `charset`.
    static func isEventStream(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "text/event-stream"
    }

    /// A request AsyncHTTPClient refuses to send: retrying it cannot help.
    static func refusal(_ error: any Error, url: String) -> EventSourceError? {
        guard let error = error as? HTTPClientError else { return nil }
        switch error {
        case .invalidURL, .emptyHost, .emptyScheme:
            return EventSourceError(.invalidRequest, "cannot request \(url): \(error)", details: ["url": url])
        default:
            // The scheme and the header names were checked when the client was made.
            return nil
        }
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }
}
