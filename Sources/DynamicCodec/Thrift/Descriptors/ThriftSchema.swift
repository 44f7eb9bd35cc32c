/// A loaded set of Thrift files: structs (unions, exceptions and method argument/result structs included), enums,
/// services, typedefs and constants, linked and indexed. Immutable and `Sendable`.
public final class ThriftSchema: Sendable {
    public let structs: [ThriftStructDescriptor]
    public let enums: [ThriftEnumDescriptor]
    public let services: [ThriftServiceDescriptor]
    /// Typedefs by qualified name, resolved to their final type.
    public let typedefs: [String: ThriftType]
    /// Constants by qualified name.
    public let constants: [String: ThriftConstValue]
    /// The files, includes first. `namespaces` maps a language (`go`, `py`, `*`) to the namespace.
    public let files: [ThriftFile]

    private let structsByName: [String: Int]
    private let enumsByName: [String: Int]
    private let servicesByName: [String: Int]

    public init(
        structs: [ThriftStructDescriptor], enums: [ThriftEnumDescriptor], services: [ThriftServiceDescriptor],
        typedefs: [String: ThriftType], constants: [String: ThriftConstValue], files: [ThriftFile]
    ) {
        self.structs = structs
        self.enums = enums
        self.services = services
        self.typedefs = typedefs
        self.constants = constants
        self.files = files
        structsByName = Dictionary(structs.map { ($0.name, $0.index) }, uniquingKeysWith: { first, _ in first })
        enumsByName = Dictionary(enums.map { ($0.name, $0.index) }, uniquingKeysWith: { first, _ in first })
        servicesByName = Dictionary(services.map { ($0.name, $0.index) }, uniquingKeysWith: { first, _ in first })
    }

    /// The struct (union, exception) with this qualified name; an unqualified name matches a type of the main file
    /// or, failing that, the only type with that name.
    public func structType(named name: String) -> ThriftStructDescriptor? {
        if let index = structsByName[name] { return structs[index] }
        let matches = structs.filter { $0.name.split(separator: ".").last.map(String.init) == name }
        return matches.count == 1 ? matches[0] : nil
    }

    public func requireStruct(named name: String) throws(CodecError) -> ThriftStructDescriptor {
        if let found = structType(named: name) { return found }
        throw CodecError(.unknownType, "no struct named '\(name)' in the schema")
    }

    public func enumType(named name: String) -> ThriftEnumDescriptor? {
        if let index = enumsByName[name] { return enums[index] }
        let matches = enums.filter { $0.name.split(separator: ".").last.map(String.init) == name }
        return matches.count == 1 ? matches[0] : nil
    }

    public func service(named name: String) -> ThriftServiceDescriptor? {
        if let index = servicesByName[name] { return services[index] }
        let matches = services.filter { $0.name.split(separator: ".").last.map(String.init) == name }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The methods of a service including those it inherits through `extends`, own methods first.
    public func allMethods(of service: ThriftServiceDescriptor) -> [ThriftMethodDescriptor] {
        var methods = service.methods
        var current = service.extendsIndex
        var seen = Set<Int>()
        while let index = current, seen.insert(index).inserted {
            methods += services[index].methods
            current = services[index].extendsIndex
        }
        return methods
    }
}

/// One parsed `.thrift` file.
public struct ThriftFile: Sendable, Hashable {
    public var name: String
    /// Language -> namespace (`namespace go bookstore` gives ["go": "bookstore"]).
    public var namespaces: [String: String]
    /// Names of included files, as written.
    public var includes: [String]

    public init(name: String, namespaces: [String: String], includes: [String]) {
        self.name = name
        self.namespaces = namespaces
        self.includes = includes
    }
}
