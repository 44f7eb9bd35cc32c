/// Safety limits applied while reading or writing encoded data. The defaults are safe for untrusted input.
public struct CodecLimits: Sendable, Hashable {
    /// Maximum nesting of messages, groups, lists and maps.
    public var maxDepth: Int
    /// Maximum size of a single encoded message accepted or produced.
    public var maxMessageSize: Int

    public init(maxDepth: Int = 100, maxMessageSize: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxMessageSize = maxMessageSize
    }

    public static let `default` = CodecLimits()
}
