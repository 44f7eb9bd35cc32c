/// A planned change to encoded bytes: splices inside the innermost message, plus the chain of enclosing
/// length-delimited values whose length prefixes must grow or shrink with it. Applied in one copy.
struct ProtoEdits {
    /// An enclosing value: a sub-message, map entry or packed block (`lengthPrefix` nil for groups).
    struct Frame {
        var lengthPrefix: Range<Int>?
        var payload: Range<Int>
    }

    private(set) var splices: [(range: Range<Int>, bytes: [UInt8])] = []
    /// Outermost first.
    var frames: [Frame] = []

    mutating func replace(_ range: Range<Int>, with bytes: [UInt8]) { splices.append((range, bytes)) }
    mutating func insert(_ bytes: [UInt8], at position: Int) { splices.append((position..<position, bytes)) }
    mutating func remove(_ range: Range<Int>) { splices.append((range, [])) }

    mutating func enter(_ occurrence: ProtoOccurrence) {
        frames.append(Frame(lengthPrefix: occurrence.lengthPrefix, payload: occurrence.payload))
    }

    var isEmpty: Bool { splices.isEmpty }

    /// The bytes of `range` of `storage` with the splices applied and every enclosing length fixed.
    ///
    /// Splices may sit at any level of the frame chain (a deep edit plus the removal of an outer sibling); each
    /// frame's new length counts only the splices inside its payload, innermost frame first.
    func apply(to storage: [UInt8], within range: Range<Int>) -> [UInt8] {
        var all = splices
        for frame in frames.reversed() {
            guard let prefix = frame.lengthPrefix else { continue }
            var delta = 0
            for splice in all where frame.payload.contains(splice.range.lowerBound)
                || (splice.range.isEmpty && splice.range.lowerBound == frame.payload.upperBound)
            {
                delta += splice.bytes.count - splice.range.count
            }
            var encoded: [UInt8] = []
            encoded.appendVarint(UInt64(frame.payload.count + delta))
            all.append((prefix, encoded))
        }
        all.sort { $0.range.lowerBound < $1.range.lowerBound }
        var out: [UInt8] = []
        out.reserveCapacity(range.count + 16)
        var position = range.lowerBound
        for splice in all {
            if splice.range.lowerBound > position { out.append(contentsOf: storage[position..<splice.range.lowerBound]) }
            out.append(contentsOf: splice.bytes)
            position = max(position, splice.range.upperBound)
        }
        if position < range.upperBound { out.append(contentsOf: storage[position..<range.upperBound]) }
        return out
    }
}
