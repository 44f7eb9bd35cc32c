import Glibc
import Synchronization

/// A mapped shared-memory region shared by reference among the session, its streams and (for buffer regions)
/// other sessions of the process. The mapping is unmapped and a kept descriptor closed when the last reference
/// goes away; a file the region's creator made is unlinked then too.
final class SharedRegion: @unchecked Sendable {
    let mapping: MemoryMapping
    /// Kept only by a client's memfd regions, which are passed to every new server.
    private let descriptor: FileDescriptor?
    /// The path or memfd name the handshake announces.
    let name: String
    /// A v2 file to remove: by its creator on release, by a server when its sessions end (``unlinkNow()``).
    private let unlinkPath: String?
    private let unlinkOnRelease: Bool
    private let unlinked = Atomic<Bool>(false)
    /// The file mapped, so that a path is only unlinked while it still names that file.
    let identity: FileIdentity?
    /// The ``MappingGuard`` slot of a mapping the peer could shrink.
    private let guardSlot: Int?

    var base: UnsafeMutableRawPointer { mapping.base }
    var count: Int { mapping.count }
    /// The kept descriptor's number, for passing it to a server.
    let descriptorValue: Int32?

    private init(
        mapping: consuming MemoryMapping, descriptor: consuming FileDescriptor?, descriptorValue: Int32?,
        name: String, unlinkPath: String?, unlinkOnRelease: Bool, identity: FileIdentity?, guarded: Bool
    ) throws(ShmIPCError) {
        var slot: Int?
        if guarded {
            slot = MappingGuard.register(base: mapping.base, count: mapping.count)
            guard slot != nil else {
                throw ShmIPCError(.badMapping, "too many shared mappings that a peer could shrink are open")
            }
        }
        self.mapping = mapping
        self.descriptorValue = descriptorValue
        self.descriptor = descriptor
        self.name = name
        self.unlinkPath = unlinkPath
        self.unlinkOnRelease = unlinkOnRelease
        self.identity = identity
        self.guardSlot = slot
    }

    deinit {
        if let guardSlot { MappingGuard.unregister(guardSlot) }
        if unlinkOnRelease { unlinkNow() }
    }

    /// Removes the region's v2 file now (the mapping stays valid), unless the path names another file by now;
    /// idempotent.
    func unlinkNow() {
        guard let unlinkPath, !unlinked.exchange(true, ordering: .relaxed) else { return }
        if let identity, FileIdentity.at(path: unlinkPath) != identity { return }
        unlink(unlinkPath)
    }

    /// Whether the region's v2 path (if any) still names the mapped file and was not unlinked by anyone.
    var pathStillNamesRegion: Bool {
        guard let unlinkPath else { return true }
        return !unlinked.load(ordering: .relaxed) && FileIdentity.at(path: unlinkPath) == identity
    }

    /// Whether a peer shrank the file under the mapping, which then reads as zeros (see ``MappingGuard``).
    var isRevoked: Bool { guardSlot.map(MappingGuard.hasFaulted) ?? false }

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
        let sealed =
            fcntl(descriptor.rawValue, Memfd.addSeals, Memfd.sealShrink | Memfd.sealGrow | Memfd.sealSeal) == 0
        let mapping = try MemoryMapping(descriptor: descriptor, count: count)
        let value = descriptor.rawValue
        return try SharedRegion(
            mapping: mapping, descriptor: descriptor, descriptorValue: value, name: name, unlinkPath: nil,
            unlinkOnRelease: false, identity: nil, guarded: !sealed)
    }

    /// Creates (or replaces) a file of `count` bytes at `path` (v2); the file is unlinked on release. The server
    /// can truncate it, so the mapping is guarded.
    static func createFile(path: String, count: Int) throws(ShmIPCError) -> SharedRegion {
        let raw = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard raw >= 0 else { throw .system("open(\(path))", errno: currentErrno) }
        let descriptor = FileDescriptor(adopting: raw)
        do throws(ShmIPCError) {
            guard ftruncate(descriptor.rawValue, off_t(count)) == 0 else {
                throw ShmIPCError.system("ftruncate(\(path))", errno: currentErrno)
            }
            let identity = try FileIdentity(of: descriptor)
            let mapping = try MemoryMapping(descriptor: descriptor, count: count)
            return try SharedRegion(
                mapping: mapping, descriptor: nil, descriptorValue: nil, name: path, unlinkPath: path,
                unlinkOnRelease: true, identity: identity, guarded: true)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Maps a region a peer created (a memfd received in the v3 handshake, or a v2 file the server opened); the
    /// descriptor is closed after mapping. Unless the file is sealed against shrinking, the mapping is guarded.
    /// `unlinkPath` is the v2 file the server removes when its sessions end.
    static func attach(
        descriptor: consuming FileDescriptor, name: String, unlinkPath: String? = nil
    ) throws(ShmIPCError) -> SharedRegion {
        let count = try fileSize(descriptor)
        let identity = try FileIdentity(of: descriptor)
        let seals = fcntl(descriptor.rawValue, Memfd.getSeals)
        let sealed = seals >= 0 && seals & Memfd.sealShrink != 0
        let mapping = try MemoryMapping(descriptor: descriptor, count: count)
        return try SharedRegion(
            mapping: mapping, descriptor: nil, descriptorValue: nil, name: name, unlinkPath: unlinkPath,
            unlinkOnRelease: false, identity: identity, guarded: !sealed)
    }
}
