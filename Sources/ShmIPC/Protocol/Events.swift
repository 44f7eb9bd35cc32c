/// Encoders and payload decoders for the events ShmIPC exchanges.
package enum Events {
    /// An event with no payload (Polling, ExchangeProtoVersion, the two acks).
    package static func empty(_ type: EventType, version: UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(EventHeader.size)
        EventHeader(length: UInt32(EventHeader.size), version: version, type: type).append(to: &bytes)
        return bytes
    }

    package static func streamClose(streamID: UInt32, version: UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        EventHeader(length: 12, version: version, type: .streamClose).append(to: &bytes)
        bytes.appendBigEndian(streamID)
        return bytes
    }

    /// The 16 bytes in front of FallbackData's data: header, stream id, status.
    package static func fallbackPrefix(streamID: UInt32, status: UInt32, dataCount: Int, version: UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        EventHeader(length: UInt32(16 + dataCount), version: version, type: .fallbackData).append(to: &bytes)
        bytes.appendBigEndian(streamID)
        bytes.appendBigEndian(status)
        return bytes
    }

    /// ShareMemoryByFilePath (type 0) or ShareMemoryByMemfd (type 5): queue path, then buffer path.
    package static func shareMemory(_ type: EventType, queuePath: String, bufferPath: String, version: UInt8) -> [UInt8] {
        let queue = Array(queuePath.utf8)
        let buffer = Array(bufferPath.utf8)
        var bytes: [UInt8] = []
        let length = EventHeader.size + 2 + queue.count + 2 + buffer.count
        EventHeader(length: UInt32(length), version: version, type: type).append(to: &bytes)
        bytes.appendBigEndian(UInt16(queue.count))
        bytes += queue
        bytes.appendBigEndian(UInt16(buffer.count))
        bytes += buffer
        return bytes
    }

    /// Decodes the two length-prefixed paths of a ShareMemory event payload.
    package static func decodePaths(_ payload: UnsafeRawBufferPointer) throws(ShmIPCError) -> (queue: String, buffer: String) {
        var offset = 0
        func string() throws(ShmIPCError) -> String {
            guard offset + 2 <= payload.count else {
                throw ShmIPCError(.badEvent, "share-memory event truncated at byte \(offset)")
            }
            let count = Int(payload.bigEndianUInt16(at: offset))
            offset += 2
            guard offset + count <= payload.count else {
                throw ShmIPCError(.badEvent, "share-memory path of \(count) bytes overruns the event at byte \(offset)")
            }
            let text = String(
                decoding: UnsafeRawBufferPointer(rebasing: payload[offset..<offset + count]), as: UTF8.self)
            offset += count
            return text
        }
        let queue = try string()
        let buffer = try string()
        return (queue, buffer)
    }
}
