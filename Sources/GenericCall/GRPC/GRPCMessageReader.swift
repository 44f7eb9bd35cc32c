import NIOCore

/// Splits a gRPC body, as it arrives in DATA frames, into length-prefixed messages (a 1-byte compressed flag, a
/// big-endian u32 length, the bytes). A message inside one frame is returned as a slice of that frame, without a
/// copy; only a message split across frames is gathered into one buffer.
struct GRPCMessageReader {
    /// One message: its bytes (prefix removed) and whether its compressed flag was set.
    struct Message {
        var bytes: ByteBuffer
        var compressed: Bool
    }

    /// A prefix announcing more than this many bytes fails the call instead of buffering them.
    let maximumLength: Int
    /// Received bytes not yet returned as messages; nil when none are held.
    private var pending: ByteBuffer?

    init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    /// True while part of a message is held: a body that ends here was truncated.
    var holdsPartialMessage: Bool { (pending?.readableBytes ?? 0) > 0 }

    /// Adds the payload of one DATA frame.
    mutating func append(_ data: ByteBuffer) {
        guard data.readableBytes > 0 else { return }
        if pending == nil || pending!.readableBytes == 0 {
            pending = data
        } else {
            pending!.writeImmutableBuffer(data)
        }
    }

    /// The next whole message, nil until one has fully arrived; throws the announced length when it is over the
    /// limit.
    mutating func next() throws(GRPCMessageTooLarge) -> Message? {
        guard var buffer = pending, buffer.readableBytes >= 5,
            let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        else { return nil }
        guard Int(length) <= maximumLength else { throw GRPCMessageTooLarge(length: Int(length)) }
        guard buffer.readableBytes >= 5 + Int(length) else {
            // Make room for the whole message once, so a large message is not copied again for every frame.
            let missing = 5 + Int(length) - buffer.readableBytes
            if buffer.writableBytes < missing {
                pending = nil
                buffer.reserveCapacity(minimumWritableBytes: missing)
                pending = buffer
            }
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 5)
        guard let message = buffer.readSlice(length: Int(length)) else { return nil }
        pending = buffer.readableBytes == 0 ? nil : buffer
        return Message(bytes: message, compressed: flag != 0)
    }
}

/// A reply message longer than the configured limit.
struct GRPCMessageTooLarge: Error {
    var length: Int
}
