/// Links parsed `.thrift` files into a ``ThriftSchema``: qualifies every name with its file's scope name, resolves
/// type references, typedefs and constant references, synthesizes the argument and result structs of every method,
/// and checks what the Apache compiler checks (unknown and duplicate names, duplicate field ids, exceptions in
/// `throws`, `extends` cycles, constant values against their types).
///
/// Names are looked up like the Apache compiler does: a bare name in the declaring file, `inc.Name` in a file the
/// declaring file includes directly.
struct ThriftSchemaBuilder {
    struct FileScope {
        var name: String
        /// The prefix of the file's qualified names.
        var scope: String
        /// Scope names of the files it includes directly.
        var includeScopes: Set<String>
    }

    enum TypeSymbol {
        case structure(Int)
        case enumeration(Int)
        case typedef(ThriftTypedefSyntax, file: Int)
    }

    struct PendingStruct {
        var syntax: ThriftStructSyntax
        var qualifiedName: String
        var file: Int
    }

    struct PendingMethod {
        var syntax: ThriftFunctionSyntax
        var argumentsIndex: Int
        var resultIndex: Int
    }

    struct PendingService {
        var syntax: ThriftServiceSyntax
        var qualifiedName: String
        var file: Int
        var methods: [PendingMethod]
    }

    let files: [ThriftParsedFile]
    var scopes: [FileScope] = []
    var types: [String: TypeSymbol] = [:]
    var structs: [PendingStruct] = []
    var enums: [(syntax: ThriftEnumSyntax, qualifiedName: String)] = []
    var services: [PendingService] = []
    var servicesByName: [String: Int] = [:]
    var constants: [(syntax: ThriftConstDefinitionSyntax, qualifiedName: String, file: Int)] = []
    var constantsByName: [String: Int] = [:]
    /// `scope.Enum.VALUE` -> the enum and the value.
    var enumValues: [String: (enumIndex: Int, value: Int32)] = [:]
    /// Where each qualified name was first declared, for duplicate errors.
    var declarations: [String: SourceLocation] = [:]

    var typedefNames: [String] = []
    var resolvedTypedefs: [String: ThriftType] = [:]
    var typedefsInProgress: [String] = []
    var constantsInProgress: Set<String> = []
    /// Current depth of nested type and value resolution, bounded by ``maxDepth``.
    var depth = 0

    /// Deepest resolution accepted (typedef chains through nested containers, constant reference chains).
    static let maxDepth = 200

    init(files: [ThriftParsedFile]) {
        self.files = files
    }

    /// Links the files, given includes first.
    static func build(_ files: [ThriftParsedFile]) throws(CodecError) -> ThriftSchema {
        var builder = ThriftSchemaBuilder(files: files)
        try builder.declareAll()
        var typedefs: [String: ThriftType] = [:]
        for name in builder.typedefNames {
            typedefs[name] = try builder.resolveTypedef(named: name)
        }
        var structs: [ThriftStructDescriptor] = []
        for index in builder.structs.indices {
            structs.append(try builder.buildStruct(index))
        }
        let enums = builder.enums.enumerated().map { index, entry in
            ThriftEnumDescriptor(
                name: entry.qualifiedName, values: entry.syntax.values.map { ($0.name, $0.value) },
                annotations: entry.syntax.annotations, index: index,
                valueAnnotations: entry.syntax.values.map(\.annotations), documentation: entry.syntax.documentation,
                valueDocumentation: entry.syntax.values.map(\.documentation))
        }
        var services: [ThriftServiceDescriptor] = []
        for index in builder.services.indices {
            services.append(try builder.buildService(index))
        }
        try builder.checkExtendsCycles(services)
        var constants: [String: ThriftConstValue] = [:]
        for entry in builder.constants {
            let type = try builder.resolve(entry.syntax.type, in: entry.file)
            builder.constantsInProgress = [entry.qualifiedName]
            constants[entry.qualifiedName] = try builder.resolveValue(
                entry.syntax.value, as: type, in: entry.file, for: entry.qualifiedName)
        }
        builder.constantsInProgress = []
        let thriftFiles = files.map {
            ThriftFile(name: $0.name, namespaces: $0.namespaces, includes: $0.includes.map(\.path))
        }
        return ThriftSchema(
            structs: structs, enums: enums, services: services, typedefs: typedefs, constants: constants,
            files: thriftFiles)
    }

