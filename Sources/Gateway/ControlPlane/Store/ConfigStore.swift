/// Where the registry and the services changed at run time are kept: the seam between the control plane and its
/// persistence. Two stores implement it: ``DescriptorStore`` (a local directory, the default) and
/// ``EtcdConfigStore`` (etcd, shared by a fleet of gateways).
///
/// Writes carry the change token the control plane last saw for the name or service (``StoreContent``): a store
/// shared by several gateways refuses a write whose token is stale with 409 `ABORTED`, so two admins racing on
/// two gateways cannot overwrite each other; the directory store has a single writer and ignores tokens.
protocol ConfigStore: AnyObject, Sendable {
    /// The store as configured (`./portico-data`, `etcd://...`), for logs and `/readyz`.
    var location: String { get }

    /// What the store holds now (for etcd: as of the last change it saw).
    func content() -> StoreContent

    /// One stored version of a name.
    func bundle(_ name: String, version: Int) throws(GatewayError) -> DescriptorBundle

    /// Stores `bundle` as `version` of `name` and makes it the active one; returns the name's new token.
    /// `label` (a commit id from `portico publish`) is kept with the version.
    func addVersion(_ name: String, _ bundle: DescriptorBundle, version: Int, label: String?, expected: Int64)
        async throws(GatewayError) -> Int64

    /// Makes a stored version the active one; returns the name's new token.
    func activate(_ name: String, version: Int, expected: Int64) async throws(GatewayError) -> Int64

    /// Removes every version of `name`.
    func deleteDescriptors(_ name: String, expected: Int64) async throws(GatewayError)

    /// Stores a service's JSON, or a tombstone (nil: a config service removed at run time); returns its new token.
    func writeService(_ name: String, json: [UInt8]?, expected: Int64) async throws(GatewayError) -> Int64

    /// Why writes cannot be made now (nil: they can). Checked before a change is attempted, so that the admin
    /// API answers 503 at once while a shared store is unreachable.
    var unavailableReason: String? { get }
}

/// A store's content, without the bundles themselves.
struct StoreContent: Sendable, Equatable {
    struct Descriptors: Sendable, Equatable {
        /// Ascending.
        var versions: [Int]
        var active: Int?
        /// The version labels given by `portico publish` (commit ids).
        var labels: [Int: String] = [:]
        /// The change token of the name (etcd: the revision of its `active` key; 0: absent).
        var token: Int64 = 0
    }

    struct Service: Sendable, Equatable {
        /// nil: a config service removed at run time.
        var json: [UInt8]?
        var token: Int64 = 0
    }

    var descriptors: [String: Descriptors] = [:]
    var services: [String: Service] = [:]

    /// Services in the order they are merged after the config's (by name).
    var serviceNames: [String] { services.keys.sorted() }
}
