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
        let mapped: (queue: SharedRegion, buffer: BufferManager)
        switch (first.version, first.type) {
        case (2, .shareMemoryByFilePath):
            version = 2
            mapped = try mapFiles(firstPayload, socket: socket.rawValue, configuration: configuration)
        case (3, .exchangeProtoVersion):
            let offered = min(3, max(2, configuration.maximumProtocolVersion))
            try deadline.arm()
            try UnixSocket.sendAll(socket.rawValue, Events.empty(.exchangeProtoVersion, version: offered))
            version = min(first.version, offered)
            if version == 3 {
                mapped = try mapDescriptors(socket: socket.rawValue, reader: reader, deadline: deadline)
            } else {
                let (_, payload) = try deadline.expect(.shareMemoryByFilePath, from: reader)
                mapped = try mapFiles(payload, socket: socket.rawValue, configuration: configuration)
            }
        case (2, _), (3, _):
            throw ShmIPCError(
                .unexpectedEvent, "a handshake cannot start with \(first.type) (version \(first.version))")
        default:
            throw ShmIPCError(
                .badVersion, "the client proposes protocol version \(first.version); only 2 and 3 are known")
        }
        var handedOver = false
        defer { if !handedOver { ServerBufferRegistry.release(mapped.buffer) } }
        let (clientToServer, serverToClient) = try SharedQueue.attach(region: mapped.queue)
        if version == 3 {
            try deadline.arm()
            try UnixSocket.sendAll(socket.rawValue, Events.empty(.ackShareMemory, version: 3))
        }
        deadline.disarm()
        var sessionConfiguration = configuration
        sessionConfiguration.maximumProtocolVersion = version
        let core = SessionCore(
            role: .server, version: version, configuration: sessionConfiguration,
            socket: SessionSocket(adopting: socket),
            buffer: mapped.buffer, queueRegion: mapped.queue, sendQueue: serverToClient, receiveQueue: clientToServer)
        handedOver = true
        reader.maximumEventLength = configuration.maximumEventLength
        core.start(reader: reader)
        return core
    }

    /// v3: ShareMemoryByMemfd, AckReadyRecvFD, then the descriptors [buffer, queue] (the ack follows later).
    private static func mapDescriptors(
        socket: Int32, reader: EventReader, deadline: HandshakeDeadline
    ) throws(ShmIPCError) -> (queue: SharedRegion, buffer: BufferManager) {
        _ = try deadline.expect(.shareMemoryByMemfd, from: reader)
        try deadline.arm()
        try UnixSocket.sendAll(socket, Events.empty(.ackReadyRecvFD, version: 3))
        guard !reader.hasBufferedBytes else {
            throw ShmIPCError(.unexpectedEvent, "the client sent more events before its memory descriptors")
        }
        try deadline.arm()
        let descriptors = try UnixSocket.receiveDescriptors(socket)
        guard descriptors.count == 2 else {
            for descriptor in descriptors { close(descriptor) }
            throw ShmIPCError(
                .handshakeFailed, "expected 2 memory descriptors (buffer, queue), received \(descriptors.count)")
        }
        let queueDescriptor = FileDescriptor(adopting: descriptors[1])
        let buffer = try ServerBufferRegistry.acquire(
            descriptor: FileDescriptor(adopting: descriptors[0]), name: "buffer", unlinkPath: nil)
        do {
            return (try SharedRegion.attach(descriptor: queueDescriptor, name: "queue"), buffer)
        } catch {
            ServerBufferRegistry.release(buffer)
            throw error
        }
    }

    /// v2: opens the two files the client named (validated, see ``FilePathValidation``); the queue file is
    /// removed when the session ends, the buffer file when the last session using it ends.
    private static func mapFiles(
        _ payload: UnsafeRawBufferPointer, socket: Int32, configuration: ShmIPCConfiguration
    ) throws(ShmIPCError) -> (queue: SharedRegion, buffer: BufferManager) {
        let paths = try Events.decodePaths(payload)
        let owner = UnixSocket.peerUID(socket)
        let directory = configuration.allowedFileDirectory
        let queueDescriptor = try FilePathValidation.open(paths.queue, directory: directory, ownerUID: owner)
        let bufferDescriptor = try FilePathValidation.open(paths.buffer, directory: directory, ownerUID: owner)
        let buffer = try ServerBufferRegistry.acquire(
            descriptor: bufferDescriptor, name: paths.buffer, unlinkPath: paths.buffer)
        do {
            let queue = try SharedRegion.attach(descriptor: queueDescriptor, name: paths.queue, unlinkPath: paths.queue)
            return (queue, buffer)
        } catch {
            ServerBufferRegistry.release(buffer)
            throw error
        }
    }
}
