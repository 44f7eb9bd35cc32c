/// A whole message loaded into a flat array of nodes over its original bytes (no tree of objects).
///
/// Node 0 is the root message. Each node records its byte ranges, its depth and where its subtree ends, so
/// walking children and skipping subtrees are index arithmetic. Known message fields (map entries included) are
/// descended into; packed blocks get one child node per element; unknown fields are single opaque nodes.
/// Edits are recorded beside the nodes and applied by ``marshal()``, which copies untouched subtrees verbatim:
/// loading and marshalling without edits gives back the input byte for byte.
///
/// Reuse one DOM with ``load(_:as:)`` to keep the node storage: in steady state loading allocates nothing.
public struct ProtoDOM: Sendable {
    public enum Kind: UInt8, Sendable {
        /// A message (the root, a message field, a group, or a map entry).
        case message
        /// A scalar value: a non-packed occurrence or one element of a packed block.
        case scalar
        /// A packed block of a repeated scalar field; its children are the elements.
        case packed
        /// A field the descriptor does not know, kept as opaque bytes.
        case unknown
    }

    public struct Node: FlatTreeNode {
        public var kind: Kind
        public var wireType: ProtoWireType
        /// Field number (0 for the root).
        public var number: Int32
        public var depth: Int32
        public var parent: Int32
        /// Index of the first node after this node's subtree.
        public var subtreeEnd: Int32
        /// Start of the tag (the value itself for packed elements and the root).
        public var start: Int32
        /// Payload (for length-delimited values and groups) or value bytes.
        public var valueStart: Int32
        public var valueEnd: Int32
        /// End of the whole occurrence (after a group's end tag).
        public var end: Int32
        /// Message type index for message nodes, else -1.
        public var messageIndex: Int32
        /// Index of the field in the parent message's ``ProtoMessageDescriptor/fields``, -1 if unknown or root.
        public var fieldPosition: Int32
        /// -1: untouched; -2: removed; otherwise an index into the replacement values.
        var edit: Int32
        /// Whether this subtree contains an edit.
        var isDirty: Bool
    }

    public let schema: ProtoSchema
    public private(set) var bytes: [UInt8] = []
    public let limits: CodecLimits
    private var tree = FlatTree<Node>()

    /// The nodes, root first, in pre-order.
    public var nodes: [Node] { tree.nodes }

    public init(schema: ProtoSchema, limits: CodecLimits = .default) {
        self.schema = schema
        self.limits = limits
    }

