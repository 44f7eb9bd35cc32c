/// Every fully qualified name declared by the files built so far, with the file that declared it.
///
/// Like protoc's descriptor pool, all kinds of names share one namespace: a message, a field, an enum value (scoped
/// like C++, as a sibling of its enum) and a package component cannot have the same full name.
struct ProtoSchemaSymbols: Sendable {
    enum Kind: Sendable, Equatable {
        case package
        case message
        case enumType
        case enumValue
        case field
        case oneof
        case extensionField
        case service
        case method

        var isType: Bool { self == .message || self == .enumType }
        /// Kinds whose names can be followed by more name components during lookup.
        var isAggregate: Bool { self == .message || self == .package || self == .enumType || self == .service }

        /// The kind with an article, for messages ("an enum").
        var noun: String {
            switch self {
            case .package: "a package"
            case .message: "a message"
            case .enumType: "an enum"
            case .enumValue: "an enum value"
            case .field: "a field"
            case .oneof: "a oneof"
            case .extensionField: "an extension"
            case .service: "a service"
            case .method: "a method"
            }
        }
    }

    struct Symbol: Sendable {
        var kind: Kind
        var file: String
    }

    private(set) var symbols: [String: Symbol] = [:]
    /// Each package and each of its prefixes, with the first file that declared it.
    private(set) var packages: [String: String] = [:]

    func symbol(named name: String) -> Symbol? { symbols[name] }
    func packageFile(named name: String) -> String? { packages[name] }

    /// Adds a symbol; on a clash returns what is already there instead.
    mutating func add(_ name: String, kind: Kind, file: String) -> Symbol? {
        if let existing = symbols[name] { return existing }
        if let packageFile = packages[name] { return Symbol(kind: .package, file: packageFile) }
        symbols[name] = Symbol(kind: kind, file: file)
        return nil
    }

    /// Adds a package and its prefixes; on a clash with a non-package symbol returns its name and symbol.
    mutating func addPackage(_ package: String, file: String) -> (String, Symbol)? {
        var prefix = ""
        for component in package.split(separator: ".", omittingEmptySubsequences: false) {
            prefix = prefix.isEmpty ? String(component) : prefix + "." + component
            if let existing = symbols[prefix] { return (prefix, existing) }
            if packages[prefix] == nil { packages[prefix] = file }
        }
        return nil
    }
}
