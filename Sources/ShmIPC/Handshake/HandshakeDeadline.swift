/// The handshake's single deadline, re-armed as the socket timeout before each blocking step.
struct HandshakeDeadline {
    let end: UInt64
    let socket: Int32

    init(timeout: Duration, socket: Int32) {
        self.end = monotonicNanoseconds() + timeout.nanoseconds
        self.socket = socket
    }

    func arm() throws(ShmIPCError) {
        let now = monotonicNanoseconds()
        guard now < end else { throw ShmIPCError(.handshakeTimeout, "the handshake did not finish in time") }
        UnixSocket.setTimeout(socket, nanoseconds: end - now)
    }

    func disarm() { UnixSocket.setTimeout(socket, nanoseconds: nil) }

    /// Reads the next event, expecting `type`.
    func expect(_ type: EventType, from reader: EventReader) throws(ShmIPCError) -> (
        EventHeader, UnsafeRawBufferPointer
    ) {
        try arm()
        let (header, payload) = try reader.next(from: socket)
        guard header.type == type else {
            throw ShmIPCError(.unexpectedEvent, "handshake expected \(type) but received \(header.type)")
        }
        return (header, payload)
    }
}
