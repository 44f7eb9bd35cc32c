import Gateway
import Testing

/// The SSE parser against the WHATWG HTML spec's "event stream interpretation" rules, one rule per case, and the
/// same events however a stream is cut into chunks.
@Suite struct EventSourceParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var stream: [UInt8]
        var events: [EventSourceEvent]
        var testDescription: String { rule }

        init(_ rule: String, _ stream: String, _ events: [EventSourceEvent]) {
            self.rule = rule
            self.stream = Array(stream.utf8)
            self.events = events
        }

        init(_ rule: String, bytes: [UInt8], _ events: [EventSourceEvent]) {
            self.rule = rule
            self.stream = bytes
            self.events = events
        }
    }

    static func event(_ data: String, id: String = "", event: String = "message", retry: Int? = nil)
        -> EventSourceEvent
    {
        EventSourceEvent(id: id, event: event, data: data, retry: retry)
    }

    static let cases: [Case] = [
        Case("data lines join with LF", "data: a\ndata: b\n\n", [event("a\nb")]),
        Case("one space after the colon is removed", "data: x\n\n", [event("x")]),
        Case("only one space is removed", "data:  two\n\n", [event(" two")]),
        Case("no space after the colon", "data:x\n\n", [event("x")]),
        Case("a colon in the value stays", "data: a: b\n\n", [event("a: b")]),
        Case("a line without colon is a field with an empty value", "data\ndata\n\n", [event("\n")]),
        Case("only the last LF of the data is removed", "data: a\ndata:\n\n", [event("a\n")]),
        Case("event sets the type", "event: add\ndata: 1\n\n", [event("1", event: "add")]),
        Case("the type is message by default", "data: 1\n\n", [event("1")]),
        Case("an empty event field gives message", "event:\ndata: 1\n\n", [event("1")]),
        Case(
            "the type resets after a dispatch", "event: add\ndata: 1\n\ndata: 2\n\n",
            [event("1", event: "add"), event("2")]),
        Case(
            "a blank line with no data dispatches nothing and resets the type", "event: add\n\ndata: x\n\n",
            [event("x")]),
        Case("blank lines alone dispatch nothing", "\n\n\r\n\r\r", []),
        Case(
            "id sets the last event id, which stays", "id: 7\ndata: a\n\ndata: b\n\n",
            [event("a", id: "7"), event("b", id: "7")]),
        Case("id without data still sets the last event id", "id: 3\n\ndata: a\n\n", [event("a", id: "3")]),
        Case(
            "an id with NUL is ignored", "id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\n",
            [event("a", id: "1"), event("b", id: "1")]),
        Case(
            "an empty id resets the last event id", "id: 1\ndata: a\n\nid\ndata: b\n\n",
            [event("a", id: "1"), event("b")]),
        Case(
            "id: with nothing after it resets too", "id: 1\ndata: a\n\nid:\ndata: b\n\n",
            [event("a", id: "1"), event("b")]),
        Case("retry with digits sets the reconnection time", "retry: 2500\ndata: a\n\n", [event("a", retry: 2500)]),
        Case("retry with a letter is ignored", "retry: 25x\ndata: a\n\n", [event("a")]),
        Case("retry with a sign is ignored", "retry: -5\ndata: a\n\n", [event("a")]),
        Case("retry with a point is ignored", "retry: 1.5\ndata: a\n\n", [event("a")]),
        Case("an empty retry is ignored", "retry:\ndata: a\n\n", [event("a")]),
        Case("retry with two spaces is ignored", "retry:  5\ndata: a\n\n", [event("a")]),
        Case(
            "retry belongs to its block only", "retry: 10\ndata: a\n\ndata: b\n\n", [event("a", retry: 10), event("b")]),
        Case("unknown fields are ignored", "foo: bar\ndata: a\nDATA: no\n\n", [event("a")]),
        Case("comments are ignored", ": hi\ndata: a\n:\n\n", [event("a")]),
        Case("an incomplete event at the end is discarded", "data: a\n\ndata: b\n", [event("a")]),
        Case("an unterminated line at the end is discarded", "data: a\n\ndata: b", [event("a")]),
        Case("LF line ends", "data: a\ndata: b\n\n", [event("a\nb")]),
        Case("CR line ends", "data: a\rdata: b\r\r", [event("a\nb")]),
        Case("CRLF line ends", "data: a\r\ndata: b\r\n\r\n", [event("a\nb")]),
        Case("mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\r", [event("a\nb\nc"), event("d")]),
        Case("LF CR is two line ends", "data: a\n\rdata: b\n\n", [event("a"), event("b")]),
        Case("a leading BOM is dropped", "\u{FEFF}data: a\n\n", [event("a")]),
        Case("only one BOM is dropped", "\u{FEFF}\u{FEFF}data: a\n\n", []),
        Case("a BOM later is text", "data: \u{FEFF}a\n\n", [event("\u{FEFF}a")]),
        Case("UTF-8 text", "event: é\ndata: héllo 🌍\n\n", [event("héllo 🌍", event: "é")]),
        Case("bytes that only start like a BOM are text", bytes: [0xEF, 0xBB] + Array("data: a\n\n".utf8), []),
        Case(
            "invalid UTF-8 becomes U+FFFD", bytes: Array("data: ".utf8) + [0xFF, 0x61] + Array("\n\n".utf8),
            [event("\u{FFFD}a")]),
    ]

    static func parseAll(_ chunks: [[UInt8]], parser: inout EventSourceParser) throws -> [EventSourceParser.Output] {
        var outputs: [EventSourceParser.Output] = []
        for chunk in chunks { outputs += try parser.feed(chunk) }
        parser.finish()
        return outputs
    }

    static func events(_ outputs: [EventSourceParser.Output]) -> [EventSourceEvent] {
        outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    @Test(arguments: cases)
    func rule(_ test: Case) throws {
        var parser = EventSourceParser()
        #expect(Self.events(try Self.parseAll([test.stream], parser: &parser)) == test.events)
        // Byte by byte, the same.
        var bytewise = EventSourceParser()
        #expect(Self.events(try Self.parseAll(test.stream.map { [$0] }, parser: &bytewise)) == test.events)
    }

    static let sample: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            (": comment\r\nretry: 1500\nevent: add\r\ndata: {\"a\":1}\r\ndata: second line\r\rid: 1\n\n"
                + "data: é🌍\nid: bad\u{0}\n\r\nid\ndata:x\r\n\r\nevent: gone\n\ndata\ndata\n\n: tail\ndata: cut").utf8)

    static let sampleEvents: [EventSourceEvent] = [
        event("{\"a\":1}\nsecond line", event: "add", retry: 1500),
        event("é🌍", id: "1"),
        event("x"),
        event("\n"),
    ]

    @Test func everySplitPositionGivesTheSameEvents() throws {
        var whole = EventSourceParser(reportsComments: true)
        let expected = try Self.parseAll([Self.sample], parser: &whole)
        #expect(Self.events(expected) == Self.sampleEvents)
        #expect(expected.contains(.comment("comment")) && expected.contains(.comment("tail")))
        for split in 0...Self.sample.count {
            var parser = EventSourceParser(reportsComments: true)
            let outputs = try Self.parseAll(
                [Array(Self.sample[..<split]), Array(Self.sample[split...])], parser: &parser)
            #expect(outputs == expected, "split at byte \(split)")
        }
        // Three pieces, every pair of cut points.
        for first in stride(from: 0, through: Self.sample.count, by: 1) {
            for second in first...Self.sample.count {
                var parser = EventSourceParser(reportsComments: true)
                let chunks = [
                    Array(Self.sample[..<first]), Array(Self.sample[first..<second]), Array(Self.sample[second...]),
                ]
                let outputs = try Self.parseAll(chunks, parser: &parser)
                if outputs != expected {
                    Issue.record("cut at \(first) and \(second): \(outputs)")
                    return
                }
            }
        }
    }

    @Test func aCRAtTheEndOfAChunkAndAnLFAtTheStartOfTheNextEndOneLine() throws {
        var parser = EventSourceParser()
        var outputs = try parser.feed(Array("data: a\r".utf8))
        outputs += try parser.feed(Array("\ndata: b\r".utf8))
        outputs += try parser.feed(Array("\n\r".utf8))
        outputs += try parser.feed(Array("\n".utf8))
        // Read as two line ends, the first CRLF would have dispatched "a" on its own.
        #expect(Self.events(outputs) == [Self.event("a\nb")])
        // A CR then CR in the next chunk is two line ends.
        outputs = try parser.feed(Array("data: c\r".utf8))
        outputs += try parser.feed(Array("\r".utf8))
        #expect(Self.events(outputs) == [Self.event("c")])
    }

    @Test func aBOMSplitBetweenChunksIsDroppedOnlyAtTheStart() throws {
        var parser = EventSourceParser()
        var outputs = try parser.feed([0xEF])
        outputs += try parser.feed([0xBB])
        outputs += try parser.feed([0xBF] + Array("data: a\n\n".utf8))
        #expect(Self.events(outputs) == [Self.event("a")])
        // Not after the start: a BOM there is part of the next field's name, which is unknown.
        outputs = try parser.feed([0xEF, 0xBB, 0xBF] + Array("data: b\n\n".utf8))
        #expect(outputs.isEmpty)
        // A new stream (after finish, as on reconnect) may start with one again.
        parser.finish()
        outputs = try parser.feed([0xEF, 0xBB, 0xBF] + Array("data: c\n\n".utf8))
        #expect(Self.events(outputs) == [Self.event("c")])
        // Two bytes of a BOM then something else: they are text (a field name that is not "data").
        var partial = EventSourceParser()
        outputs = try partial.feed([0xEF, 0xBB])
        outputs += try partial.feed(Array("data: d\n\ndata: e\n\n".utf8))
        #expect(Self.events(outputs) == [Self.event("e")])
    }

    @Test func theLastEventIDIsCommittedAtDispatchAndSurvivesAReconnect() throws {
        var parser = EventSourceParser(lastEventID: "40")
        #expect(Self.events(try parser.feed(Array("data: a\n\n".utf8))) == [Self.event("a", id: "40")])
        _ = try parser.feed(Array("id: 41\n\n".utf8))
        #expect(parser.lastEventID == "41")
        // An id in an event that never ends is not committed.
        _ = try parser.feed(Array("id: 42\ndata: lost".utf8))
        #expect(parser.lastEventID == "41")
        parser.finish()
        #expect(parser.lastEventID == "41")
        #expect(Self.events(try parser.feed(Array("data: b\n\n".utf8))) == [Self.event("b", id: "41")])
    }

    @Test func retrySetsTheReconnectionTimeEvenWithoutAnEvent() throws {
        var parser = EventSourceParser()
        #expect(parser.reconnectionTime == nil)
        #expect(try parser.feed(Array("retry: 3000\n\n".utf8)).isEmpty)
        #expect(parser.reconnectionTime == 3000)
        _ = try parser.feed(Array("retry: soon\n\n".utf8))
        #expect(parser.reconnectionTime == 3000)
        _ = try parser.feed(Array("retry: 99999999999999999999999\n\n".utf8))
        #expect(parser.reconnectionTime == 3000, "a value too large for an integer is ignored")
        _ = try parser.feed(Array("retry: 0\n".utf8))
        #expect(parser.reconnectionTime == 0)
    }

    @Test func commentsAreReportedOnlyWhenAskedFor() throws {
        let stream = Array(": keep-alive\n:no space\n:\n\n".utf8)
        var quiet = EventSourceParser()
        #expect(try quiet.feed(stream).isEmpty)
        var reporting = EventSourceParser(reportsComments: true)
        #expect(try reporting.feed(stream) == [.comment("keep-alive"), .comment("no space"), .comment("")])
    }

    struct Oversized: Sendable, CustomTestStringConvertible {
        var name: String
        var chunks: [[UInt8]]
        /// The stream offset of the first byte that did not fit.
        var offset: Int
        var testDescription: String { name }
    }

    static let oversized: [Oversized] = [
        Oversized(
            name: "one long data line", chunks: [Array(("data: " + String(repeating: "x", count: 40) + "\n\n").utf8)],
            offset: 32),
        // Lines of 17 bytes; the data holds 11 per line: the third line's 11th byte (offset 44) is one too many.
        Oversized(
            name: "many data lines", chunks: Array(repeating: Array("data: 0123456789\n".utf8), count: 4), offset: 44),
        Oversized(name: "a long comment", chunks: [Array((":" + String(repeating: "c", count: 40)).utf8)], offset: 32),
        Oversized(
            name: "a line without end, byte by byte", chunks: Array(repeating: [UInt8(ascii: "z")], count: 40),
            offset: 32),
    ]

    @Test(arguments: oversized)
    func anOversizedEventIsAnError(_ test: Oversized) throws {
        var parser = EventSourceParser(maxEventSize: 32)
        let error = #expect(throws: EventSourceError.self) {
            for chunk in test.chunks { _ = try parser.feed(chunk) }
        }
        #expect(error?.code == .eventTooLarge)
        #expect(error?.details["limit"] == "32")
        #expect(error?.message.contains("32-byte limit") == true, "\(String(describing: error))")
        #expect(error?.details["offset"] == String(test.offset))
    }

    @Test func eventsUpToTheLimitPass() throws {
        var parser = EventSourceParser(maxEventSize: 32)
        // The line (26 bytes) and then the data (21 bytes) each fit; one event, then another.
        let line = "data: " + String(repeating: "y", count: 20) + "\n\n"
        let outputs = try parser.feed(Array((line + line).utf8))
        #expect(Self.events(outputs).count == 2)
    }

    @Test func memoryStaysBoundedOnAnEndlessLine() throws {
        var parser = EventSourceParser(maxEventSize: 1 << 20)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        var fed = 0
        #expect(throws: EventSourceError.self) {
            while fed < 100 << 20 {
                _ = try parser.feed(chunk)
                fed += chunk.count
            }
        }
        #expect(fed <= 1 << 20, "the error comes as soon as the limit is passed, not after \(fed) bytes")
    }
}

