/// A whole Thrift struct loaded into a flat node array over its bytes, with the same shape as ``ProtoDOM``:
/// node 0 is the root struct; field nodes carry their header; container nodes have one child per element (maps:
/// key then value). Edits are recorded beside the nodes; ``marshal()`` copies untouched subtrees verbatim, so a
/// load and marshal without edits gives the input back byte for byte.
public struct ThriftDOM: Sendable {
    public enum Kind: UInt8, Sendable {
        case `struct`
        case scalar
        case list
        case set
        case map
    }

    public struct Node: FlatTreeNode {
        public var kind: Kind
        public var wireType: ThriftWireType
        /// Field id for field nodes; -1 for the root and container elements.
        public var id: Int16
        public var depth: Int32
        public var parent: Int32
        public var subtreeEnd: Int32
        /// Start of the field header (of the value for elements and the root).
        public var start: Int32
        public var valueStart: Int32
        public var end: Int32
        /// Struct index for struct nodes, else -1.
        public var structIndex: Int32
        var edit: Int32
        var isDirty: Bool
        /// For a compact bool field, the value carried by the header.
        var headerBool: Bool
    }

    public let schema: ThriftSchema
    public let encoding: ThriftProtocol
    public let limits: CodecLimits
    public private(set) var bytes: [UInt8] = []
    private var tree = FlatTree<Node>()
    /// Fields appended to struct nodes: (parent, field id) for each entry of the tree's appended list.
    private var appendedFieldIDs: [Int16] = []

    public var nodes: [Node] { tree.nodes }

    public init(schema: ThriftSchema, encoding: ThriftProtocol, limits: CodecLimits = .default) {
        self.schema = schema
        self.encoding = encoding
        self.limits = limits
    }

    /// Loads `bytes` (one struct) as type `descriptor`, replacing what was loaded (storage is kept).
    public mutating func load(_ bytes: [UInt8], as descriptor: ThriftStructDescriptor) throws(CodecError) {
        guard bytes.count <= limits.maxMessageSize, bytes.count < Int(Int32.max) else {
            throw CodecError(.sizeLimitExceeded, "struct of \(bytes.count) bytes exceeds the limit")
        }
        tree.reset()
        appendedFieldIDs.removeAll(keepingCapacity: true)
        self.bytes = bytes
        var nodes = tree.nodes
        tree.nodes = []
        let schema = self.schema
        let maxDepth = limits.maxDepth
        switch encoding {
        case .binary: try Self.load(ThriftBinaryReader.self, bytes, descriptor, schema, maxDepth, &nodes)
        case .compact: try Self.load(ThriftCompactReader.self, bytes, descriptor, schema, maxDepth, &nodes)
        }
        tree.nodes = nodes
    }

