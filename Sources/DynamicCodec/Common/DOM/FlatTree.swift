/// What a DOM node must expose for the shared tree bookkeeping.
protocol FlatTreeNode: Sendable {
    /// Index of the parent node, -1 for the root.
    var parent: Int32 { get }
    /// Index of the first node after this node's subtree.
    var subtreeEnd: Int32 { get }
    /// -1 untouched, -2 removed, otherwise an index into the tree's replacements.
    var edit: Int32 { get set }
    /// Whether this subtree holds an edit.
    var isDirty: Bool { get set }
}

/// A flat, pre-order array of nodes over an encoded buffer plus the edits recorded against it — the machinery
/// shared by ``ProtoDOM`` and ``ThriftDOM``. Subtrees are contiguous, so walking children and skipping subtrees
/// is index arithmetic; reset keeps storage so steady-state reloads allocate nothing.
struct FlatTree<Node: FlatTreeNode>: Sendable {
    var nodes: [Node] = []
    /// Replacement encodings referred to by nodes' `edit`.
    var replacements: [[UInt8]] = []
    /// Encodings added at the end of a node's children.
    var appended: [(parent: Int32, bytes: [UInt8])] = []

    mutating func reset() {
        nodes.removeAll(keepingCapacity: true)
        replacements.removeAll(keepingCapacity: true)
        appended.removeAll(keepingCapacity: true)
    }

    /// Indices of the direct children of node `index`.
    func children(of index: Int) -> [Int] {
        var result: [Int] = []
        var child = index + 1
        let end = Int(nodes[index].subtreeEnd)
        while child < end {
            result.append(child)
            child = Int(nodes[child].subtreeEnd)
        }
        return result
    }

    /// Calls `body` for each direct child of node `index` without building an array.
    @inline(__always)
    func forEachChild(of index: Int, _ body: (Int) -> Void) {
        var child = index + 1
        let end = Int(nodes[index].subtreeEnd)
        while child < end {
            body(child)
            child = Int(nodes[child].subtreeEnd)
        }
    }

    mutating func replace(_ index: Int, with encoded: [UInt8]) {
        nodes[index].edit = Int32(replacements.count)
        replacements.append(encoded)
        markDirty(from: index)
    }

    mutating func remove(_ index: Int) {
        nodes[index].edit = -2
        markDirty(from: Int(nodes[index].parent))
    }

    mutating func append(_ encoded: [UInt8], to parent: Int) {
        appended.append((Int32(parent), encoded))
        markDirty(from: parent)
    }

    /// Encodings appended to `parent`, in order.
    func additions(to parent: Int) -> [[UInt8]] {
        appended.filter { Int($0.parent) == parent }.map(\.bytes)
    }

    /// Number of children of `parent` that remain after removals, plus the appended ones.
    func liveChildCount(of parent: Int) -> Int {
        var count = 0
        forEachChild(of: parent) { if nodes[$0].edit != -2 { count += 1 } }
        return count + appended.filter { Int($0.parent) == parent }.count
    }

    private mutating func markDirty(from index: Int) {
        var current = index
        while current >= 0, !nodes[current].isDirty {
            nodes[current].isDirty = true
            current = Int(nodes[current].parent)
        }
    }
}
