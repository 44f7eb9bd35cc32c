/// The definitions of a `.thrift` file as written, before names are resolved.
enum ThriftDefinitionSyntax: Sendable {
    case typedef(ThriftTypedefSyntax)
    case const(ThriftConstDefinitionSyntax)
    case `enum`(ThriftEnumSyntax)
    case `struct`(ThriftStructSyntax)
    case service(ThriftServiceSyntax)
}

struct ThriftTypedefSyntax: Sendable {
    var name: String
    var type: ThriftTypeSyntax
    var location: SourceLocation
}

struct ThriftConstDefinitionSyntax: Sendable {
    var name: String
    var type: ThriftTypeSyntax
    var value: ThriftConstSyntax
    var location: SourceLocation
}

struct ThriftEnumSyntax: Sendable {
    struct Value: Sendable {
        var name: String
        /// Explicit or continued from the previous value, like the Apache compiler assigns it.
        var value: Int32
        var annotations: ThriftAnnotations
        var location: SourceLocation
        /// The doc comment (see ``IDLComments``).
        var documentation: String? = nil
    }

    var name: String
    var values: [Value]
    var annotations: ThriftAnnotations
    var location: SourceLocation
    /// The doc comment (see ``IDLComments``).
    var documentation: String? = nil
}

/// A field of a struct, union or exception, a method argument or a declared exception.
struct ThriftFieldSyntax: Sendable {
    /// The id as written, or the negative id Apache Thrift assigns to a field without one.
    var id: Int16
    var name: String
    var type: ThriftTypeSyntax
    var requiredness: ThriftRequiredness
    var defaultValue: ThriftConstSyntax?
    var annotations: ThriftAnnotations
    var location: SourceLocation
    /// The doc comment (see ``IDLComments``).
    var documentation: String? = nil
}

struct ThriftStructSyntax: Sendable {
    var name: String
    var kind: ThriftStructDescriptor.Kind
    var fields: [ThriftFieldSyntax]
    var annotations: ThriftAnnotations
    var location: SourceLocation
    /// The doc comment (see ``IDLComments``).
    var documentation: String? = nil
}

struct ThriftFunctionSyntax: Sendable {
    var name: String
    var isOneway: Bool
    /// Nil for `void`.
    var returnType: ThriftTypeSyntax?
    var arguments: [ThriftFieldSyntax]
    var exceptions: [ThriftFieldSyntax]
    var annotations: ThriftAnnotations
    var location: SourceLocation
    /// The doc comment (see ``IDLComments``).
    var documentation: String? = nil
}

struct ThriftServiceSyntax: Sendable {
    var name: String
    /// The extended service as written, and where.
    var extends: (name: String, location: SourceLocation)?
    var functions: [ThriftFunctionSyntax]
    var annotations: ThriftAnnotations
    var location: SourceLocation
    /// The doc comment (see ``IDLComments``).
    var documentation: String? = nil
}
