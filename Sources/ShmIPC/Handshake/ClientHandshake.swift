import Glibc
import Synchronization

/// The client's side of the handshake: it creates both regions and hands them to the server.
enum ClientHandshake {
    private static let sessionCounter = Atomic<Int>(0)

    static func run(socketPath: String, configuration: ShmIPCConfiguration) throws(ShmIPCError) -> SessionCore {
        let socket = try UnixSocket.connect(path: socketPath)
        let deadline = HandshakeDeadline(timeout: configuration.handshakeTimeout, socket: socket.rawValue)
        let reader = EventReader(maximumEventLength: configuration.maximumEventLength)

        var version: UInt8 = 2
        if configuration.mappingMode == .memfd {
            try deadline.arm()
            try UnixSocket.sendAll(socket.rawValue, Events.empty(.exchangeProtoVersion, version: 3))
            let (header, _) = try deadline.expect(.exchangeProtoVersion, from: reader)
            version = min(3, header.version)
            guard version >= 2 else {
                throw ShmIPCError(.badVersion, "the server offers protocol version \(header.version); 2 or 3 is needed")
            }
        }

        let sessionID = sessionCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let buffer = try BufferRegionRegistry.acquire(configuration: configuration, memfd: version == 3)
        var handedOver = false
        defer { if !handedOver { BufferRegionRegistry.release(buffer) } }
        let queuePath = "\(configuration.pathPrefix)_\(getpid())_queue_\(sessionID)"
        let queueSize = QueueLayout.regionSize(capacity: configuration.queueCapacity)
        let queueRegion =
            version == 3
            ? try SharedRegion.createMemfd(name: queuePath, count: queueSize)
            : try SharedRegion.createFile(path: queuePath, count: queueSize)
        let (clientToServer, serverToClient) = try SharedQueue.format(
            region: queueRegion, capacity: configuration.queueCapacity)

        if version == 3 {
            try deadline.arm()
            try UnixSocket.sendAll(
                socket.rawValue,
                Events.shareMemory(
                    .shareMemoryByMemfd, queuePath: queuePath, bufferPath: buffer.region.name, version: 3))
            _ = try deadline.expect(.ackReadyRecvFD, from: reader)
            guard let bufferFD = buffer.region.descriptorValue, let queueFD = queueRegion.descriptorValue else {
                throw ShmIPCError(.handshakeFailed, "memfd regions lost their descriptors")
            }
            try deadline.arm()
            try UnixSocket.sendDescriptors(socket.rawValue, [bufferFD, queueFD])
            _ = try deadline.expect(.ackShareMemory, from: reader)
        } else {
            try deadline.arm()
            try UnixSocket.sendAll(
                socket.rawValue,
                Events.shareMemory(
                    .shareMemoryByFilePath, queuePath: queuePath, bufferPath: buffer.region.name, version: 2))
        }
        deadline.disarm()
        let core = SessionCore(
            role: .client, version: version, configuration: configuration, socket: SessionSocket(adopting: socket),
            buffer: buffer, queueRegion: queueRegion, sendQueue: clientToServer, receiveQueue: serverToClient)
        handedOver = true
        core.start(reader: reader)
        return core
    }
}
