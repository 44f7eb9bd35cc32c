/// What ``ShmIPCStream/poll(_:)`` found.
public enum PollResult: Sendable, Equatable {
    /// The body was shown bytes and consumed this many of them.
    case consumed(Int)
    /// No bytes are available yet.
    case empty
    /// The peer ended its direction and every byte has been read.
    case endOfStream
    /// The stream ended with an error (for example the peer died); no more bytes will come.
    case failed(ShmIPCError)
}
