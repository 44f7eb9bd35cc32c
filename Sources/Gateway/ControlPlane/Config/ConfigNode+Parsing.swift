import Yams

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ConfigNode {
    /// Parses YAML text (JSON is accepted too, being YAML). Syntax errors name the line and column.
    static func parse(yaml text: String) throws(ConfigError) -> ConfigNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError("", "the YAML does not parse: \(error)")
        }
        guard let node else { return .map([]) }
        return try ConfigNode(node, path: "")
    }

    private init(_ node: Node, path: String) throws(ConfigError) {
        switch node {
        case .scalar(let scalar):
            let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]
            if scalar.style == .plain, nullSpellings.contains(scalar.string) {
                self = .null
            } else {
                self = .scalar(scalar.string)
            }
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(try ConfigNode(item, path: "\(path)[\(index)]"))
            }
            self = .list(items)
        case .mapping(let mapping):
            var entries: [(key: String, value: ConfigNode)] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw ConfigError(path, "map keys must be strings") }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if entries.contains(where: { $0.key == name }) {
                    throw ConfigError(childPath, "the key appears twice")
                }
                entries.append((name, try ConfigNode(value, path: childPath)))
            }
            self = .map(entries)
        case .alias:
            throw ConfigError(path, "YAML aliases are not supported")
        }
    }

    /// Parses JSON text (the admin API's bodies).
    static func parse(json bytes: [UInt8]) throws(ConfigError) -> ConfigNode {
        do {
            return try JSONDecoder().decode(JSONConfigValue.self, from: Data(bytes)).node
        } catch {
            throw ConfigError("", "the body is not valid JSON")
        }
    }
}

/// Decodes any JSON value strictly (a number is never read as a boolean) into a ``ConfigNode``.
private struct JSONConfigValue: Decodable {
    let node: ConfigNode

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var entries: [(key: String, value: ConfigNode)] = []
            for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                entries.append((key.stringValue, try object.decode(JSONConfigValue.self, forKey: key).node))
            }
            node = .map(entries)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [ConfigNode] = []
            while !array.isAtEnd { items.append(try array.decode(JSONConfigValue.self).node) }
            node = .list(items)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            node = .null
        } else if let flag = try? value.decode(Bool.self) {
            node = .scalar(flag ? "true" : "false")
        } else if let text = try? value.decode(String.self) {
            node = .scalar(text)
        } else if let integer = try? value.decode(Int64.self) {
            node = .scalar(String(integer))
        } else {
            node = .scalar(String(try value.decode(Double.self)))
        }
    }
}
