import Glibc

/// The single owner of a shared `mmap` of a whole file; unmaps in `deinit`.
struct MemoryMapping: ~Copyable {
    let base: UnsafeMutableRawPointer
    let count: Int

    /// Maps `count` bytes of `descriptor` read-write and shared.
    init(descriptor: borrowing FileDescriptor, count: Int) throws(ShmIPCError) {
        guard count > 0 else { throw ShmIPCError(.badMapping, "cannot map an empty region") }
        let address = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, 0)
        guard let address, address != MAP_FAILED else { throw .system("mmap", errno: currentErrno) }
        self.base = address
        self.count = count
    }

    deinit { munmap(base, count) }
}

/// Size of the file behind `descriptor`, as the receiver of a region learns it (fstat).
func fileSize(_ descriptor: borrowing FileDescriptor) throws(ShmIPCError) -> Int {
    var info = stat()
    guard fstat(descriptor.rawValue, &info) == 0 else { throw .system("fstat", errno: currentErrno) }
    return Int(info.st_size)
}