    /// Loads `bytes` as a message of type `descriptor`, replacing what was loaded before (node storage is kept).
    public mutating func load(_ bytes: [UInt8], as descriptor: ProtoMessageDescriptor) throws(CodecError) {
        guard bytes.count <= limits.maxMessageSize, bytes.count < Int(Int32.max) else {
            throw CodecError(.sizeLimitExceeded, "message of \(bytes.count) bytes exceeds the limit")
        }
        tree.reset()
        self.bytes = bytes
        let end = Int32(bytes.count)
        tree.nodes.append(
            Node(kind: .message, wireType: .lengthDelimited, number: 0, depth: 0, parent: -1, subtreeEnd: 1,
                 start: 0, valueStart: 0, valueEnd: end, end: end, messageIndex: Int32(descriptor.index),
                 fieldPosition: -1, edit: -1, isDirty: false))
        let schema = self.schema
        let maxDepth = limits.maxDepth
        var loader = ProtoDOMLoader(schema: schema, maxDepth: maxDepth, nodes: tree.nodes)
        tree.nodes = []
        defer { tree.nodes = loader.nodes }
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            guard let base = buffer.baseAddress else { return }
            try loader.loadChildren(of: 0, descriptor, base: base, range: 0..<bytes.count, depth: 1)
        }
        loader.nodes[0].subtreeEnd = Int32(loader.nodes.count)
    }

    /// The root message's descriptor.
    public var rootDescriptor: ProtoMessageDescriptor? {
        nodes.first.map { schema.messages[Int($0.messageIndex)] }
    }

    /// Indices of the direct children of node `index`.
    public func children(of index: Int) -> [Int] { tree.children(of: index) }

    /// The field a node is an occurrence (or element) of; nil for the root and unknown fields.
    public func field(of index: Int) -> ProtoFieldDescriptor? {
        let node = nodes[index]
        guard node.fieldPosition >= 0, node.parent >= 0 else { return nil }
        var parent = Int(node.parent)
        if nodes[parent].kind == .packed { parent = Int(nodes[parent].parent) }
        return schema.messages[Int(nodes[parent].messageIndex)].fields[Int(node.fieldPosition)]
    }

    /// The message type of a message node.
    public func messageType(of index: Int) -> ProtoMessageDescriptor? {
        let messageIndex = nodes[index].messageIndex
        return messageIndex >= 0 ? schema.messages[Int(messageIndex)] : nil
    }

    /// The decoded value of a scalar node, or a message view of a message node (original bytes, edits ignored).
    public func value(of index: Int) throws(CodecError) -> ProtoFieldValue {
        let node = nodes[index]
        switch node.kind {
        case .message:
            return .message(
                ProtoValue(storage: bytes, range: Int(node.valueStart)..<Int(node.valueEnd),
                           descriptor: schema.messages[Int(node.messageIndex)], schema: schema, limits: limits))
        case .scalar:
            guard let field = field(of: index) else { throw CodecError(.typeMismatch, "node \(index) has no field") }
            // Packed elements are bare values; other scalars are read from just after their tag.
            let start = nodes[Int(node.parent)].kind == .packed ? Int(node.start) : tagEnd(of: node)
            return .scalar(
                try bytes.withCodecBytes { (buffer) throws(CodecError) in
                    var cursor = ProtoCursor(buffer, range: start..<Int(node.end))
                    return try ProtoScalar.decode(field.type, from: &cursor)
                })
        case .packed, .unknown:
            throw CodecError(.typeMismatch, "node \(index) is a \(node.kind) node, not a value")
        }
    }

    // MARK: Edits

    /// Replaces the value of a scalar node (the tag is kept).
    public mutating func setValue(_ value: ProtoScalar, at index: Int) throws(CodecError) {
        guard nodes[index].kind == .scalar, let field = field(of: index) else {
            throw CodecError(.typeMismatch, "node \(index) is not a scalar value")
        }
        var encoded: [UInt8] = []
        try value.encode(as: field.type, into: &encoded)
        tree.replace(index, with: encoded)
    }

    /// Removes a node (a field occurrence, list element, map entry or unknown field) and its subtree.
    public mutating func remove(_ index: Int) throws(CodecError) {
        guard index > 0, index < nodes.count else { throw CodecError(.invalidValue, "node \(index) cannot be removed") }
        tree.remove(index)
    }

    /// Adds `value` as a new occurrence of field `number` at the end of message node `index`.
    public mutating func append(_ value: ProtoFieldValue, field number: Int, toMessage index: Int) throws(CodecError) {
        guard let type = messageType(of: index), let field = type.field(number: number) else {
            throw CodecError(.unknownField, "node \(index) has no field number \(number)")
        }
        let view = ProtoValue(storage: [], range: 0..<0, descriptor: type, schema: schema, limits: limits)
        var encoded: [UInt8] = []
        try view.encodeField(field, value, into: &encoded)
        tree.append(encoded, to: index)
    }

    // MARK: Marshal

    /// Encodes the message with all edits applied. Untouched subtrees are copied as they were.
    public func marshal() -> [UInt8] {
        guard let root = nodes.first else { return [] }
        if !root.isDirty { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        writeChildren(of: 0, into: &out)
        return out
    }

    private func writeChildren(of index: Int, into out: inout [UInt8]) {
        var child = index + 1
        let end = Int(nodes[index].subtreeEnd)
        while child < end {
            write(child, into: &out)
            child = Int(nodes[child].subtreeEnd)
        }
        for addition in tree.additions(to: index) { out.append(contentsOf: addition) }
    }

    private func write(_ index: Int, into out: inout [UInt8]) {
        let node = nodes[index]
        if node.edit == -2 { return }
        if !node.isDirty {
            out.append(contentsOf: bytes[Int(node.start)..<Int(node.end)])
            return
        }
        let packedElement = node.kind == .scalar && nodes[Int(node.parent)].kind == .packed
        if node.edit >= 0 {
            // A replaced scalar: original tag, new value (packed elements have no tag).
            if !packedElement { out.append(contentsOf: bytes[Int(node.start)..<tagEnd(of: node)]) }
            out.append(contentsOf: tree.replacements[Int(node.edit)])
            return
        }
        // A message, group or packed block with edits below: re-encode its payload, then fix the length.
        out.append(contentsOf: bytes[Int(node.start)..<tagEnd(of: node)])
        if node.wireType == .startGroup {
            writeChildren(of: index, into: &out)
            out.append(contentsOf: bytes[Int(node.valueEnd)..<Int(node.end)])
            return
        }
        var writer = ProtoWriter(capacity: 0)
        swap(&writer.bytes, &out)
        let payloadStart = writer.beginLengthDelimited()
        writeChildren(of: index, into: &writer.bytes)
        writer.endLengthDelimited(payloadStart)
        swap(&writer.bytes, &out)
    }

    /// End of the tag bytes of a node (start of its length prefix or value).
    private func tagEnd(of node: Node) -> Int {
        guard node.wireType == .lengthDelimited else { return Int(node.valueStart) }
        return Int(node.valueStart) - ProtoVarint.size(UInt64(node.valueEnd - node.valueStart))
    }
}