    private static func load<Reader: ThriftReading>(
        _: Reader.Type, _ bytes: [UInt8], _ descriptor: ThriftStructDescriptor, _ schema: ThriftSchema, _ maxDepth: Int,
        _ nodes: inout [Node]
    ) throws(CodecError) {
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
            var loader = ThriftDOMLoader(reader: Reader(base: base, range: 0..<buffer.count, maxDepth: maxDepth),
                                         schema: schema, nodes: [])
            swap(&loader.nodes, &nodes)
            loader.nodes.removeAll(keepingCapacity: true)
            _ = try loader.value(.struct(descriptor.index), id: -1, start: 0, parent: -1, depth: 0)
            guard loader.reader.position == buffer.count else {
                throw CodecError(.invalidValue, "\(buffer.count - loader.reader.position) bytes follow the struct",
                                 offset: loader.reader.position)
            }
            nodes = loader.nodes
        }
    }

    public func children(of index: Int) -> [Int] { tree.children(of: index) }

    /// The declared type of a node, found from its parent's descriptor.
    public func type(of index: Int) -> ThriftType? {
        let node = nodes[index]
        guard node.parent >= 0 else { return node.structIndex >= 0 ? .struct(Int(node.structIndex)) : nil }
        let parent = nodes[Int(node.parent)]
        switch parent.kind {
        case .struct:
            return schema.structs[Int(parent.structIndex)].field(id: node.id)?.type
        case .list, .set:
            switch type(of: Int(node.parent)) {
            case .list(let element)?, .set(let element)?: return element
            default: return nil
            }
        case .map:
            guard case .map(let key, let value)? = type(of: Int(node.parent)) else { return nil }
            let position = children(of: Int(node.parent)).firstIndex(of: index) ?? 0
            return position % 2 == 0 ? key : value
        case .scalar:
            return nil
        }
    }

    /// The field descriptor of a field node.
    public func field(of index: Int) -> ThriftFieldDescriptor? {
        let node = nodes[index]
        guard node.parent >= 0, nodes[Int(node.parent)].kind == .struct else { return nil }
        return schema.structs[Int(nodes[Int(node.parent)].structIndex)].field(id: node.id)
    }

    /// The value of a node (decoded from the original bytes; edits are not reflected).
    public func value(of index: Int) throws(CodecError) -> ThriftFieldValue {
        let node = nodes[index]
        let type = self.type(of: index) ?? Self.fallbackType(node.wireType)
        if node.wireType == .bool && node.valueStart == node.end && node.kind == .scalar {
            return .scalar(.bool(node.headerBool))
        }
        let view = ThriftValue(storage: bytes, range: 0..<bytes.count, encoding: encoding, descriptor: try rootDescriptor(),
                               schema: schema, limits: limits)
        switch encoding {
        case .binary:
            return try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(view).decodeValue(type, at: Int(node.valueStart))
        case .compact:
            return try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(view).decodeValue(type, at: Int(node.valueStart))
        }
    }

    /// The type of the loaded struct.
    private func rootDescriptor() throws(CodecError) -> ThriftStructDescriptor {
        guard let root = nodes.first, root.structIndex >= 0 else {
            throw CodecError(.invalidValue, "no struct is loaded")
        }
        return schema.structs[Int(root.structIndex)]
    }

    package static func fallbackType(_ wireType: ThriftWireType) -> ThriftType {
        switch wireType {
        case .bool: .bool
        case .byte: .byte
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        case .double: .double
        case .uuid: .uuid
        default: .binary
        }
    }

    // MARK: Edits

    /// Replaces the value of a scalar node (a field keeps its header).
    public mutating func setValue(_ value: ThriftScalar, at index: Int) throws(CodecError) {
        guard nodes[index].kind == .scalar, let type = type(of: index) else {
            throw CodecError(.typeMismatch, "node \(index) is not a scalar value")
        }
        tree.replace(index, with: try encode(.scalar(value), as: type))
    }

    /// Removes a field, an element, or a map entry (give its key or value node) with its subtree.
    public mutating func remove(_ index: Int) throws(CodecError) {
        guard index > 0, index < nodes.count else { throw CodecError(.invalidValue, "node \(index) cannot be removed") }
        let parent = Int(nodes[index].parent)
        if nodes[parent].kind == .map {
            let siblings = children(of: parent)
            let position = siblings.firstIndex(of: index)!
            let keyPosition = position - position % 2
            tree.remove(siblings[keyPosition])
            tree.remove(siblings[keyPosition + 1])
        } else {
            tree.remove(index)
        }
    }

    /// Adds a field to struct node `index` (written after its existing fields).
    public mutating func append(_ value: ThriftFieldValue, field id: Int16, toStruct index: Int) throws(CodecError) {
        guard nodes[index].kind == .struct, let field = schema.structs[Int(nodes[index].structIndex)].field(id: id) else {
            throw CodecError(.unknownField, "node \(index) has no field with id \(id)")
        }
        appendedFieldIDs.append(id)
        tree.append(try encode(value, as: field.type), to: index)
    }

    /// Adds an element to a list or set node, or an entry (`key`, then `value`) to a map node.
    public mutating func append(_ value: ThriftFieldValue, key: ThriftFieldValue? = nil, toContainer index: Int)
        throws(CodecError)
    {
        switch type(of: index) {
        case .list(let element)?, .set(let element)?:
            appendedFieldIDs.append(-1)
            tree.append(try encode(value, as: element), to: index)
        case .map(let keyType, let valueType)?:
            guard let key else { throw CodecError(.invalidValue, "a map entry needs a key") }
            appendedFieldIDs.append(-1)
            tree.append(try encode(key, as: keyType) + encode(value, as: valueType), to: index)
        default:
            throw CodecError(.typeMismatch, "node \(index) is not a container")
        }
    }

    /// Encodes a value (no header) in this DOM's protocol.
    package func encode(_ value: ThriftFieldValue, as type: ThriftType) throws(CodecError) -> [UInt8] {
        let empty = ThriftValue(storage: [], range: 0..<0, encoding: encoding, descriptor: try rootDescriptor(),
                                schema: schema, limits: limits)
        switch encoding {
        case .binary:
            var writer = ThriftBinaryWriter()
            try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(empty).encode(value, as: type, into: &writer)
            return writer.bytes
        case .compact:
            var writer = ThriftCompactWriter()
            try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(empty).encode(value, as: type, into: &writer)
            return writer.bytes
        }
    }

    // MARK: Marshal

    /// Encodes the struct with all edits applied; untouched subtrees are copied as they were.
    public func marshal() -> [UInt8] {
        guard let root = nodes.first else { return [] }
        if !root.isDirty { return bytes }
        switch encoding {
        case .binary:
            var writer = ThriftBinaryWriter()
            writeValue(0, into: &writer)
            return writer.bytes
        case .compact:
            var writer = ThriftCompactWriter()
            writeValue(0, into: &writer)
            return writer.bytes
        }
    }

    /// Writes the value of node `index` (no header).
    private func writeValue<Writer: ThriftWriting>(_ index: Int, into writer: inout Writer) {
        let node = nodes[index]
        if node.edit >= 0 {
            writer.bytes.append(contentsOf: tree.replacements[Int(node.edit)])
            return
        }
        if !node.isDirty {
            writer.bytes.append(contentsOf: bytes[Int(node.valueStart)..<Int(node.end)])
            return
        }
        switch node.kind {
        case .struct:
            writer.beginStruct()
            tree.forEachChild(of: index) { child in
                let childNode = nodes[child]
                guard childNode.edit != -2 else { return }
                // Headers are rewritten: compact ids are deltas from the previous field written.
                if childNode.wireType == .bool && childNode.kind == .scalar {
                    let flag = childNode.edit >= 0
                        ? tree.replacements[Int(childNode.edit)] == [1]
                        : (childNode.valueStart == childNode.end ? childNode.headerBool : bytes[Int(childNode.valueStart)] != 0)
                    writer.writeBoolField(id: childNode.id, value: flag)
                    return
                }
                writer.writeFieldHeader(childNode.wireType, id: childNode.id)
                writeValue(child, into: &writer)
            }
            for (position, addition) in tree.appended.enumerated() where Int(addition.parent) == index {
                let id = appendedFieldIDs[position]
                let type = schema.structs[Int(node.structIndex)].field(id: id)!.type
                if case .bool = type {
                    writer.writeBoolField(id: id, value: addition.bytes == [1])
                } else {
                    writer.writeFieldHeader(type.wireType, id: id)
                    writer.bytes.append(contentsOf: addition.bytes)
                }
            }
            writer.writeStop()
            writer.endStruct()
        case .list, .set, .map:
            // A map has a key node and a value node per entry, but an appended entry is one addition.
            let added = tree.additions(to: index).count
            let kept = tree.liveChildCount(of: index) - added
            let count = node.kind == .map ? kept / 2 + added : kept + added
            let original = containerTypes(index)
            if node.kind == .map {
                writer.writeMapHeader(key: original.key, value: original.value, count: count)
            } else {
                writer.writeListHeader(original.key, count: count)
            }
            tree.forEachChild(of: index) { child in
                if nodes[child].edit != -2 { writeValue(child, into: &writer) }
            }
            for addition in tree.additions(to: index) { writer.bytes.append(contentsOf: addition) }
        case .scalar:
            writer.bytes.append(contentsOf: bytes[Int(node.valueStart)..<Int(node.end)])
        }
    }

    /// Element (or key/value) wire types of a container node, from its type.
    private func containerTypes(_ index: Int) -> (key: ThriftWireType, value: ThriftWireType) {
        switch type(of: index) {
        case .list(let element)?, .set(let element)?: (element.wireType, .stop)
        case .map(let key, let value)?: (key.wireType, value.wireType)
        default: (.stop, .stop)
        }
    }
}

