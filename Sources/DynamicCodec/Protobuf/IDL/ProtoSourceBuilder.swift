import SwiftProtobuf

/// Turns parsed files into the descriptors protoc writes with `-o`, one file at a time in dependency order:
/// registers every name, resolves type references with protobuf scoping, validates the schema rules protoc enforces,
/// interprets options into their binary form, and fills in JSON names.
///
/// This is the counterpart of protoc's `DescriptorBuilder`, producing descriptor protos rather than runtime
/// descriptors.
struct ProtoSourceBuilder {
    private(set) var symbols = ProtoSchemaSymbols()
    var registry = ProtoSchemaRegistry()
    /// Declaration position of each element by full name (enum values under their enum).
    private(set) var locations: [String: SourceLocation] = [:]
    /// Doc comments by the same keys as ``locations``.
    private(set) var documentation: [String: String] = [:]
    /// Option messages (`google.protobuf.FieldOptions`, ...) to use when no built file defines them.
    let standardRegistry: ProtoSchemaRegistry?

    private var builtFiles: [String: BuiltFile] = [:]
    /// Numbers taken by extensions, by extended message.
    var extensionNumbers: [String: [Int32: String]] = [:]
    /// The file being built.
    var parsed = ProtoParsedFile(name: "")
    var resolver = ProtoSchemaNameResolver(table: ProtoSchemaSymbols(), file: "", visibleFiles: [], visiblePackages: [])

    private struct BuiltFile {
        var package: String
        var dependencies: [String]
        var publicDependencies: [String]
    }

    init(standardRegistry: ProtoSchemaRegistry?) {
        self.standardRegistry = standardRegistry
    }

    var fileName: String { parsed.descriptor.name }
    var package: String { parsed.descriptor.package }
    var isProto3: Bool { parsed.isProto3 }

    /// Builds one file. Every file it imports must have been built before.
    mutating func build(_ file: ProtoParsedFile) throws(CodecError) -> Google_Protobuf_FileDescriptorProto {
        parsed = file
        try checkImports()
        try registerSymbols()
        resolver = makeResolver()
        var descriptor = file.descriptor
        try resolveReferences(in: &descriptor)
        registerTypes(of: descriptor)
        try validate(descriptor)
        try interpretOptions(in: &descriptor)
        ProtoSourceBuilder.assignJSONNames(in: &descriptor)
        builtFiles[fileName] = BuiltFile(
            package: package, dependencies: descriptor.dependency,
            publicDependencies: descriptor.publicDependency.map { descriptor.dependency[Int($0)] })
        return descriptor
    }

    // MARK: Errors and positions

    /// Where the element at `path` (or its closest enclosing element) was declared.
    func location(of path: [Int32]) -> SourceLocation {
        var path = path
        while true {
            if let location = parsed.locations[path] { return location }
            if path.isEmpty { return SourceLocation(file: fileName, line: 1, column: 1) }
            path.removeLast()
        }
    }

    func schemaError(_ message: String, at path: [Int32]) -> CodecError {
        CodecError(.schemaError, message, location: location(of: path))
    }

    static func join(_ scope: String, _ name: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }

    // MARK: Imports and visibility

    private func checkImports() throws(CodecError) {
        var seen = Set<String>()
        for (index, dependency) in parsed.descriptor.dependency.enumerated() where !seen.insert(dependency).inserted {
            throw CodecError(
                .schemaError, "import \"\(dependency)\" was listed twice", location: parsed.importLocations[index])
        }
    }

    /// The file itself, its imports, and whatever those re-export with `import public`, transitively.
    private func makeResolver() -> ProtoSchemaNameResolver {
        var visible: Set<String> = [fileName]
        func addPublic(_ name: String) {
            guard visible.insert(name).inserted, let built = builtFiles[name] else { return }
            for dependency in built.publicDependencies { addPublic(dependency) }
        }
        for dependency in parsed.descriptor.dependency { addPublic(dependency) }
        var packages = Set<String>()
        for name in visible {
            let package = name == fileName ? self.package : builtFiles[name]?.package ?? ""
            var prefix = ""
            for component in package.split(separator: ".") where !package.isEmpty {
                prefix = prefix.isEmpty ? String(component) : prefix + "." + component
                packages.insert(prefix)
            }
        }
        return ProtoSchemaNameResolver(table: symbols, file: fileName, visibleFiles: visible, visiblePackages: packages)
    }

    // MARK: Symbols

