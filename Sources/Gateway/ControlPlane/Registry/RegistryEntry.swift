/// What the registry knows of one name: its stored versions and the active one, loaded.
struct RegistryEntry: Sendable {
    var versions: [Int]
    var active: Int
    var bundle: DescriptorBundle
    var schema: LoadedSchema
    /// Labels of versions (`portico publish`: the commit id), by version.
    var labels: [Int: String] = [:]
}
