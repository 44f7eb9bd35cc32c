import Glibc

/// A file's device and inode: which file a path or descriptor refers to, so that a path is only unlinked
/// while it still names the file we mapped, and sessions sharing one region share one mapping.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of the file behind `descriptor`.
    init(of descriptor: borrowing FileDescriptor) throws(ShmIPCError) {
        var info = stat()
        guard fstat(descriptor.rawValue, &info) == 0 else { throw .system("fstat", errno: currentErrno) }
        self.init(info)
    }

    /// The identity of what `path` names now, without following a final symlink; nil if nothing.
    static func at(path: String) -> FileIdentity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileIdentity(info)
    }
}
