import ShmIPC

/// A ShmIPC socket stream: event headers decoded one after another as the session's reader does, and the payloads
/// of the events that have one (StreamClose, FallbackData, ShareMemoryByFilePath/Memfd). Selector bit 0 picks the
/// largest event accepted: 64 KiB or 1 MiB.
///
/// Invariants: a header that decodes re-encodes to its 8 bytes and its event is at least as long as the fields the
/// session reads without further checks; payloads re-encoded by the protocol's encoders decode to the same values.
enum ShmIPCEventCheck {
    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, stream) = input.selectorAndPayload
        let maximumLength = selector & 1 == 0 ? 64 << 10 : 1 << 20
        var offset = 0
        while offset < stream.count {
            let start = offset
            guard
                let header = try? stream.withUnsafeBytes({ (bytes) throws(ShmIPCError) in
                    try EventHeader.decode(UnsafeRawBufferPointer(rebasing: bytes[start...]), maximumLength: maximumLength)
                })
            else { return }
            let length = Int(header.length)
            try require(length <= maximumLength, "event of \(length) bytes accepted over the limit \(maximumLength)")
            try require(
                length >= EventHeader.minimumLength(of: header.type),
                "\(header.type) of \(length) bytes is shorter than its fields")
            var headerBytes: [UInt8] = []
            header.append(to: &headerBytes)
            try require(
                headerBytes[...] == stream[start..<start + EventHeader.size],
                "header does not re-encode: \(hex(stream[start..<start + EventHeader.size])) -> \(hex(headerBytes))")
            guard start + length <= stream.count else { return }
            let payload = Array(stream[start + EventHeader.size..<start + length])
            try checkPayload(header, payload, event: Array(stream[start..<start + length]))
            offset = start + length
        }
    }

    static func checkPayload(_ header: EventHeader, _ payload: [UInt8], event: [UInt8]) throws(FuzzInvariantViolation) {
        switch header.type {
        case .streamClose:
            // Bytes after the stream id are ignored, as the deployed peer ignores them.
            let encoded = Events.streamClose(streamID: bigEndian(payload, at: 0), version: header.version)
            try require(
                encoded.dropFirst(EventHeader.size) == event[EventHeader.size..<12],
                "StreamClose re-encodes as \(hex(encoded))")
        case .fallbackData:
            let data = payload.dropFirst(8)
            let encoded = Events.fallbackPrefix(
                streamID: bigEndian(payload, at: 0), status: bigEndian(payload, at: 4), dataCount: data.count,
                version: header.version) + data
            try require(encoded == event, "FallbackData re-encodes as \(hex(encoded))")
        case .shareMemoryByFilePath, .shareMemoryByMemfd:
            let decode = { (bytes: [UInt8]) -> (queue: String, buffer: String)? in
                bytes.withUnsafeBytes { raw in try? Events.decodePaths(raw) }
            }
            guard let paths = decode(payload) else { return }
            let encoded = Events.shareMemory(
                header.type, queuePath: paths.queue, bufferPath: paths.buffer, version: header.version)
            guard let again = decode(Array(encoded.dropFirst(EventHeader.size))) else {
                throw FuzzInvariantViolation("re-encoded share-memory paths do not decode: \(hex(encoded))")
            }
            try require(again == paths, "share-memory paths not stable: \(paths) -> \(again)")
        case .polling, .exchangeProtoVersion, .ackShareMemory, .ackReadyRecvFD:
            if event.count == EventHeader.size {
                let encoded = Events.empty(header.type, version: header.version)
                try require(encoded == event, "\(header.type) re-encodes as \(hex(encoded))")
            }
        case .hotRestart, .hotRestartAck:
            break
        }
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
