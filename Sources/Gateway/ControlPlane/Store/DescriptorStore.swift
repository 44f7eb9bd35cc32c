#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The registry's persistence: a local directory (default `./portico-data`), nothing to install.
///
/// ```
/// STORE/descriptors/NAME/v1.json, v2.json, ...   one file per uploaded version
/// STORE/descriptors/NAME/vN.label                the version's label (`portico publish`: the commit id)
/// STORE/descriptors/NAME/active                  the active version number
/// STORE/services/NAME.json                       a service added or changed through the admin API
///                                                ({"deleted": true}: a config service removed at run time)
/// ```
/// Every write goes to a temporary file that is fsynced and then renamed over the target (and the directory is
/// fsynced), so a crash leaves either the old or the new content, never a torn file.
public final class DescriptorStore: Sendable {
    public let directory: String

    /// Opens (creating if needed) the store in `directory`.
    public init(directory: String) throws(GatewayError) {
        self.directory = directory
        try Self.makeDirectory(directory + "/descriptors")
        try Self.makeDirectory(directory + "/services")
    }

    private var descriptorsDirectory: String { directory + "/descriptors" }
    private var servicesDirectory: String { directory + "/services" }

    // MARK: Descriptors

    /// Names with at least one stored version.
    func bundleNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: descriptorsDirectory)) ?? []
        return names.filter { ServiceConfig.isValidName($0) && !versions(of: $0).isEmpty }.sorted()
    }

    /// Stored versions of `name`, ascending.
    func versions(of name: String) -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "\(descriptorsDirectory)/\(name)")) ?? []
        return entries.compactMap { entry -> Int? in
            guard entry.hasPrefix("v"), entry.hasSuffix(".json") else { return nil }
            return Int(entry.dropFirst().dropLast(5))
        }.sorted()
    }

    func bundle(_ name: String, version: Int) throws(GatewayError) -> DescriptorBundle {
        let path = "\(descriptorsDirectory)/\(name)/v\(version).json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot read \(path)")
        }
        do {
            return try DescriptorBundle(storedJSON: [UInt8](data))
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "\(path) is not a stored bundle: \(error)")
        }
    }

    func write(_ bundle: DescriptorBundle, name: String, version: Int) throws(GatewayError) {
        try Self.makeDirectory("\(descriptorsDirectory)/\(name)")
        try Self.writeAtomically(try bundle.storedJSON(), to: "\(descriptorsDirectory)/\(name)/v\(version).json")
    }

    func label(of name: String, version: Int) -> String? {
        FileManager.default.contents(atPath: "\(descriptorsDirectory)/\(name)/v\(version).label")
            .map { String(decoding: $0, as: UTF8.self) }
    }

    func writeLabel(_ label: String, name: String, version: Int) throws(GatewayError) {
        try Self.writeAtomically(Array(label.utf8), to: "\(descriptorsDirectory)/\(name)/v\(version).label")
    }

    func activeVersion(of name: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: "\(descriptorsDirectory)/\(name)/active") else {
            return nil
        }
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: "\n"))
    }

    func setActive(_ name: String, version: Int) throws(GatewayError) {
        try Self.writeAtomically(Array("\(version)\n".utf8), to: "\(descriptorsDirectory)/\(name)/active")
    }

    /// Removes every version of `name`.
    func delete(_ name: String) throws(GatewayError) {
        let path = "\(descriptorsDirectory)/\(name)"
        // Renamed away first, so a crash midway never leaves a half-deleted name that still loads.
        let trash = "\(descriptorsDirectory)/.deleted-\(name)-\(UInt64.random(in: 0...UInt64.max))"
        guard rename(path, trash) == 0 else {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot remove \(path): errno \(errno)")
        }
        Self.syncDirectory(descriptorsDirectory)
        try? FileManager.default.removeItem(atPath: trash)
    }

    // MARK: Services

    /// Services stored by the admin API: the JSON body, or nil for a removed one.
    func storedServices() -> [(name: String, json: [UInt8]?)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: servicesDirectory)) ?? []
        return entries.filter { $0.hasSuffix(".json") }.sorted().compactMap { entry in
            let name = String(entry.dropLast(5))
            guard ServiceConfig.isValidName(name),
                let data = FileManager.default.contents(atPath: "\(servicesDirectory)/\(entry)")
            else { return nil }
            let bytes = [UInt8](data)
            return (name, bytes == Self.tombstone ? nil : bytes)
        }
    }

    func writeService(_ name: String, json: [UInt8]?) throws(GatewayError) {
        try Self.writeAtomically(json ?? Self.tombstone, to: "\(servicesDirectory)/\(name).json")
    }

    static let tombstone = Array("{\"deleted\":true}".utf8)

    // MARK: Files

    static func makeDirectory(_ path: String) throws(GatewayError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot create the directory \(path): \(error)")
        }
    }

    /// Writes a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(GatewayError) {
        let temporary = "\(path).tmp-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot create \(temporary): errno \(errno)")
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += result
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot write \(path): errno \(failure)")
        }
        let slash = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        syncDirectory(slash)
    }

    static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// `write(2)`, named apart from the store's own `write` methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
