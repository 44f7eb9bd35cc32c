/// A malformed or oversized frame from a peer.
public struct FramingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Byte offset in the stream chunk where the problem was found.
    public var offset: Int

    public init(_ message: String, offset: Int = 0) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "bad frame: \(message) (byte \(offset))" }
}
