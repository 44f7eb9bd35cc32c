import Foundation

/// Looks for resources tied to a unique token in this process: mappings (/proc/self/maps), descriptors
/// (/proc/self/fd links, e.g. memfd names or `socket:[inode]`) and /dev/shm files.
enum ResourceAudit {
    static func mappings(containing token: String) -> Int {
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        return maps.split(separator: "\n").filter { $0.contains(token) }.count
    }

    static func descriptors(containing token: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.filter { entry in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry)) ?? "").contains(
                token)
        }.count
    }

    static func files(containing token: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.contains(token) }.count
    }

    /// What descriptor `fd` refers to now, e.g. `socket:[1234]`.
    static func target(of fd: Int32) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
    }

    /// Everything tied to `token` and to the given socket targets is gone.
    static func clean(token: String, sockets: [String] = []) -> Bool {
        mappings(containing: token) == 0 && descriptors(containing: token) == 0 && files(containing: token) == 0
            && sockets.allSatisfy { $0.isEmpty || descriptors(containing: $0) == 0 }
    }

    static func report(token: String) -> String {
        "mappings \(mappings(containing: token)), descriptors \(descriptors(containing: token)), files \(files(containing: token))"
    }
}

/// The unique part of a test prefix (`shmipc_tXXXXXXXX`), which every region name contains.
func token(of prefix: String) -> String { String(prefix.split(separator: "/").last!) }
