/// A type as written in IDL, before names are resolved.
struct ThriftTypeSyntax: Sendable {
    indirect enum Kind: Sendable {
        /// A base type keyword (`i8` and `byte` are both ``ThriftType/byte``).
        case base(ThriftType)
        /// A struct, union, exception, enum or typedef name, possibly prefixed by an include (`common.Shelf`).
        case named(String)
        case list(ThriftTypeSyntax)
        case set(ThriftTypeSyntax)
        case map(key: ThriftTypeSyntax, value: ThriftTypeSyntax)
    }

    var kind: Kind
    var location: SourceLocation

    /// The type as written, without annotations (`map<string, list<common.ShelfId>>`).
    var text: String {
        switch kind {
        case .base(let type): ThriftTypeSyntax.keyword(of: type)
        case .named(let name): name
        case .list(let element): "list<\(element.text)>"
        case .set(let element): "set<\(element.text)>"
        case .map(let key, let value): "map<\(key.text), \(value.text)>"
        }
    }

    /// Base type keywords; `byte` is the legacy spelling of `i8`.
    static let baseTypes: [String: ThriftType] = [
        "bool": .bool, "byte": .byte, "i8": .byte, "i16": .i16, "i32": .i32, "i64": .i64, "double": .double,
        "string": .string, "binary": .binary, "uuid": .uuid,
    ]

    private static func keyword(of type: ThriftType) -> String { type.keyword ?? "\(type)" }
}
