/// Reads one map of a configuration document, checking keys and types and naming the key path in every error.
/// Unknown keys are errors, so a typo (`timeuts`) is reported instead of silently ignored.
struct ConfigReader {
    let path: String
    private let entries: [(key: String, value: ConfigNode)]
    private var allowed: Set<String> = []

    init(_ node: ConfigNode, path: String) throws(ConfigError) {
        self.path = path
        switch node {
        case .map(let entries): self.entries = entries
        case .null: self.entries = []
        default: throw ConfigError(path, "expected a map, found \(node.summary)")
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, or nil when absent or null. Marks the key as known.
    mutating func node(_ key: String) -> ConfigNode? {
        allowed.insert(key)
        guard let value = entries.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// Fails on keys no reader asked for.
    func rejectUnknownKeys() throws(ConfigError) {
        if let unknown = entries.first(where: { !allowed.contains($0.key) }) {
            throw ConfigError(
                keyPath(unknown.key), "unknown key (known here: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = node(key) else { return nil }
        guard case .scalar(let text) = value else {
            throw ConfigError(keyPath(key), "expected a string, found \(value.summary)")
        }
        return text
    }

    mutating func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw ConfigError(keyPath(key), "is required") }
        return text
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError(keyPath(key), "\"\(text)\" is not a boolean")
        }
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text) else { throw ConfigError(keyPath(key), "\"\(text)\" is not an integer") }
        guard range.contains(value) else {
            throw ConfigError(keyPath(key), "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw ConfigError(keyPath(key), "\"\(text)\" is not a number")
        }
        guard range.contains(value) else {
            throw ConfigError(keyPath(key), "\(text) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    mutating func duration(_ key: String) throws(ConfigError) -> Duration? {
        guard let text = try string(key) else { return nil }
        guard let value = ConfigUnits.duration(text) else {
            throw ConfigError(keyPath(key), "\"\(text)\" is not a duration (like 50ms, 1s, 2m)")
        }
        return value
    }

    mutating func size(_ key: String) throws(ConfigError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = ConfigUnits.size(text) else {
            throw ConfigError(keyPath(key), "\"\(text)\" is not a size (like 512KiB, 4MiB, 1000000)")
        }
        return value
    }

    mutating func stringList(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = node(key) else { return nil }
        switch value {
        case .scalar(let text): return [text]
        case .list(let items):
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .scalar(let text) = item else {
                    throw ConfigError("\(keyPath(key))[\(index)]", "expected a string, found \(item.summary)")
                }
                strings.append(text)
            }
            return strings
        default: throw ConfigError(keyPath(key), "expected a list of strings, found \(value.summary)")
        }
    }

    mutating func choice<Choice: RawRepresentable<String>>(_ key: String, of _: Choice.Type) throws(ConfigError)
        -> Choice? where Choice: CaseIterable
    {
        guard let text = try string(key) else { return nil }
        guard let value = Choice(rawValue: text.lowercased()) else {
            let known = Choice.allCases.map(\.rawValue).joined(separator: " | ")
            throw ConfigError(keyPath(key), "\"\(text)\" is not one of \(known)")
        }
        return value
    }
}
