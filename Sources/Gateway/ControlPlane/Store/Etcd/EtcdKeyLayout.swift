#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The keys of the etcd store under its prefix `P` (docs/fleet.md draws them):
///
/// ```
/// P/bundles/HASH                  {"chunks":N,"size":BYTES,"kind":"proto"}   a bundle, named by the SHA-256 of
/// P/bundles/HASH/0 ... /N-1       chunks of the stored JSON (1 MiB each)     its stored JSON ("sha256-<hex>")
/// P/descriptors/NAME/versions/V   {"bundle":"sha256-...","label":"<commit>"}
/// P/descriptors/NAME/active       "V"
/// P/services/NAME                 the service's JSON, or {"deleted":true}
/// P/members/ID                    {"id":...,"listen":...,"started":...}     under the gateway's lease
/// P/leader                        ID of the gateway that collects garbage   under that gateway's lease
/// ```
struct EtcdKeyLayout: Sendable {
    let prefix: String

    /// etcd refuses requests over 1.5 MiB; a chunk and its key stay well under that.
    static let chunkSize = 1 << 20

    var root: Data { Data((prefix + "/").utf8) }

    func bundle(_ hash: String) -> Data { key("bundles/\(hash)") }
    func chunk(_ hash: String, _ index: Int) -> Data { key("bundles/\(hash)/\(index)") }
    /// The prefix of every chunk of a bundle.
    func chunks(_ hash: String) -> Data { key("bundles/\(hash)/") }
    func version(_ name: String, _ version: Int) -> Data { key("descriptors/\(name)/versions/\(version)") }
    func active(_ name: String) -> Data { key("descriptors/\(name)/active") }
    func descriptors(_ name: String) -> Data { key("descriptors/\(name)/") }
    func service(_ name: String) -> Data { key("services/\(name)") }
    func member(_ id: String) -> Data { key("members/\(id)") }
    var leader: Data { key("leader") }
    var bundles: Data { key("bundles/") }
    var allDescriptors: Data { key("descriptors/") }

    private func key(_ path: String) -> Data { Data((prefix + "/" + path).utf8) }

    /// What a key under the prefix is; nil for keys of no known shape (they are ignored).
    enum Entry: Equatable {
        case bundle(hash: String)
        case chunk(hash: String, index: Int)
        case version(name: String, version: Int)
        case active(name: String)
        case service(name: String)
        case member(id: String)
        case leader
    }

    func entry(_ key: Data) -> Entry? {
        guard key.starts(with: root), let path = String(data: key.dropFirst(root.count), encoding: .utf8) else {
            return nil
        }
        let steps = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (steps.first, steps.count) {
        case ("bundles", 2) where Self.isHash(steps[1]): return .bundle(hash: steps[1])
        case ("bundles", 3) where Self.isHash(steps[1]):
            guard let index = Int(steps[2]), index >= 0 else { return nil }
            return .chunk(hash: steps[1], index: index)
        case ("descriptors", 4) where steps[2] == "versions" && ServiceConfig.isValidName(steps[1]):
            guard let version = Int(steps[3]), version > 0 else { return nil }
            return .version(name: steps[1], version: version)
        case ("descriptors", 3) where steps[2] == "active" && ServiceConfig.isValidName(steps[1]):
            return .active(name: steps[1])
        case ("services", 2) where ServiceConfig.isValidName(steps[1]): return .service(name: steps[1])
        case ("members", 2) where !steps[1].isEmpty: return .member(id: steps[1])
        case ("leader", 1): return .leader
        default: return nil
        }
    }

    /// `sha256-` and 64 lowercase hex digits.
    static func isHash(_ text: String) -> Bool {
        guard text.hasPrefix("sha256-") else { return false }
        let digits = text.utf8.dropFirst(7)
        return digits.count == 64 && digits.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
