/// The services the admin API stored (`services/NAME.json` in the store directory), read the same way by the
/// running gateway and by `portico openapi --config`.
extension GatewayControl {
    /// Each stored service by name (nil: a config service the admin API removed), and the order they were stored
    /// in. A stored service that is not a valid service config fails with the file's key path.
    static func storedServices(_ stored: [(name: String, json: [UInt8]?)]) throws(GatewayError) -> (
        services: [String: ServiceConfig?], order: [String]
    ) {
        var services: [String: ServiceConfig?] = [:]
        var order: [String] = []
        for (name, json) in stored {
            guard let json else {
                services[name] = .some(nil)
                order.append(name)
                continue
            }
            do {
                let node = try ConfigNode.parse(json: json)
                services[name] = try ServiceConfig(node: node, path: "store services/\(name).json", name: name)
                order.append(name)
            } catch {
                throw GatewayError.config(error)
            }
        }
        return (services, order)
    }
}
