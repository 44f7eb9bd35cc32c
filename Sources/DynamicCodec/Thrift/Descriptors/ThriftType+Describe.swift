extension ThriftType {
    /// The IDL keyword of a base type (`i8` for byte); nil for structs, enums and containers.
    package var keyword: String? {
        switch self {
        case .bool: "bool"
        case .byte: "i8"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .uuid: "uuid"
        case .struct, .enum, .list, .set, .map: nil
        }
    }

    /// How the type reads in messages (`list<map<string, bookstore.Book>>`), structs and enums named by `name`.
    package func described(naming name: (ThriftType) -> String) -> String {
        if let keyword { return keyword }
        switch self {
        case .list(let element): return "list<\(element.described(naming: name))>"
        case .set(let element): return "set<\(element.described(naming: name))>"
        case .map(let key, let value):
            return "map<\(key.described(naming: name)), \(value.described(naming: name))>"
        default: return name(self)
        }
    }
}