/// Builds the node array; separated from ``ProtoDOM`` so the recursion works on plain values.
struct ProtoDOMLoader {
    let schema: ProtoSchema
    let maxDepth: Int
    var nodes: [ProtoDOM.Node]

    mutating func loadChildren(
        of parent: Int, _ descriptor: ProtoMessageDescriptor, base: UnsafeRawPointer, range: Range<Int>, depth: Int
    ) throws(CodecError) {
        guard depth <= maxDepth else { throw .depthExceeded(maxDepth, at: range.lowerBound) }
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let (number, occurrence) = try cursor.readOccurrence(depth: maxDepth - depth)
            let position = descriptor.fieldPosition(number: number)
            let field = position >= 0 ? descriptor.fields[position] : nil
            let index = nodes.count
            var node = ProtoDOM.Node(
                kind: .unknown, wireType: occurrence.wireType, number: Int32(number), depth: Int32(depth),
                parent: Int32(parent), subtreeEnd: Int32(index + 1), start: Int32(occurrence.tagStart),
                valueStart: Int32(occurrence.valueStart), valueEnd: Int32(occurrence.valueEnd),
                end: Int32(occurrence.end), messageIndex: -1, fieldPosition: Int32(position), edit: -1,
                isDirty: false)
            guard let field else {
                node.fieldPosition = -1
                nodes.append(node)
                continue
            }
            if field.isMessage && occurrence.wireType == field.wireType {
                node.kind = .message
                node.messageIndex = Int32(field.messageIndex)
                nodes.append(node)
                try loadChildren(
                    of: index, schema.messages[field.messageIndex], base: base, range: occurrence.payload,
                    depth: depth + 1)
                nodes[index].subtreeEnd = Int32(nodes.count)
            } else if occurrence.wireType == field.wireType {
                node.kind = .scalar
                nodes.append(node)
            } else if occurrence.wireType == .lengthDelimited && field.isRepeated && field.type.isPackable {
                node.kind = .packed
                nodes.append(node)
                var inner = ProtoCursor(base: base, range: occurrence.payload)
                while !inner.isAtEnd {
                    let start = inner.position
                    try inner.skip(field.wireType, number: number)
                    nodes.append(
                        ProtoDOM.Node(
                            kind: .scalar, wireType: field.wireType, number: Int32(number), depth: Int32(depth + 1),
                            parent: Int32(index), subtreeEnd: Int32(nodes.count + 1), start: Int32(start),
                            valueStart: Int32(start), valueEnd: Int32(inner.position), end: Int32(inner.position),
                            messageIndex: -1, fieldPosition: Int32(position), edit: -1, isDirty: false))
                }
                nodes[index].subtreeEnd = Int32(nodes.count)
            } else {
                throw CodecError(
                    .invalidWireType,
                    "field '\(field.name)' (\(field.type.protoName)) has wire type \(occurrence.wireType.rawValue)",
                    offset: occurrence.tagStart)
            }
        }
    }
}