    // MARK: Declarations

    /// Registers every definition under its qualified name and gives every struct (declared or synthesized) its
    /// index: per file, the declared structs in order, then the argument and result structs of each method.
    private mutating func declareAll() throws(CodecError) {
        for (fileIndex, file) in files.enumerated() {
            let includeScopes = Set(file.includes.compactMap { $0.resolvedName.map(ThriftParsedFile.scopeName(of:)) })
            scopes.append(FileScope(name: file.name, scope: file.scopeName, includeScopes: includeScopes))
            for definition in file.definitions {
                try declare(definition, in: fileIndex)
            }
            for definition in file.definitions {
                if case .service(let service) = definition { try declareService(service, in: fileIndex) }
            }
        }
    }

    private mutating func declare(_ definition: ThriftDefinitionSyntax, in file: Int) throws(CodecError) {
        let scope = scopes[file].scope
        switch definition {
        case .typedef(let typedef):
            let name = try claim(scope + "." + typedef.name, at: typedef.location)
            types[name] = .typedef(typedef, file: file)
            typedefNames.append(name)
        case .enum(let syntax):
            let name = try claim(scope + "." + syntax.name, at: syntax.location)
            types[name] = .enumeration(enums.count)
            for value in syntax.values {
                let valueName = try claim(name + "." + value.name, at: value.location, kind: "enum value ")
                enumValues[valueName] = (enums.count, value.value)
            }
            enums.append((syntax, name))
        case .struct(let syntax):
            let name = try claim(scope + "." + syntax.name, at: syntax.location)
            types[name] = .structure(structs.count)
            structs.append(PendingStruct(syntax: syntax, qualifiedName: name, file: file))
        case .const(let syntax):
            let name = try claim(scope + "." + syntax.name, at: syntax.location, kind: "constant ")
            constantsByName[name] = constants.count
            constants.append((syntax, name, file))
        case .service:
            break
        }
    }

    private mutating func declareService(_ syntax: ThriftServiceSyntax, in file: Int) throws(CodecError) {
        let name = try claim(scopes[file].scope + "." + syntax.name, at: syntax.location, kind: "service ")
        var methods: [PendingMethod] = []
        var methodLocations: [String: SourceLocation] = [:]
        for function in syntax.functions {
            if let first = methodLocations[function.name] {
                throw CodecError(
                    .schemaError, "method \"\(function.name)\" is already defined in \"\(name)\" (at \(first))",
                    location: function.location)
            }
            methodLocations[function.name] = function.location
            let prefix = name + "." + function.name
            let arguments = ThriftStructSyntax(
                name: function.name + "_args", kind: .struct, fields: function.arguments,
                annotations: ThriftAnnotations(), location: function.location)
            var resultFields = function.exceptions
            if let returnType = function.returnType {
                let success = ThriftFieldSyntax(
                    id: 0, name: "success", type: returnType, requiredness: .default, defaultValue: nil,
                    annotations: ThriftAnnotations(), location: returnType.location)
                resultFields.insert(success, at: 0)
            }
            let result = ThriftStructSyntax(
                name: function.name + "_result", kind: .struct, fields: resultFields,
                annotations: ThriftAnnotations(), location: function.location)
            methods.append(
                PendingMethod(syntax: function, argumentsIndex: structs.count, resultIndex: structs.count + 1))
            structs.append(PendingStruct(syntax: arguments, qualifiedName: prefix + "_args", file: file))
            structs.append(PendingStruct(syntax: result, qualifiedName: prefix + "_result", file: file))
        }
        servicesByName[name] = services.count
        services.append(PendingService(syntax: syntax, qualifiedName: name, file: file, methods: methods))
    }

    /// Records a qualified name; types, constants and services each have their own namespace.
    private mutating func claim(_ name: String, at location: SourceLocation, kind: String = "") throws(CodecError)
        -> String
    {
        let key = kind + name
        if let first = declarations[key] {
            throw CodecError(
                .schemaError, "\"\(name)\" is already defined (at \(first))", location: location)
        }
        declarations[key] = location
        return name
    }
}
