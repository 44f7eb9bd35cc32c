import Glibc

/// Opens a v2 file a client named, as the deployed server does (any directory), but only a regular file the
/// client itself owns, named by a plain absolute path: the server maps it and later removes it, so a client
/// must not be able to point it at a device, a symlink or someone else's file.
enum FilePathValidation {
    /// Opens `path` read-write after checking it, within `directory` ("/" allows any).
    static func open(
        _ path: String, directory: String, ownerUID: UInt32?
    ) throws(ShmIPCError) -> FileDescriptor {
        try checkShape(path, directory: directory)
        var before = stat()
        guard lstat(path, &before) == 0 else { throw .system("lstat(\(path))", errno: currentErrno) }
        guard before.st_mode & S_IFMT == S_IFREG else {
            throw ShmIPCError(.handshakeFailed, "refusing to map '\(path)': not a regular file")
        }
        if let ownerUID, before.st_uid != ownerUID {
            throw ShmIPCError(
                .handshakeFailed, "refusing to map '\(path)': owned by uid \(before.st_uid), not the client's \(ownerUID)")
        }
        let raw = Glibc.open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard raw >= 0 else { throw .system("open(\(path))", errno: currentErrno) }
        let descriptor = FileDescriptor(adopting: raw)
        // The path may have been swapped between the checks and the open.
        guard try FileIdentity(of: descriptor) == FileIdentity(before) else {
            throw ShmIPCError(.handshakeFailed, "refusing to map '\(path)': the file changed while it was opened")
        }
        return descriptor
    }

    /// An absolute path inside `directory`, without empty, `.` or `..` components or NUL bytes.
    static func checkShape(_ path: String, directory: String) throws(ShmIPCError) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.hasPrefix("/"), path.hasPrefix(prefix), path.utf8.count < 4096, !path.contains("\0"),
            !components.isEmpty, components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw ShmIPCError(.handshakeFailed, "refusing to map '\(path)': not a plain absolute path under \(prefix)")
        }
    }
}
