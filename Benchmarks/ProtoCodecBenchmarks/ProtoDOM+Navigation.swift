import DynamicCodec

extension ProtoDOM {
    /// The node that `steps` lead to from the root: `.field(n)` takes the last occurrence of field `n`, unless an
    /// `.index(i)` follows (the i-th occurrence, for a list of messages) or a `.key(k)` follows (the value of the
    /// map entry whose string key is `k`).
    func node(at steps: [DOMStep]) throws(CodecError) -> Int {
        var current = 0
        var remaining = steps[...]
        while let step = remaining.popFirst() {
            guard case .field(let number) = step else {
                throw CodecError(.invalidPath, "DOM path must name a field before \(step)")
            }
            let matches = children(of: current).filter { nodes[$0].number == number }
            switch remaining.first {
            case .index(let index):
                remaining.removeFirst()
                guard index < matches.count else { throw missing(steps) }
                current = matches[index]
            case .key(let key):
                remaining.removeFirst()
                var found: Int?
                for entry in matches {
                    let keyNode = children(of: entry).first { nodes[$0].number == 1 }
                    if let keyNode, try value(of: keyNode).scalar == .string(key) { found = entry }
                }
                guard let entry = found, let valueNode = children(of: entry).last(where: { nodes[$0].number == 2 })
                else {
                    throw missing(steps)
                }
                current = valueNode
            case .field, nil:
                guard let last = matches.last else { throw missing(steps) }
                current = last
            }
        }
        return current
    }

    private func missing(_ steps: [DOMStep]) -> CodecError {
        CodecError(.invalidPath, "no DOM node at \(steps)")
    }
}
