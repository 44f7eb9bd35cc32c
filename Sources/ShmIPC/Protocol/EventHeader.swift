/// The 8-byte big-endian header in front of every event on the socket.
///
/// Layout: u32 total length (header included), u16 magic 0x7758, u8 version, u8 type. Package-visible for the
/// fuzzing checks (Tests/FuzzChecks), which feed the decoder hostile bytes.
package struct EventHeader: Sendable, Equatable {
    package static let size = 8
    package static let magic: UInt16 = 0x7758

    package var length: UInt32
    package var version: UInt8
    package var type: EventType

    package var payloadLength: Int { Int(length) - EventHeader.size }

    /// Decodes and validates a header. `maximumLength` bounds what the peer may make us buffer.
    package static func decode(_ bytes: UnsafeRawBufferPointer, maximumLength: Int) throws(ShmIPCError) -> EventHeader {
        guard bytes.count >= size else {
            throw ShmIPCError(.badEvent, "event header truncated: \(bytes.count) of 8 bytes")
        }
        let magic = bytes.bigEndianUInt16(at: 4)
        guard magic == EventHeader.magic else {
            throw ShmIPCError(.badMagic, "event header magic is 0x\(String(magic, radix: 16)), expected 0x7758")
        }
        let version = bytes[6]
        guard version != 0 else { throw ShmIPCError(.badVersion, "event header carries version 0") }
        guard let type = EventType(rawValue: bytes[7]) else {
            throw ShmIPCError(.badEvent, "unknown event type \(bytes[7]) (types are 0...9)")
        }
        let length = bytes.bigEndianUInt32(at: 0)
        guard length >= UInt32(size) else {
            throw ShmIPCError(.badEvent, "event length \(length) is shorter than its 8-byte header")
        }
        guard Int(length) <= maximumLength else {
            throw ShmIPCError(.badEvent, "event length \(length) exceeds the limit of \(maximumLength) bytes")
        }
        let minimum = EventHeader.minimumLength(of: type)
        guard Int(length) >= minimum else {
            throw ShmIPCError(.badEvent, "event \(type) of length \(length) is shorter than its minimum \(minimum)")
        }
        return EventHeader(length: length, version: version, type: type)
    }

    package static func minimumLength(of type: EventType) -> Int {
        switch type {
        case .streamClose: return size + 4
        case .fallbackData: return size + 8
        case .hotRestart, .hotRestartAck: return size + 8
        case .shareMemoryByFilePath, .shareMemoryByMemfd: return size + 4
        default: return size
        }
    }

    package func append(to bytes: inout [UInt8]) {
        bytes.appendBigEndian(length)
        bytes.appendBigEndian(EventHeader.magic)
        bytes.append(version)
        bytes.append(type.rawValue)
    }
}
