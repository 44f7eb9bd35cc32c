extension ThriftSchema {
    /// How a resolved type reads in messages: `list<map<string, Book>>`.
    package func describe(_ type: ThriftType) -> String {
        type.described { named in
            switch named {
            case .struct(let index): structs[index].name
            case .enum(let index): enums[index].name
            default: "\(named)"
            }
        }
    }
}
