/// Name lookup from inside one file, with protoc's scoping rules and its rule that only names from the file itself,
/// its imports and their public imports are visible.
struct ProtoSchemaNameResolver: Sendable {
    enum Result: Sendable {
        case found(String, ProtoSchemaSymbols.Kind)
        /// Nothing matched. `hiddenIn` names a file that declares the name but is not imported.
        case notFound(hiddenIn: String?)
        /// The first component matched in an inner scope, but the rest of the name did not exist there.
        case resolvedToUndefined(String)
    }

    let table: ProtoSchemaSymbols
    let file: String
    let visibleFiles: Set<String>
    /// Every package (and prefix) declared by a visible file.
    let visiblePackages: Set<String>

    /// Looks a fully qualified name up, hiding what the file cannot see.
    func find(_ name: String, hidden: inout String?) -> ProtoSchemaSymbols.Kind? {
        if visiblePackages.contains(name) { return .package }
        if let symbol = table.symbol(named: name) {
            if visibleFiles.contains(symbol.file) { return symbol.kind }
            hidden = hidden ?? symbol.file
        } else if let packageFile = table.packageFile(named: name) {
            hidden = hidden ?? packageFile
        }
        return nil
    }

    /// Resolves `name` as written inside the element whose full name is `scope`.
    ///
    /// A leading dot makes the name absolute. Otherwise the first component is searched from the scope that encloses
    /// `scope` outward; once found, the rest of the name must exist inside that match. With `typesOnly`, a
    /// single-component match that is not a message or enum is skipped, as protoc does for field types.
    func lookup(_ name: String, relativeTo scope: String, typesOnly: Bool) -> Result {
        var hidden: String?
        if name.hasPrefix(".") {
            let absolute = String(name.dropFirst())
            if let kind = find(absolute, hidden: &hidden) { return .found(absolute, kind) }
            return .notFound(hiddenIn: hidden)
        }
        let firstComponent = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        let isCompound = firstComponent.count < name.count
        var scopeToTry = scope
        while true {
            guard let dot = scopeToTry.lastIndex(of: ".") else {
                if let kind = find(name, hidden: &hidden) { return .found(name, kind) }
                return .notFound(hiddenIn: hidden)
            }
            scopeToTry = String(scopeToTry[..<dot])
            let candidate = scopeToTry + "." + firstComponent
            if let kind = find(candidate, hidden: &hidden) {
                if isCompound {
                    if kind.isAggregate {
                        let full = scopeToTry + "." + name
                        if let fullKind = find(full, hidden: &hidden) { return .found(full, fullKind) }
                        return .resolvedToUndefined(full)
                    }
                } else if !typesOnly || kind.isType {
                    return .found(candidate, kind)
                }
            }
        }
    }
}