/// Builds the node array for ``ThriftDOM``.
package struct ThriftDOMLoader<Reader: ThriftReading> {
    package var reader: Reader
    package let schema: ThriftSchema
    package var nodes: [ThriftDOM.Node]

    /// Reads one value of declared type `type` whose header (if any) started at `start`; returns its node index.
    package mutating func value(_ type: ThriftType, id: Int16, start: Int, parent: Int, depth: Int, headerBool: Bool = false)
        throws(CodecError) -> Int
    {
        guard depth < reader.maxDepth else { throw .depthExceeded(reader.maxDepth, at: reader.position) }
        let index = nodes.count
        let kind: ThriftDOM.Kind =
            switch type {
            case .struct: .struct
            case .list: .list
            case .set: .set
            case .map: .map
            default: .scalar
            }
        var structIndex: Int32 = -1
        if case .struct(let index) = type { structIndex = Int32(index) }
        nodes.append(ThriftDOM.Node(kind: kind, wireType: type.wireType, id: id, depth: Int32(depth),
                                    parent: Int32(parent), subtreeEnd: 0, start: Int32(start),
                                    valueStart: Int32(reader.position), end: 0, structIndex: structIndex, edit: -1,
                                    isDirty: false, headerBool: headerBool))
        switch type {
        case .struct(let structType):
            let descriptor = schema.structs[structType]
            try reader.beginStruct()
            while true {
                let headerStart = reader.position
                guard let header = try reader.readFieldHeader() else { break }
                if let field = descriptor.field(id: header.id), field.type.wireType == header.type {
                    var flag = false
                    if header.type == .bool, case let compact as ThriftCompactReader = reader {
                        flag = compact.pendingBool ?? false
                    }
                    _ = try value(field.type, id: header.id, start: headerStart, parent: index, depth: depth + 1,
                                  headerBool: flag)
                } else {
                    // An unknown field (or a known id with another type): kept as an opaque scalar node.
                    let valueStart = reader.position
                    var flag = false
                    if header.type == .bool, case let compact as ThriftCompactReader = reader {
                        flag = compact.pendingBool ?? false
                    }
                    try reader.skip(header.type, depth: depth + 1)
                    nodes.append(ThriftDOM.Node(kind: .scalar, wireType: header.type, id: header.id,
                                                depth: Int32(depth + 1), parent: Int32(index),
                                                subtreeEnd: Int32(nodes.count + 1), start: Int32(headerStart),
                                                valueStart: Int32(valueStart), end: Int32(reader.position),
                                                structIndex: -1, edit: -1, isDirty: false, headerBool: flag))
                }
            }
            reader.endStruct()
        case .list(let element), .set(let element):
            let header = try reader.readListHeader()
            if header.count > 0 && header.element != element.wireType {
                throw CodecError(.invalidWireType, "list elements have wire type \(header.element), expected \(element.wireType)",
                                 offset: start)
            }
            for _ in 0..<header.count {
                _ = try value(element, id: -1, start: reader.position, parent: index, depth: depth + 1)
            }
        case .map(let key, let valueType):
            let header = try reader.readMapHeader()
            if header.count > 0 && (header.key != key.wireType || header.value != valueType.wireType) {
                throw CodecError(.invalidWireType, "map entries have wire types \(header.key)/\(header.value)", offset: start)
            }
            for _ in 0..<header.count {
                _ = try value(key, id: -1, start: reader.position, parent: index, depth: depth + 1)
                _ = try value(valueType, id: -1, start: reader.position, parent: index, depth: depth + 1)
            }
        default:
            try reader.skip(type.wireType, depth: depth)
        }
        nodes[index].end = Int32(reader.position)
        nodes[index].subtreeEnd = Int32(nodes.count)
        return index
    }
}
