import Glibc
import Synchronization

/// A mapped shared-memory region shared by reference among the session, its streams and (for the client's
/// buffer region) other sessions of the process. The mapping is unmapped, the kept descriptor closed and a
/// v2 file unlinked when the last reference goes away.
final class SharedRegion: @unchecked Sendable {
    let mapping: MemoryMapping
    /// Kept only by a client's memfd regions, which are passed to every new server.
    private let descriptor: FileDescriptor?
    /// The path or memfd name the handshake announces.
    let name: String
    /// A file the creator unlinks on release (v2 file-path mode).
    private let unlinkPath: String?
    private let unlinked = Atomic<Bool>(false)

    var base: UnsafeMutableRawPointer { mapping.base }
    var count: Int { mapping.count }
    /// The kept descriptor's number, for passing it to a server.
    let descriptorValue: Int32?

    private init(
        mapping: consuming MemoryMapping, descriptor: consuming FileDescriptor?, descriptorValue: Int32? = nil,
        name: String,
        unlinkPath: String?
    ) {
        self.mapping = mapping
        self.descriptorValue = descriptorValue
        self.descriptor = descriptor
        self.name = name
        self.unlinkPath = unlinkPath
    }

    deinit { unlinkNow() }

    /// Removes a v2 file from /dev/shm now (the mapping stays valid); idempotent.
    func unlinkNow() {
        guard let unlinkPath, !unlinked.exchange(true, ordering: .relaxed) else { return }
        unlink(unlinkPath)
    }

    /// Creates an anonymous memfd region of `count` bytes (v3). Shrinking and growing are sealed so that a
    /// peer holding the descriptor cannot make our accesses fault.
    static func createMemfd(name: String, count: Int) throws(ShmIPCError) -> SharedRegion {
        let memfdName = "shmipc" + name
        var raw = Memfd.create(memfdName, flags: Memfd.closeOnExec | Memfd.allowSealing)
        if raw < 0 && errno == EINVAL {
            raw = Memfd.create("shmipc", flags: Memfd.closeOnExec | Memfd.allowSealing)
        }
        guard raw >= 0 else { throw .system("memfd_create", errno: currentErrno) }
        let descriptor = FileDescriptor(adopting: raw)
        guard ftruncate(descriptor.rawValue, off_t(count)) == 0 else { throw .system("ftruncate", errno: currentErrno) }
        _ = fcntl(descriptor.rawValue, Memfd.addSeals, Memfd.sealShrink | Memfd.sealGrow | Memfd.sealSeal)
        let mapping = try MemoryMapping(descriptor: descriptor, count: count)
        let value = descriptor.rawValue
        return SharedRegion(
            mapping: mapping, descriptor: descriptor, descriptorValue: value, name: name, unlinkPath: nil)
    }

    /// Creates (or replaces) a file of `count` bytes at `path` (v2); the file is unlinked on release.
    static func createFile(path: String, count: Int) throws(ShmIPCError) -> SharedRegion {
        let raw = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard raw >= 0 else { throw .system("open(\(path))", errno: currentErrno) }
        let descriptor = FileDescriptor(adopting: raw)
        guard ftruncate(descriptor.rawValue, off_t(count)) == 0 else {
            let error = currentErrno
            unlink(path)
            throw .system("ftruncate(\(path))", errno: error)
        }
        let mapping: MemoryMapping
        do { mapping = try MemoryMapping(descriptor: descriptor, count: count) } catch {
            unlink(path)
            throw error
        }
        return SharedRegion(mapping: mapping, descriptor: nil, name: path, unlinkPath: path)
    }

    /// Maps a region a peer created and passed as a descriptor (v3); the descriptor is closed after mapping.
    static func attach(descriptor: consuming FileDescriptor, name: String) throws(ShmIPCError) -> SharedRegion {
        let count = try fileSize(descriptor)
        let mapping = try MemoryMapping(descriptor: descriptor, count: count)
        return SharedRegion(mapping: mapping, descriptor: nil, name: name, unlinkPath: nil)
    }

    /// Opens and maps a region a peer created as a file (v2). Only paths inside `directory` are accepted,
    /// so a client cannot make the server map arbitrary files.
    static func attachFile(path: String, directory: String) throws(ShmIPCError) -> SharedRegion {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        guard path.hasPrefix(prefix), !path.contains("/.."), !path.contains("\0"), path.utf8.count < 4096 else {
            throw ShmIPCError(.handshakeFailed, "refusing to map '\(path)': not a file under \(prefix)")
        }
        let raw = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard raw >= 0 else { throw .system("open(\(path))", errno: currentErrno) }
        let descriptor = FileDescriptor(adopting: raw)
        let count = try fileSize(descriptor)
        let mapping = try MemoryMapping(descriptor: descriptor, count: count)
        return SharedRegion(mapping: mapping, descriptor: nil, name: path, unlinkPath: nil)
    }
}
