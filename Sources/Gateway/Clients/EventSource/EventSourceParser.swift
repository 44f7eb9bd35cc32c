/// Turns the bytes of a `text/event-stream` body into events, following the WHATWG HTML spec's "event stream
/// interpretation": UTF-8 with a leading BOM dropped, lines ended by CR, LF or CRLF (also when a CRLF is split
/// between two chunks), `:` comments, `field: value` lines, `data` joined with LF, `event`, `id` (ignored when it
/// holds NUL), `retry` (ASCII digits only), and a blank line to dispatch. Bytes may arrive in chunks of any size;
/// the events are the same however the stream is cut.
///
/// Memory is bounded: the data of one event plus the line being read may not exceed ``maxEventSize`` bytes, or
/// ``feed(_:)`` throws ``EventSourceError/Code/eventTooLarge``.
public struct EventSourceParser: Sendable {
    /// What one chunk produced, in stream order.
    public enum Output: Sendable, Hashable {
        /// A dispatched event.
        case event(EventSourceEvent)
        /// A comment line's text, without the colon and one following space (only with `reportsComments`).
        case comment(String)
    }

    /// The most bytes one event's data plus the line being read may take.
    public let maxEventSize: Int
    /// Whether comment lines are returned as ``Output/comment(_:)``.
    public let reportsComments: Bool
    /// The last event ID as of the last dispatch: what a reconnect sends as `Last-Event-ID`.
    public private(set) var lastEventID: String
    /// The reconnection time in milliseconds the stream last set with `retry:`, if it did.
    public private(set) var reconnectionTime: Int?

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var eventType: [UInt8] = []
    private var idBuffer: [UInt8]
    private var blockRetry: Int?
    /// The last byte was a CR, so an LF right after it ends nothing.
    private var afterCR = false
    /// BOM bytes matched at the start of the stream; nil once the start is past.
    private var bomMatched: Int? = 0
    /// Bytes consumed since the stream started (for error offsets).
    private var offset = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    /// - Parameters:
    ///   - maxEventSize: the bound on one event's data plus the line being read (default 1 MiB).
    ///   - lastEventID: the last event ID to start from (a resumed stream's).
    ///   - reportsComments: return comment lines too (keep-alives, for instance).
    public init(maxEventSize: Int = 1 << 20, lastEventID: String = "", reportsComments: Bool = false) {
        self.maxEventSize = max(1, maxEventSize)
        self.lastEventID = lastEventID
        self.idBuffer = Array(lastEventID.utf8)
        self.reportsComments = reportsComments
    }

