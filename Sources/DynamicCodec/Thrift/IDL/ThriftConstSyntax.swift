/// A constant value as written in IDL (a `const`, a default value), before references are resolved and before
/// it is checked against its type.
struct ThriftConstSyntax: Sendable {
    indirect enum Kind: Sendable {
        /// An integer; `true` and `false` are 1 and 0, as in the Apache compiler.
        case integer(Int64)
        case double(Double)
        case string(String)
        /// A reference to a constant or an enum value (`DEFAULT_PAGE_SIZE`, `common.Genre.FICTION`).
        case identifier(String)
        case list([ThriftConstSyntax])
        /// A map literal, also used for struct literals (keys are then field names).
        case map([(key: ThriftConstSyntax, value: ThriftConstSyntax)])
    }

    var kind: Kind
    var location: SourceLocation
}