/// The wait before a reconnect.
@Suite struct EventSourceReconnectDelayTests {
    typealias Client = EventSourceClient

    @Test func theFirstFailureWaitsTheReconnectionTime() {
        for random in [0.0, 0.5, 1.0] {
            #expect(
                Client.reconnectDelay(failures: 0, base: .milliseconds(100), cap: .seconds(30), random: random)
                    == .milliseconds(100))
            #expect(
                Client.reconnectDelay(failures: 1, base: .milliseconds(100), cap: .seconds(30), random: random)
                    == .milliseconds(100))
        }
    }

    @Test func consecutiveFailuresDoubleWithJitterUpToTheCap() {
        let base = Duration.milliseconds(100)
        #expect(Client.reconnectDelay(failures: 2, base: base, cap: .seconds(30), random: 1) == .milliseconds(200))
        #expect(Client.reconnectDelay(failures: 2, base: base, cap: .seconds(30), random: 0) == .milliseconds(100))
        #expect(Client.reconnectDelay(failures: 4, base: base, cap: .seconds(30), random: 1) == .milliseconds(800))
        #expect(Client.reconnectDelay(failures: 4, base: base, cap: .seconds(30), random: 0.5) == .milliseconds(600))
        #expect(Client.reconnectDelay(failures: 60, base: base, cap: .seconds(30), random: 1) == .seconds(30))
        #expect(Client.reconnectDelay(failures: 60, base: base, cap: .seconds(30), random: 0) == .seconds(15))
        // A server's reconnection time above the cap is still honoured.
        #expect(Client.reconnectDelay(failures: 5, base: .seconds(60), cap: .seconds(30), random: 1) == .seconds(60))
    }
}
