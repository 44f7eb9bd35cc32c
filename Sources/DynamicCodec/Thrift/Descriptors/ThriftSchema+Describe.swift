extension ThriftSchema {
    /// How a resolved type reads in messages: `list<map<string, bookstore.Book>>`.
    package func describe(_ type: ThriftType) -> String {
        switch type {
        case .bool: "bool"
        case .byte: "byte"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .uuid: "uuid"
        case .struct(let index): structs[index].name
        case .enum(let index): enums[index].name
        case .list(let element): "list<\(describe(element))>"
        case .set(let element): "set<\(describe(element))>"
        case .map(let key, let value): "map<\(describe(key)), \(describe(value))>"
        }
    }
}
