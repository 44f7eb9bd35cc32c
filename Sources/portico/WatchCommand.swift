import ArgumentParser
import DynamicCodec
import Foundation
import Gateway

/// `portico watch URL`: follows a Server-Sent Events stream the way a browser's EventSource does, printing each
/// event as one JSON line.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a Server-Sent Events stream and print each event as a JSON line.",
        discussion: """
            Each event is printed to standard output as {"id":...,"event":...,"data":...}, plus "retry" (ms) when \
            the event's block set one; data stays a string. Connections, reconnects and their reasons go to \
            standard error.

            The client reconnects after the reconnection time (the server's retry: or --retry) with Last-Event-ID, \
            backing off while attempts fail. It stops for good on a status other than 200 (204 included) or a \
            Content-Type other than text/event-stream: the error is printed as "portico: error: CODE: message" and \
            the exit status is 1.

            Examples:
              portico watch http://127.0.0.1:8080/v1/inventory/dune-1965:watch --count 5
              portico watch https://example.test/stream -H 'Authorization: Bearer T' --last-event-id 41
              portico watch http://127.0.0.1:8080/inventory.v1.Inventory/Relay -d @requests.ndjson
            """
    )

    @Argument(help: "The http:// or https:// URL of the stream.")
    var url: String

    @Option(help: "The request method (default GET, or POST when --data is given).")
    var method: String?

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(name: [.customShort("d"), .customLong("data")], help: "The request body; @FILE reads it from a file.")
    var data: String?

    @Option(name: .customLong("last-event-id"), help: "Resume after this event id (sent as Last-Event-ID).")
    var lastEventID: String?

    @Option(help: "The reconnection time in milliseconds until the server sets one with retry:.")
    var retry: Int = 3000

    @Option(name: .customLong("max-reconnects"), help: "Give up after this many reconnects (default: never).")
    var maxReconnects: Int?

    @Option(help: "Exit after this many events.")
    var count: Int?

    @Flag(name: .customLong("include-comments"), help: "Print comment lines (keep-alives) as {\"comment\":...}.")
    var includeComments = false

    @Option(name: .customLong("max-event-size"), help: "The largest event accepted, in bytes.")
    var maxEventSize: Int = 1 << 20

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if retry < 0 { throw ValidationError("--retry must be 0 or more milliseconds") }
        if let maxReconnects, maxReconnects < 0 { throw ValidationError("--max-reconnects must be 0 or more") }
        if maxEventSize < 1 { throw ValidationError("--max-event-size must be at least 1") }
        for header in headers where Self.header(header) == nil {
            throw ValidationError("--header \(header.debugDescription) is not 'Name: value'")
        }
    }

    func run() async throws {
        do {
            let client = try EventSourceClient(try makeConfiguration())
            var events = 0
            for try await update in client.updates() {
                switch update {
                case .connected(let reconnect):
                    Self.diagnose(reconnect == 0 ? "connected to \(url)" : "reconnected (reconnect \(reconnect))")
                case .reconnecting(let reconnect, let delay, let reason):
                    let milliseconds =
                        delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                    Self.diagnose("\(reason); reconnect \(reconnect) in \(milliseconds) ms")
                case .comment(let text):
                    writeStandardOutput(Array(("{\"comment\":" + JSONString.quoted(text) + "}\n").utf8))
                case .event(let event):
                    writeStandardOutput(Array((Self.line(event) + "\n").utf8))
                    events += 1
                    if let count, events >= count { return }
                }
            }
        } catch let error as EventSourceError {
            FileHandle.standardError.write(Data("portico: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// One event as a JSON object with its keys always in this order.
    static func line(_ event: EventSourceEvent) -> String {
        var text = "{\"id\":" + JSONString.quoted(event.id) + ",\"event\":" + JSONString.quoted(event.event)
        text += ",\"data\":" + JSONString.quoted(event.data)
        if let retry = event.retry { text += ",\"retry\":\(retry)" }
        return text + "}"
    }

    func makeConfiguration() throws -> EventSourceClient.Configuration {
        var configuration = EventSourceClient.Configuration(url: url)
        configuration.headers = headers.compactMap(Self.header)
        if let data {
            if data.hasPrefix("@") {
                let path = String(data.dropFirst())
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw EventSourceError(.invalidRequest, "cannot read the request body from \(path)")
                }
                configuration.body = [UInt8](contents)
            } else {
                configuration.body = Array(data.utf8)
            }
        }
        configuration.method = method ?? (data == nil ? "GET" : "POST")
        configuration.lastEventID = lastEventID ?? ""
        configuration.reconnectionTime = .milliseconds(retry)
        configuration.maxReconnects = maxReconnects
        configuration.includeComments = includeComments
        configuration.maxEventSize = maxEventSize
        return configuration
    }

    /// `Name: value` split at the first colon, both sides trimmed.
    static func header(_ text: String) -> (name: String, value: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        return (name, text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    static func diagnose(_ message: String) {
        FileHandle.standardError.write(Data("portico watch: \(message)\n".utf8))
    }
}
