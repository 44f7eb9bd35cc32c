/// A bounds-checked read cursor over Protobuf-encoded bytes. All offsets are relative to `base`, the start of the
/// caller's whole buffer, so errors report positions the user can find in their input.
///
/// The cursor never reads outside `[position, end)`; every multi-byte read checks the bound once.
package struct ProtoCursor {
    package let base: UnsafeRawPointer
    package var position: Int
    package var end: Int

    package init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) {
        // An empty buffer may have a nil base; any non-nil pointer is fine since nothing is read from it.
        base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
        position = range.lowerBound
        end = range.upperBound
    }

    package init(base: UnsafeRawPointer, range: Range<Int>) {
        self.base = base
        position = range.lowerBound
        end = range.upperBound
    }

    @inline(__always) package var isAtEnd: Bool { position >= end }
    @inline(__always) package var remaining: Int { end - position }

    @inline(__always)
    package func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Reads a varint. One-byte values take the fast path; longer values are accepted up to 10 bytes, and a 10th
    /// byte may only carry the top bit (anything more overflows 64 bits).
    @inline(__always)
    package mutating func readVarint() throws(CodecError) -> UInt64 {
        guard position < end else { throw .truncated(at: position) }
        let first = byte(at: position)
        if first < 0x80 {
            position += 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @inline(never)
    package mutating func readVarintSlow() throws(CodecError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated(at: start) }
            let current = byte(at: position)
            position += 1
            if shift == 63 {
                // The 10th byte: only its lowest bit fits, and it must end the varint.
                guard current <= 1 else { throw .malformedVarint(at: start) }
                result |= UInt64(current) << 63
                return result
            }
            result |= UInt64(current & 0x7F) << shift
            if current < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a tag and validates its field number and wire type.
    @inline(__always)
    package mutating func readTag() throws(CodecError) -> (number: Int, wireType: ProtoWireType) {
        let start = position
        let raw = try readVarint()
        guard let wireType = ProtoWireType(rawValue: UInt8(truncatingIfNeeded: raw & 7)) else {
            throw CodecError.invalidWireType(Int(raw & 7), at: start)
        }
        let number = raw >> 3
        guard number != 0, number <= UInt64(maxProtoFieldNumber) else {
            throw CodecError.invalidFieldNumber(number, at: start)
        }
        return (Int(number), wireType)
    }

    @inline(__always)
    package mutating func readFixed32() throws(CodecError) -> UInt32 {
        guard end - position >= 4 else { throw .truncated(at: position) }
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    @inline(__always)
    package mutating func readFixed64() throws(CodecError) -> UInt64 {
        guard end - position >= 8 else { throw .truncated(at: position) }
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    /// Reads a length prefix and returns the range of the payload, advancing past it.
    @inline(__always)
    package mutating func readLengthDelimited() throws(CodecError) -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw .lengthOutOfBounds(length, at: start) }
        let payloadStart = position
        position += Int(length)
        return payloadStart..<position
    }

    /// Skips the value of a field whose tag was just read. Groups are skipped to their matching end tag, with
    /// nesting counted against `depth`.
    @inline(__always)
    package mutating func skip(_ wireType: ProtoWireType, number: Int, depth: Int = 100) throws(CodecError) {
        switch wireType {
        case .varint:
            // Scan for the terminating byte without assembling the value.
            if position < end, byte(at: position) < 0x80 {
                position += 1
            } else {
                _ = try readVarintSlow()
            }
        case .fixed64:
            guard end - position >= 8 else { throw .truncated(at: position) }
            position += 8
        case .fixed32:
            guard end - position >= 4 else { throw .truncated(at: position) }
            position += 4
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .startGroup:
            try skipGroup(number: number, depth: depth)
        case .endGroup:
            throw CodecError(.malformedGroup, "end-group tag without a matching start-group", offset: position)
        }
    }

    @inline(never)
    package mutating func skipGroup(number: Int, depth: Int) throws(CodecError) {
        let start = position
        guard depth > 0 else { throw .depthExceeded(100, at: start) }
        while position < end {
            let tag = try readTag()
            if tag.wireType == .endGroup {
                guard tag.number == number else {
                    throw CodecError(.malformedGroup, "end-group tag \(tag.number) does not match start-group \(number)",
                                     offset: position)
                }
                return
            }
            try skip(tag.wireType, number: tag.number, depth: depth - 1)
        }
        throw CodecError(.malformedGroup, "group \(number) has no end tag", offset: start)
    }
}

extension CodecError {
    @inline(never)
    package static func invalidWireType(_ wireType: Int, at offset: Int) -> CodecError {
        CodecError(.invalidWireType, "invalid wire type \(wireType)", offset: offset)
    }

    @inline(never)
    package static func invalidFieldNumber(_ number: UInt64, at offset: Int) -> CodecError {
        CodecError(.invalidFieldNumber, "invalid field number \(number)", offset: offset)
    }
}
