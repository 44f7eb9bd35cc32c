/// A configuration that cannot be used, naming the key that is wrong: `services[0].timeouts.rpc: "fast" is not a
/// duration`. Thrown when the YAML config is loaded and when a service is changed through the admin API.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is: `services[0].timeouts.rpc`, `limits.max_body`, or empty for the whole document.
    public var keyPath: String
    public var message: String

    public init(_ keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { keyPath.isEmpty ? message : "\(keyPath): \(message)" }
}
