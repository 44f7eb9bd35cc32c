import Synchronization

/// A server process's view of its clients' buffer regions: one mapping (and one allocator) per region, shared
/// by every session that uses it, as the client shares it among its sessions. When the last session using a
/// v2 buffer file ends, the file is removed (the deployed server's clean-up: a client that dies leaves nothing
/// in /dev/shm).
enum ServerBufferRegistry {
    private struct Entry {
        let manager: BufferManager
        var sessions: Int
    }

    private static let entries = Mutex<[FileIdentity: Entry]>([:])

    /// The allocator of the region behind `descriptor`, counted as used by one more session until
    /// ``release(_:)``. `unlinkPath` is the v2 file to remove after the last session.
    static func acquire(
        descriptor: consuming FileDescriptor, name: String, unlinkPath: String?
    ) throws(ShmIPCError) -> BufferManager {
        let identity = try FileIdentity(of: descriptor)
        if let manager = join(identity) { return manager }
        let region = try SharedRegion.attach(descriptor: descriptor, name: name, unlinkPath: unlinkPath)
        let manager = try BufferManager.attach(region: region)
        return entries.withLock { entries in
            if let entry = entries[identity] {
                // Another session mapped it meanwhile: use that mapping, ours is released unused.
                entries[identity]!.sessions += 1
                return entry.manager
            }
            entries[identity] = Entry(manager: manager, sessions: 1)
            return manager
        }
    }

    private static func join(_ identity: FileIdentity) -> BufferManager? {
        entries.withLock { entries in
            guard let entry = entries[identity] else { return nil }
            entries[identity]!.sessions += 1
            return entry.manager
        }
    }

    /// One session stopped using `manager`; the last one removes a v2 file.
    static func release(_ manager: BufferManager) {
        let last = entries.withLock { entries -> Bool in
            guard let identity = manager.region.identity, let entry = entries[identity], entry.manager === manager
            else { return false }
            if entry.sessions > 1 {
                entries[identity]!.sessions -= 1
                return false
            }
            entries[identity] = nil
            return true
        }
        if last { manager.region.unlinkNow() }
    }

    /// Regions mapped now (for tests).
    static var count: Int { entries.withLock { $0.count } }
}
