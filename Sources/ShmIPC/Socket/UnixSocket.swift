import Glibc

/// Blocking Unix-domain stream socket calls, with errors mapped to ``ShmIPCError``.
enum UnixSocket {
    static func address(_ path: String) throws(ShmIPCError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw ShmIPCError(.invalidArgument, "socket path must be 1...\(capacity - 1) bytes: '\(path)'")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private static func newSocket() throws(ShmIPCError) -> FileDescriptor {
        let raw = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw .system("socket", errno: currentErrno) }
        return FileDescriptor(adopting: raw)
    }

    static func connect(path: String) throws(ShmIPCError) -> FileDescriptor {
        var address = try address(path)
        let descriptor = try newSocket()
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw .system("connect(\(path))", errno: currentErrno) }
        return descriptor
    }

    /// Binds and listens; a stale socket file at `path` is replaced.
    static func listen(path: String, backlog: Int32 = 128) throws(ShmIPCError) -> FileDescriptor {
        var address = try address(path)
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
        let descriptor = try newSocket()
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw .system("bind(\(path))", errno: currentErrno) }
        guard Glibc.listen(descriptor.rawValue, backlog) == 0 else { throw .system("listen", errno: currentErrno) }
        return descriptor
    }

    /// The user id of the process at the other end (SO_PEERCRED), or nil if the kernel does not say.
    static func peerUID(_ descriptor: Int32) -> UInt32? {
        // struct ucred: pid_t pid, uid_t uid, gid_t gid.
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        let peerCredentials: Int32 = 17
        guard getsockopt(descriptor, SOL_SOCKET, peerCredentials, &credentials, &length) == 0 else { return nil }
        return credentials.1
    }

    /// Sets (or with nil clears) the receive and send timeouts.
    static func setTimeout(_ descriptor: Int32, nanoseconds: UInt64?) {
        let value = nanoseconds ?? 0
        var time = timeval(tv_sec: Int(value / 1_000_000_000), tv_usec: Int(value % 1_000_000_000 / 1000))
        if nanoseconds != nil, time.tv_sec == 0, time.tv_usec == 0 { time.tv_usec = 1 }
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; no SIGPIPE.
    static func sendAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(ShmIPCError) {
        var offset = 0
        while offset < bytes.count {
            let sent = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                let error = currentErrno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK {
                    throw ShmIPCError(.handshakeTimeout, "timed out writing to the socket")
                }
                if error == EPIPE || error == ECONNRESET || error == ENOTCONN || error == EBADF {
                    throw ShmIPCError(.peerGone, "the peer closed the connection")
                }
                throw .system("send", errno: error)
            }
            offset += sent
        }
    }

    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(ShmIPCError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ShmIPCError) in try sendAll(descriptor, raw) }
        }
        try result.get()
    }

    // cmsghdr on 64-bit Linux: size_t len, int level, int type, then data aligned to 8.
    private static let controlHeaderSize = 16

    /// Sends one 0x00 byte carrying `descriptors` as SCM_RIGHTS (the v3 handshake's step 5).
    static func sendDescriptors(_ socket: Int32, _ descriptors: [Int32]) throws(ShmIPCError) {
        let dataSize = descriptors.count * 4
        let controlSize = controlHeaderSize + (dataSize + 7) & ~7
        let control = UnsafeMutableRawBufferPointer.allocate(byteCount: controlSize, alignment: 8)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0)
        control.storeBytes(of: controlHeaderSize + dataSize, toByteOffset: 0, as: Int.self)
        control.storeBytes(of: SOL_SOCKET, toByteOffset: 8, as: Int32.self)
        control.storeBytes(of: Int32(SCM_RIGHTS), toByteOffset: 12, as: Int32.self)
        for (index, descriptor) in descriptors.enumerated() {
            control.storeBytes(of: descriptor, toByteOffset: controlHeaderSize + index * 4, as: Int32.self)
        }
        var byte: UInt8 = 0
        let result = withUnsafeMutablePointer(to: &byte) { bytePointer in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = controlSize
                return sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
            }
        }
        guard result == 1 else {
            if result < 0 && (currentErrno == EAGAIN || currentErrno == EWOULDBLOCK) {
                throw ShmIPCError(.handshakeTimeout, "timed out sending the memory descriptors")
            }
            throw .system("sendmsg(SCM_RIGHTS)", errno: currentErrno)
        }
    }

    /// Receives the one-byte message carrying descriptors. Every received descriptor is returned (the
    /// caller owns and must close them), in order.
    static func receiveDescriptors(_ socket: Int32) throws(ShmIPCError) -> [Int32] {
        let controlSize = controlHeaderSize + 8 * 4
        let control = UnsafeMutableRawBufferPointer.allocate(byteCount: controlSize, alignment: 8)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0)
        var byte: UInt8 = 0xFF
        var flags: Int32 = 0
        var controlLength = 0
        let result = withUnsafeMutablePointer(to: &byte) { bytePointer in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = controlSize
                let received = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
                flags = message.msg_flags
                controlLength = message.msg_controllen
                return received
            }
        }
        var descriptors: [Int32] = []
        var offset = 0
        while offset + controlHeaderSize <= controlLength {
            let length = control.load(fromByteOffset: offset, as: Int.self)
            let level = control.load(fromByteOffset: offset + 8, as: Int32.self)
            let type = control.load(fromByteOffset: offset + 12, as: Int32.self)
            guard length >= controlHeaderSize, offset + length <= controlLength else { break }
            if level == SOL_SOCKET && type == Int32(SCM_RIGHTS) {
                let count = (length - controlHeaderSize) / 4
                for index in 0..<count {
                    descriptors.append(
                        control.load(fromByteOffset: offset + controlHeaderSize + index * 4, as: Int32.self))
                }
            }
            offset += (length + 7) & ~7
        }
        if result < 0 {
            let error = currentErrno
            for descriptor in descriptors { close(descriptor) }
            if error == EAGAIN || error == EWOULDBLOCK {
                throw ShmIPCError(.handshakeTimeout, "timed out waiting for the memory descriptors")
            }
            throw .system("recvmsg", errno: error)
        }
        if result == 0 {
            for descriptor in descriptors { close(descriptor) }
            throw ShmIPCError(.peerGone, "the peer closed the connection during the handshake")
        }
        if flags & Int32(MSG_CTRUNC) != 0 {
            for descriptor in descriptors { close(descriptor) }
            throw ShmIPCError(.handshakeFailed, "the peer sent more descriptors than the handshake allows")
        }
        return descriptors
    }
}
