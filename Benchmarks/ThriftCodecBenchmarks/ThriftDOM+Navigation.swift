import DynamicCodec

extension ThriftDOM {
    /// The node that `steps` lead to from the root: `.field(id)` is the field of the current struct, `.index(i)` the
    /// i-th element of the current list or set, `.key(k)` the value of the current map's entry whose string key is
    /// `k`.
    func node(at steps: [DOMStep]) throws(CodecError) -> Int {
        var current = 0
        for step in steps {
            let children = children(of: current)
            var found: Int?
            switch step {
            case .field(let id):
                found = children.first { nodes[$0].id == id }
            case .index(let index):
                found = index < children.count ? children[index] : nil
            case .key(let key):
                // Map children alternate key, value.
                var position = 0
                while position + 1 < children.count {
                    if try value(of: children[position]).scalar == .string(key) { found = children[position + 1] }
                    position += 2
                }
            }
            guard let found else { throw CodecError(.invalidPath, "no DOM node at \(steps)") }
            current = found
        }
        return current
    }
}
