/// A parsed configuration document, independent of its syntax: YAML (the config file) and JSON (the admin API)
/// both become this tree, so one set of readers checks both and names keys the same way.
indirect enum ConfigNode: Sendable, Hashable {
    case map([(key: String, value: ConfigNode)])
    case list([ConfigNode])
    /// A scalar as written (numbers and booleans too); readers decide what it must be.
    case scalar(String)
    case null

    static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool {
        switch (lhs, rhs) {
        case (.map(let a), .map(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.list(let a), .list(let b)): a == b
        case (.scalar(let a), .scalar(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .map(let entries):
            hasher.combine(0)
            for entry in entries {
                hasher.combine(entry.key)
                hasher.combine(entry.value)
            }
        case .list(let items):
            hasher.combine(1)
            hasher.combine(items)
        case .scalar(let text):
            hasher.combine(2)
            hasher.combine(text)
        case .null: hasher.combine(3)
        }
    }

    /// What a value is, for messages: `a map`, `a list`, `"fast"`.
    var summary: String {
        switch self {
        case .map: "a map"
        case .list: "a list"
        case .scalar(let text): "\"\(text)\""
        case .null: "null"
        }
    }
}
