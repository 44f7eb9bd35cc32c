import Glibc

/// The server's side of the handshake: it learns the protocol version from the first event's version byte
/// and maps the regions the client created.
enum ServerHandshake {
    static func run(socket: consuming FileDescriptor, configuration: ShmIPCConfiguration) throws(ShmIPCError)
        -> SessionCore
    {
        let deadline = HandshakeDeadline(timeout: configuration.handshakeTimeout, socket: socket.rawValue)
        let reader = EventReader(maximumEventLength: 64 * 1024)
        try deadline.arm()
        let (first, firstPayload) = try reader.next(from: socket.rawValue)

        let version: UInt8
        let bufferRegion: SharedRegion
        let queueRegion: SharedRegion
        switch (first.version, first.type) {
        case (2, .shareMemoryByFilePath):
            version = 2
            (queueRegion, bufferRegion) = try mapFiles(firstPayload, configuration: configuration)
        case (3, .exchangeProtoVersion):
            let offered = min(3, max(2, configuration.maximumProtocolVersion))
            try deadline.arm()
            try UnixSocket.sendAll(socket.rawValue, Events.empty(.exchangeProtoVersion, version: offered))
            version = min(first.version, offered)
            if version == 3 {
                _ = try deadline.expect(.shareMemoryByMemfd, from: reader)
                try deadline.arm()
                try UnixSocket.sendAll(socket.rawValue, Events.empty(.ackReadyRecvFD, version: 3))
                guard !reader.hasBufferedBytes else {
                    throw ShmIPCError(.unexpectedEvent, "the client sent more events before its memory descriptors")
                }
                try deadline.arm()
                let descriptors = try UnixSocket.receiveDescriptors(socket.rawValue)
                guard descriptors.count == 2 else {
                    for descriptor in descriptors { close(descriptor) }
                    throw ShmIPCError(
                        .handshakeFailed, "expected 2 memory descriptors (buffer, queue), received \(descriptors.count)"
                    )
                }
                let bufferDescriptor = FileDescriptor(adopting: descriptors[0])
                let queueDescriptor = FileDescriptor(adopting: descriptors[1])
                bufferRegion = try SharedRegion.attach(descriptor: bufferDescriptor, name: "buffer")
                queueRegion = try SharedRegion.attach(descriptor: queueDescriptor, name: "queue")
                try deadline.arm()
                try UnixSocket.sendAll(socket.rawValue, Events.empty(.ackShareMemory, version: 3))
            } else {
                let (_, payload) = try deadline.expect(.shareMemoryByFilePath, from: reader)
                (queueRegion, bufferRegion) = try mapFiles(payload, configuration: configuration)
            }
        case (2, _), (3, _):
            throw ShmIPCError(
                .unexpectedEvent, "a handshake cannot start with \(first.type) (version \(first.version))")
        default:
            throw ShmIPCError(
                .badVersion, "the client proposes protocol version \(first.version); only 2 and 3 are known")
        }
        let buffer = try BufferManager.attach(region: bufferRegion)
        let (clientToServer, serverToClient) = try SharedQueue.attach(region: queueRegion)
        deadline.disarm()
        var sessionConfiguration = configuration
        sessionConfiguration.maximumProtocolVersion = version
        let core = SessionCore(
            role: .server, version: version, configuration: sessionConfiguration,
            socket: SessionSocket(adopting: socket),
            buffer: buffer, queueRegion: queueRegion, sendQueue: serverToClient, receiveQueue: clientToServer)
        reader.maximumEventLength = configuration.maximumEventLength
        core.start(reader: reader)
        return core
    }

    private static func mapFiles(
        _ payload: UnsafeRawBufferPointer, configuration: ShmIPCConfiguration
    ) throws(ShmIPCError) -> (queue: SharedRegion, buffer: SharedRegion) {
        let paths = try Events.decodePaths(payload)
        let queue = try SharedRegion.attachFile(path: paths.queue, directory: configuration.allowedFileDirectory)
        let buffer = try SharedRegion.attachFile(path: paths.buffer, directory: configuration.allowedFileDirectory)
        return (queue, buffer)
    }
}
