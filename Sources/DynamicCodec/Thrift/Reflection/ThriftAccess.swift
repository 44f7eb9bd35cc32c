/// Where one field of a struct sits: `headerStart..<valueStart` is its header (in the compact protocol a bool's
/// value is in the header, so `valueStart == end`), `valueStart..<end` its value.
struct ThriftFieldSpan {
    var id: Int16
    var type: ThriftWireType
    var headerStart: Int
    var valueStart: Int
    var end: Int
}

/// The fields of one struct and where its STOP marker is.
struct ThriftStructLayout {
    var fields: [ThriftFieldSpan]
    var stop: Int
    /// First byte after the STOP marker.
    var end: Int { stop + 1 }
}

/// A container's header and its elements (for maps: key and value per entry).
struct ThriftContainerLayout {
    var headerRange: Range<Int>
    var element: ThriftWireType
    var mapValue: ThriftWireType
    var count: Int
    /// Element ranges; for maps, keys at even and values at odd positions.
    var items: [Range<Int>]
    var end: Int
}

/// The algorithms of in-place reflection, generic over the protocol (specialized per reader/writer pair).
struct ThriftAccess<Reader: ThriftReading, Writer: ThriftWriting> {
    var value: ThriftValue

    init(_ value: ThriftValue) { self.value = value }

    var schema: ThriftSchema { value.schema }
    var limits: CodecLimits { value.limits }

    /// Runs `body` with the base address of storage.
    @inline(__always)
    func withBase<Result>(_ body: (UnsafeRawPointer, Int) throws(CodecError) -> Result) throws(CodecError) -> Result {
        try value.storage.withCodecBytes { (buffer) throws(CodecError) in
            try body(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!, buffer.count)
        }
    }

    func validate() throws(CodecError) {
        let range = value.range
        try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: range, maxDepth: limits.maxDepth)
            try reader.skip(.struct)
        }
    }

    /// The fields of the struct that starts at `start`.
    func layout(ofStructAt start: Int) throws(CodecError) -> ThriftStructLayout {
        let end = value.range.upperBound
        return try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: start..<end, maxDepth: limits.maxDepth)
            try reader.beginStruct()
            var fields: [ThriftFieldSpan] = []
            while true {
                let headerStart = reader.position
                guard let header = try reader.readFieldHeader() else { break }
                let valueStart = reader.position
                try reader.skip(header.type, depth: 1)
                // A compact bool's value was in its header: the skip consumed nothing more.
                fields.append(ThriftFieldSpan(id: header.id, type: header.type, headerStart: headerStart,
                                              valueStart: valueStart, end: reader.position))
            }
            return ThriftStructLayout(fields: fields, stop: reader.position - 1)
        }
    }

    /// The header and element ranges of the list, set or map at `start`.
    func layout(ofContainerAt start: Int, type: ThriftWireType) throws(CodecError) -> ThriftContainerLayout {
        let end = value.range.upperBound
        return try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: start..<end, maxDepth: limits.maxDepth)
            var layout: ThriftContainerLayout
            if type == .map {
                let header = try reader.readMapHeader()
                layout = ThriftContainerLayout(headerRange: start..<reader.position, element: header.key,
                                               mapValue: header.value, count: header.count, items: [], end: 0)
                layout.items.reserveCapacity(header.count * 2)
                for _ in 0..<header.count {
                    var itemStart = reader.position
                    try reader.skip(header.key, depth: 1)
                    layout.items.append(itemStart..<reader.position)
                    itemStart = reader.position
                    try reader.skip(header.value, depth: 1)
                    layout.items.append(itemStart..<reader.position)
                }
            } else {
                let header = try reader.readListHeader()
                layout = ThriftContainerLayout(headerRange: start..<reader.position, element: header.element,
                                               mapValue: .stop, count: header.count, items: [], end: 0)
                layout.items.reserveCapacity(header.count)
                for _ in 0..<header.count {
                    let itemStart = reader.position
                    try reader.skip(header.element, depth: 1)
                    layout.items.append(itemStart..<reader.position)
                }
            }
            layout.end = reader.position
            return layout
        }
    }

    /// The start of the `index`-th element of a list or set without recording the others (fixed-size elements
    /// are jumped over in one step), with the element count.
    func element(_ index: Int, ofListAt start: Int) throws(CodecError) -> (start: Int, count: Int, type: ThriftWireType)? {
        let end = value.range.upperBound
        return try withBase { (base, _) throws(CodecError) in
            var reader = Reader(base: base, range: start..<end, maxDepth: limits.maxDepth)
            let header = try reader.readListHeader()
            guard index >= 0, index < header.count else { return nil }
            if try !reader.skipFixedElements(header.element, count: index) {
                for _ in 0..<index { try reader.skip(header.element, depth: 1) }
            }
            return (reader.position, header.count, header.element)
        }
    }

    /// Resolves a field step against a struct type (by name, `api.key` or id).
    func field(for step: FieldPath.Step, in type: ThriftStructDescriptor) throws(CodecError) -> ThriftFieldDescriptor {
        try type.field(for: step)
    }

    func checkType(_ field: ThriftFieldDescriptor, _ span: ThriftFieldSpan) throws(CodecError) {
        guard span.type == field.type.wireType else {
            throw CodecError(.invalidWireType,
                             "field '\(field.name)' is \(field.declaredTypeName) but has wire type \(span.type)",
                             offset: span.headerStart)
        }
    }
}