    /// Parses the next bytes of the stream and returns what they completed. After an error the stream cannot go
    /// on: ``finish()`` before parsing another one.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(EventSourceError) -> [Output] {
        var outputs: [Output] = []
        let run = { (parser: inout EventSourceParser, bytes: UnsafeBufferPointer<UInt8>) -> EventSourceError? in
            do throws(EventSourceError) {
                try parser.process(bytes, into: &outputs)
                return nil
            } catch {
                return error
            }
        }
        let failure =
            chunk.withContiguousStorageIfAvailable { run(&self, $0) }
            ?? Array(chunk).withUnsafeBufferPointer { run(&self, $0) }
        if let failure { throw failure }
        return outputs
    }

    /// Ends the stream: an event without its closing blank line is discarded, as is an unterminated line. The
    /// parser is then ready for the next stream (a reconnect), which starts from ``lastEventID``.
    public mutating func finish() {
        line.removeAll(keepingCapacity: false)
        data.removeAll(keepingCapacity: false)
        eventType.removeAll()
        idBuffer = Array(lastEventID.utf8)
        blockRetry = nil
        afterCR = false
        bomMatched = 0
        offset = 0
    }

    private mutating func process(_ bytes: UnsafeBufferPointer<UInt8>, into outputs: inout [Output])
        throws(EventSourceError)
    {
        var index = 0
        let end = bytes.count
        if bomMatched != nil { index = try skipBOM(bytes, into: &outputs) }
        while index < end {
            if afterCR {
                afterCR = false
                if bytes[index] == Self.lf {
                    index += 1
                    continue
                }
            }
            var stop = index
            while stop < end, bytes[stop] != Self.cr, bytes[stop] != Self.lf { stop += 1 }
            if stop > index {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<stop]))
                try checkSize(at: offset + stop)
            }
            if stop == end { break }
            afterCR = bytes[stop] == Self.cr
            index = stop + 1
            try processLine(into: &outputs, at: offset + stop)
            line.removeAll(keepingCapacity: line.count <= 4096)
        }
        offset += end
    }

    /// Drops a UTF-8 BOM at the very start, even when it is split between chunks; bytes that only began like one
    /// are parsed as ordinary bytes. Returns the index of the first byte left to parse.
    private mutating func skipBOM(_ bytes: UnsafeBufferPointer<UInt8>, into outputs: inout [Output])
        throws(EventSourceError) -> Int
    {
        var index = 0
        while let matched = bomMatched, index < bytes.count {
            if bytes[index] == Self.bom[matched] {
                index += 1
                bomMatched = matched + 1 == Self.bom.count ? nil : matched + 1
            } else {
                bomMatched = nil
                if matched > 0 {
                    // Not a BOM after all: what looked like its start is ordinary text.
                    let prefix = Array(Self.bom[0..<matched])
                    offset -= matched
                    let failure = prefix.withUnsafeBufferPointer { bytes -> EventSourceError? in
                        do throws(EventSourceError) {
                            try process(bytes, into: &outputs)
                            return nil
                        } catch {
                            return error
                        }
                    }
                    if let failure { throw failure }
                }
            }
        }
        return index
    }

    /// `end` is the stream offset just past the bytes last added to the line; the error names the first byte that
    /// did not fit.
    private mutating func checkSize(at end: Int) throws(EventSourceError) {
        let size = line.count + data.count
        if size > maxEventSize {
            throw .eventTooLarge(limit: maxEventSize, offset: end - (size - maxEventSize))
        }
    }

    private mutating func processLine(into outputs: inout [Output], at position: Int) throws(EventSourceError) {
        if line.isEmpty {
            dispatch(into: &outputs)
            return
        }
        guard let colon = line.firstIndex(of: Self.colon) else {
            try processField(line[...], value: ArraySlice(), at: position)
            return
        }
        var valueStart = colon + 1
        if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        if colon == 0 {
            if reportsComments { outputs.append(.comment(String(decoding: line[valueStart...], as: UTF8.self))) }
            return
        }
        try processField(line[..<colon], value: line[valueStart...], at: position)
    }

    private mutating func processField(_ name: ArraySlice<UInt8>, value: ArraySlice<UInt8>, at position: Int)
        throws(EventSourceError)
    {
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(Self.lf)
            if data.count > maxEventSize { throw .eventTooLarge(limit: maxEventSize, offset: position) }
        } else if name.elementsEqual("event".utf8) {
            eventType = Array(value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { idBuffer = Array(value) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                reconnectionTime = milliseconds
                blockRetry = milliseconds
            }
        }
        // Any other field is ignored.
    }

    private mutating func dispatch(into outputs: inout [Output]) {
        lastEventID = String(decoding: idBuffer, as: UTF8.self)
        defer {
            data.removeAll(keepingCapacity: data.count <= 4096)
            eventType.removeAll()
            blockRetry = nil
        }
        guard !data.isEmpty else { return }
        data.removeLast()
        let type = eventType.isEmpty ? "message" : String(decoding: eventType, as: UTF8.self)
        outputs.append(
            .event(
                EventSourceEvent(
                    id: lastEventID, event: type, data: String(decoding: data, as: UTF8.self), retry: blockRetry)))
    }
}
