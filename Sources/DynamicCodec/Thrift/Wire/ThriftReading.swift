/// A read cursor for one Thrift protocol. Reflection, DOM, skip and conversion code is generic over it and gets
/// specialized per protocol.
package protocol ThriftReading {
    init(base: UnsafeRawPointer, range: Range<Int>, maxDepth: Int)
    var base: UnsafeRawPointer { get }
    var position: Int { get set }
    var end: Int { get }
    var maxDepth: Int { get }

    /// Starts reading a struct's fields (the compact protocol tracks the previous field id per struct).
    mutating func beginStruct() throws(CodecError)
    mutating func endStruct()
    /// The next field header, or nil at the STOP marker (which is consumed).
    mutating func readFieldHeader() throws(CodecError) -> (type: ThriftWireType, id: Int16)?
    mutating func readBool() throws(CodecError) -> Bool
    mutating func readByte() throws(CodecError) -> Int8
    mutating func readI16() throws(CodecError) -> Int16
    mutating func readI32() throws(CodecError) -> Int32
    mutating func readI64() throws(CodecError) -> Int64
    mutating func readDouble() throws(CodecError) -> Double
    /// The byte range of a string or binary value.
    mutating func readBinary() throws(CodecError) -> Range<Int>
    mutating func readUUID() throws(CodecError) -> Range<Int>
    mutating func readListHeader() throws(CodecError) -> (element: ThriftWireType, count: Int)
    mutating func readMapHeader() throws(CodecError) -> (key: ThriftWireType, value: ThriftWireType, count: Int)
    /// Skips a list or set of `count` elements of a fixed-size type in one step, if the protocol allows.
    mutating func skipFixedElements(_ type: ThriftWireType, count: Int) throws(CodecError) -> Bool
    mutating func readMessageHeader() throws(CodecError) -> ThriftMessageHeader
}

extension ThriftReading {
    @inline(__always)
    package func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Checks that `count` elements of at least `minimumSize` bytes each can fit in what remains, so a hostile
    /// count cannot make us allocate or loop beyond what the input justifies.
    @inline(__always)
    package func checkCount(_ count: Int, minimumSize: Int, at offset: Int) throws(CodecError) {
        guard count >= 0 else {
            throw CodecError(.invalidValue, "negative container size \(count)", offset: offset)
        }
        guard count <= (end - position) / max(minimumSize, 1) else {
            throw CodecError(.lengthOutOfBounds, "container of \(count) elements cannot fit in the \(end - position) bytes left",
                             offset: offset)
        }
    }

    /// Skips one value of `type`, containers and structs included, within the depth limit.
    package mutating func skip(_ type: ThriftWireType, depth: Int = 0) throws(CodecError) {
        guard depth < maxDepth else { throw .depthExceeded(maxDepth, at: position) }
        switch type {
        case .bool: _ = try readBool()
        case .byte: _ = try readByte()
        case .i16: _ = try readI16()
        case .i32: _ = try readI32()
        case .i64: _ = try readI64()
        case .double: _ = try readDouble()
        case .string: _ = try readBinary()
        case .uuid: _ = try readUUID()
        case .struct:
            try beginStruct()
            while let field = try readFieldHeader() { try skip(field.type, depth: depth + 1) }
            endStruct()
        case .list, .set:
            let header = try readListHeader()
            if try skipFixedElements(header.element, count: header.count) { return }
            for _ in 0..<header.count { try skip(header.element, depth: depth + 1) }
        case .map:
            let header = try readMapHeader()
            for _ in 0..<header.count {
                try skip(header.key, depth: depth + 1)
                try skip(header.value, depth: depth + 1)
            }
        case .stop:
            throw CodecError(.invalidWireType, "unexpected STOP type", offset: position)
        }
    }
}

extension CodecError {
    @inline(never)
    package static func invalidThriftType(_ code: UInt8, at offset: Int) -> CodecError {
        CodecError(.invalidWireType, "invalid Thrift type code \(code)", offset: offset)
    }
}
