/// A service: its own methods and the service it extends. Immutable.
public final class ThriftServiceDescriptor: Sendable, CustomStringConvertible {
    /// Qualified like struct names: `bookstore.Bookstore`.
    public let name: String
    /// Index of the extended service in ``ThriftSchema/services``.
    public let extendsIndex: Int?
    /// Methods declared by this service (not the inherited ones; see ``ThriftSchema/allMethods(of:)``).
    public let methods: [ThriftMethodDescriptor]
    public let annotations: ThriftAnnotations
    public let index: Int
    /// The doc comment from the IDL, if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    public init(
        name: String, extendsIndex: Int?, methods: [ThriftMethodDescriptor], annotations: ThriftAnnotations, index: Int,
        documentation: String? = nil
    ) {
        self.documentation = documentation
        self.name = name
        self.extendsIndex = extendsIndex
        self.methods = methods
        self.annotations = annotations
        self.index = index
    }

    public var description: String { "service \(name)" }
}

/// A method as the wire sees it: its arguments struct and its result struct (success = field 0, then the
/// declared exceptions with their ids).
public struct ThriftMethodDescriptor: Sendable {
    public let name: String
    public let isOneway: Bool
    /// Index into ``ThriftSchema/structs`` of the synthesized `Service.method_args` struct.
    public let argumentsIndex: Int
    /// Index into ``ThriftSchema/structs`` of the synthesized `Service.method_result` struct: field 0 `success`
    /// (absent for void methods) and one field per declared exception.
    public let resultIndex: Int
    /// The return type, nil for `void`.
    public let returnType: ThriftType?
    /// Ids of the result struct's fields that are declared exceptions.
    public let exceptionIds: [Int16]
    public let annotations: ThriftAnnotations
    /// The doc comment from the IDL, if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    public init(
        name: String, isOneway: Bool, argumentsIndex: Int, resultIndex: Int, returnType: ThriftType?,
        exceptionIds: [Int16], annotations: ThriftAnnotations, documentation: String? = nil
    ) {
        self.documentation = documentation
        self.name = name
        self.isOneway = isOneway
        self.argumentsIndex = argumentsIndex
        self.resultIndex = resultIndex
        self.returnType = returnType
        self.exceptionIds = exceptionIds
        self.annotations = annotations
    }
}
