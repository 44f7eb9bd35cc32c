/// One 12-byte queue element: which stream, where its message chain starts, and the stream status.
struct QueueElement: Sendable, Equatable {
    static let size = 12
    /// Status of a data element.
    static let statusData: UInt32 = 0
    /// Status of the element that closes a stream.
    static let statusClosed: UInt32 = 1

    var streamID: UInt32
    var offsetInBuffer: UInt32
    var status: UInt32

    /// The stream state lives in the status's low byte.
    var isClose: Bool { status & 0xFF == QueueElement.statusClosed }
}