    private mutating func registerSymbols() throws(CodecError) {
        if !package.isEmpty, let (name, existing) = symbols.addPackage(package, file: fileName) {
            throw CodecError(
                .schemaError,
                "\"\(name)\" is already defined (as something other than a package) in file \"\(existing.file)\"",
                location: parsed.packageLocation ?? location(of: []))
        }
        let file = parsed.descriptor
        for (index, message) in file.messageType.enumerated() {
            try registerMessage(message, path: [ProtoSourcePath.fileMessage, Int32(index)], scope: package)
        }
        for (index, enumType) in file.enumType.enumerated() {
            try registerEnum(enumType, path: [ProtoSourcePath.fileEnum, Int32(index)], scope: package)
        }
        for (index, field) in file.extension.enumerated() {
            let path = [ProtoSourcePath.fileExtension, Int32(index)]
            try addSymbol(Self.join(package, field.name), kind: .extensionField, path: path)
        }
        for (index, service) in file.service.enumerated() {
            let path = [ProtoSourcePath.fileService, Int32(index)]
            let serviceName = Self.join(package, service.name)
            try addSymbol(serviceName, kind: .service, path: path)
            for (methodIndex, method) in service.method.enumerated() {
                let methodPath = path + [ProtoSourcePath.serviceMethod, Int32(methodIndex)]
                try addSymbol(serviceName + "." + method.name, kind: .method, path: methodPath)
            }
        }
    }

    private mutating func registerMessage(
        _ message: Google_Protobuf_DescriptorProto, path: [Int32], scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, message.name)
        try addSymbol(fullName, kind: .message, path: path)
        for (index, field) in message.field.enumerated() {
            try addSymbol(
                fullName + "." + field.name, kind: .field, path: path + [ProtoSourcePath.messageField, Int32(index)])
        }
        for (index, oneof) in message.oneofDecl.enumerated() {
            try addSymbol(
                fullName + "." + oneof.name, kind: .oneof, path: path + [ProtoSourcePath.messageOneof, Int32(index)])
        }
        for (index, nested) in message.nestedType.enumerated() {
            try registerMessage(nested, path: path + [ProtoSourcePath.messageNested, Int32(index)], scope: fullName)
        }
        for (index, enumType) in message.enumType.enumerated() {
            try registerEnum(enumType, path: path + [ProtoSourcePath.messageEnum, Int32(index)], scope: fullName)
        }
        for (index, field) in message.extension.enumerated() {
            let fieldPath = path + [ProtoSourcePath.messageExtension, Int32(index)]
            try addSymbol(fullName + "." + field.name, kind: .extensionField, path: fieldPath)
        }
    }

    private mutating func registerEnum(
        _ enumType: Google_Protobuf_EnumDescriptorProto, path: [Int32], scope: String
    ) throws(CodecError) {
        let fullName = Self.join(scope, enumType.name)
        try addSymbol(fullName, kind: .enumType, path: path)
        var names = Set<String>()
        for (index, value) in enumType.value.enumerated() {
            let valuePath = path + [ProtoSourcePath.enumValue, Int32(index)]
            guard names.insert(value.name).inserted else {
                throw schemaError("\"\(value.name)\" is already defined in \"\(fullName)\"", at: valuePath)
            }
            try addSymbol(Self.join(scope, value.name), kind: .enumValue, path: valuePath, enumName: fullName)
        }
        registry.enums[fullName] = ProtoSchemaEnum(
            fullName: fullName, values: enumType.value.map { ($0.name, $0.number) }, isOpen: isProto3)
    }

    private mutating func addSymbol(
        _ fullName: String, kind: ProtoSchemaSymbols.Kind, path: [Int32], enumName: String? = nil
    ) throws(CodecError) {
        if let existing = symbols.add(fullName, kind: kind, file: fileName) {
            let dot = fullName.lastIndex(of: ".")
            let scope = dot.map { String(fullName[..<$0]) } ?? ""
            let name = dot.map { String(fullName[fullName.index(after: $0)...]) } ?? fullName
            var message: String
            if existing.kind == .package {
                message = "\"\(fullName)\" is already defined as a package (in file \"\(existing.file)\")"
            } else if existing.file == fileName {
                message =
                    scope.isEmpty
                    ? "\"\(name)\" is already defined" : "\"\(name)\" is already defined in \"\(scope)\""
            } else {
                message = "\"\(fullName)\" is already defined in file \"\(existing.file)\""
            }
            if kind == .enumValue {
                message +=
                    "; enum values use C++ scoping rules, meaning that enum values are siblings of their type, not "
                    + "children of it, so \"\(name)\" must be unique within \"\(scope.isEmpty ? fileName : scope)\""
            }
            throw schemaError(message, at: path)
        }
        let key = enumName.map { $0 + "." + (fullName.split(separator: ".").last.map(String.init) ?? fullName) }
        locations[key ?? fullName] = location(of: path)
        if let comment = parsed.comments[path] { documentation[key ?? fullName] = comment }
    }
}
