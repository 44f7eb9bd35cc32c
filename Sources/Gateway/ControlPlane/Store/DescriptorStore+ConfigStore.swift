extension DescriptorStore: ConfigStore {
    var location: String { directory }

    /// Only this gateway writes the directory, so writes are always possible and tokens are not compared.
    var unavailableReason: String? { nil }

    func content() -> StoreContent {
        var content = StoreContent()
        for name in bundleNames() {
            let versions = versions(of: name)
            var labels: [Int: String] = [:]
            for version in versions {
                if let label = label(of: name, version: version) { labels[version] = label }
            }
            content.descriptors[name] = StoreContent.Descriptors(
                versions: versions, active: activeVersion(of: name), labels: labels)
        }
        for (name, json) in storedServices() {
            content.services[name] = StoreContent.Service(json: json)
        }
        return content
    }

    func addVersion(_ name: String, _ bundle: DescriptorBundle, version: Int, label: String?, expected: Int64)
        async throws(GatewayError) -> Int64
    {
        try write(bundle, name: name, version: version)
        if let label { try writeLabel(label, name: name, version: version) }
        try setActive(name, version: version)
        return 0
    }

    func activate(_ name: String, version: Int, expected: Int64) async throws(GatewayError) -> Int64 {
        try setActive(name, version: version)
        return 0
    }

    func deleteDescriptors(_ name: String, expected: Int64) async throws(GatewayError) {
        try delete(name)
    }

    func writeService(_ name: String, json: [UInt8]?, expected: Int64) async throws(GatewayError) -> Int64 {
        try writeService(name, json: json)
        return 0
    }
}
