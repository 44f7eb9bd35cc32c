/// Byte layout of one queue header (shmipc.md, "Queue region"); it differs between x86-64 and arm64.
enum QueueLayout {
    static let headerSize = 24
    static let capacityOffset = 0
    #if arch(arm64)
        static let workingFlagOffset = 4
        static let headOffset = 8
        static let tailOffset = 16
    #else
        static let headOffset = 4
        static let tailOffset = 12
        static let workingFlagOffset = 20
    #endif

    /// Bytes one queue of `capacity` elements takes.
    static func queueSize(capacity: Int) -> Int { headerSize + QueueElement.size * capacity }

    /// Bytes of the whole queue region: client->server queue, then server->client queue.
    static func regionSize(capacity: Int) -> Int { 2 * queueSize(capacity: capacity) }
}
