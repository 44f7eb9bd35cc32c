package import Logging

/// Uploads bundles straight into an etcd store, as a gateway's admin API would (`portico publish --store`): the
/// bundle is validated, compared with the active version (an equal one is not uploaded again), and written with
/// the same guarded transaction, so it races safely with gateways and other publishers.
package final class EtcdPublisher: Sendable {
    private let store: EtcdConfigStore

    package init(store: String, environment: [String: String], logger: Logger) throws(GatewayError) {
        self.store = try EtcdConfigStore(
            url: try EtcdStoreURL(parsing: store), environment: environment, logger: logger)
    }

    /// The outcome for one name: the version now active, and whether this call uploaded it.
    package struct Outcome: Sendable {
        package var version: Int
        package var uploaded: Bool
    }

    package func publish(name: String, main: String, files: [String: String], label: String?) async throws(GatewayError)
        -> Outcome
    {
        guard ServiceConfig.isValidName(name) else {
            throw .invalidArgument("'\(name)' is not a valid name (1-64 letters, digits, '.', '_' or '-')")
        }
        let bundle = try DescriptorBundle(main: main, files: files)
        do {
            _ = try bundle.load()
        } catch {
            throw GatewayError(
                code: "INVALID_DESCRIPTOR", status: 400, "\(name): \(error.description)",
                details: GatewayError.details(of: error))
        }
        let (kvs, revision) = try await store.client.rangePrefix(store.layout.root)
        store.apply(.reset(kvs, revision: revision))
        let stored = store.content().descriptors[name]
        if let stored, let active = stored.active, (try? store.bundle(name, version: active)) == bundle {
            return Outcome(version: active, uploaded: false)
        }
        let version = (stored?.versions.last ?? 0) + 1
        _ = try await store.addVersion(name, bundle, version: version, label: label, expected: stored?.token ?? 0)
        return Outcome(version: version, uploaded: true)
    }

    package func shutdown() async { await store.shutdown() }
}
