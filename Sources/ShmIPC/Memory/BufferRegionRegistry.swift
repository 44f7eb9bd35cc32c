import Glibc
import Synchronization

/// The client process's buffer regions: one per distinct configuration, shared by its open sessions.
/// When the last session using a region ends, its v2 file is unlinked at once and the region leaves the
/// registry; the mapping itself goes when the last stream referencing it is released.
enum BufferRegionRegistry {
    private struct Entry {
        let manager: BufferManager
        var sessions: Int
    }

    private static let entries = Mutex<(live: [String: Entry], generation: Int)>(([:], 0))

    private static func key(_ configuration: ShmIPCConfiguration, memfd: Bool) -> String {
        "\(memfd)|\(configuration.pathPrefix)|\(configuration.bufferRegionSize)|\(configuration.sliceLists)"
    }

    /// The region for `configuration`, counted as used by one more session until ``release(_:)``.
    static func acquire(configuration: ShmIPCConfiguration, memfd: Bool) throws(ShmIPCError) -> BufferManager {
        let key = key(configuration, memfd: memfd)
        return try entries.withLock { (state) throws(ShmIPCError) -> BufferManager in
            if let entry = state.live[key] {
                if entry.manager.region.pathStillNamesRegion {
                    state.live[key]!.sessions += 1
                    return entry.manager
                }
                // A server removed our v2 file after its last session: new sessions get a new file, the
                // sessions still using the old one keep their mapping.
                state.live[key] = nil
            }
            // A new generation gets a new name, so a region still being released never shares a path.
            let suffix = state.generation == 0 ? "" : "_\(state.generation)"
            state.generation += 1
            let path = "\(configuration.pathPrefix)_\(getpid())_buffer\(suffix)"
            let region =
                memfd
                ? try SharedRegion.createMemfd(name: path, count: configuration.bufferRegionSize)
                : try SharedRegion.createFile(path: path, count: configuration.bufferRegionSize)
            let manager = try BufferManager.format(region: region, specs: configuration.sliceLists)
            state.live[key] = Entry(manager: manager, sessions: 1)
            return manager
        }
    }

    /// One session stopped using `manager`.
    static func release(_ manager: BufferManager) {
        let unused = entries.withLock { state -> Bool in
            guard let (key, entry) = state.live.first(where: { $0.value.manager === manager }) else { return false }
            if entry.sessions > 1 {
                state.live[key]!.sessions -= 1
                return false
            }
            state.live[key] = nil
            return true
        }
        if unused { manager.region.unlinkNow() }
    }
}
