/// Constant values: references resolved to literals and every value checked against its type.
extension ThriftSchemaBuilder {
    /// The value of `syntax` as a `type`, written in `file`, for the constant or field named `owner`.
    ///
    /// Integers become `.bool` for bool types and `.double` for doubles; enum values and references to other
    /// constants become the literal they stand for; struct literals keep their keys as field-name strings.
    mutating func resolveValue(_ syntax: ThriftConstSyntax, as type: ThriftType, in file: Int, for owner: String)
        throws(CodecError) -> ThriftConstValue
    {
        try enterResolution(at: syntax.location)
        defer { depth -= 1 }
        switch (type, syntax.kind) {
        case (_, .identifier(let reference)):
            return try resolveReference(reference, at: syntax.location, as: type, in: file, for: owner)
        case (.bool, .integer(let value)):
            return .bool(value != 0)
        case (.byte, .integer(let value)):
            return try checked(value, Int64(Int8.min)...Int64(Int8.max), syntax, type, owner)
        case (.i16, .integer(let value)):
            return try checked(value, Int64(Int16.min)...Int64(Int16.max), syntax, type, owner)
        case (.i32, .integer(let value)), (.enum, .integer(let value)):
            return try checked(value, Int64(Int32.min)...Int64(Int32.max), syntax, type, owner)
        case (.i64, .integer(let value)):
            return .integer(value)
        case (.double, .integer(let value)):
            return .double(Double(value))
        case (.double, .double(let value)):
            return .double(value)
        case (.string, .string(let text)), (.binary, .string(let text)):
            return .string(text)
        case (.uuid, .string(let text)) where Self.isUUID(text):
            return .string(text)
        case (.list(let element), .list(let items)), (.set(let element), .list(let items)):
            var values: [ThriftConstValue] = []
            for item in items {
                values.append(try resolveValue(item, as: element, in: file, for: owner))
            }
            return .list(values)
        case (.list, .map(let entries)) where entries.isEmpty, (.set, .map(let entries)) where entries.isEmpty:
            return .list([])
        case (.map(let keyType, let valueType), .map(let entries)):
            var values: [ThriftConstEntry] = []
            for entry in entries {
                let key = try resolveValue(entry.key, as: keyType, in: file, for: owner)
                values.append(
                    ThriftConstEntry(
                        key: key, value: try resolveValue(entry.value, as: valueType, in: file, for: owner)))
            }
            return .map(values)
        case (.map, .list(let items)) where items.isEmpty:
            return .map([])
        case (.struct(let index), .map(let entries)):
            return try resolveStructLiteral(entries, of: index, in: file, for: owner)
        default:
            throw typeError(syntax, type, owner)
        }
    }

    /// A struct literal `{"field": value, ...}`: keys must name fields of the struct.
    private mutating func resolveStructLiteral(
        _ entries: [(key: ThriftConstSyntax, value: ThriftConstSyntax)], of index: Int, in file: Int, for owner: String
    ) throws(CodecError) -> ThriftConstValue {
        let target = structs[index]
        var values: [ThriftConstEntry] = []
        for entry in entries {
            guard case .string(let fieldName) = entry.key.kind else {
                throw CodecError(
                    .schemaError, "keys of a \"\(target.qualifiedName)\" literal must be field names in quotes",
                    location: entry.key.location)
            }
            guard let field = target.syntax.fields.first(where: { $0.name == fieldName }) else {
                throw CodecError(
                    .schemaError, "\"\(target.qualifiedName)\" has no field named \"\(fieldName)\"",
                    location: entry.key.location)
            }
            let fieldType = try resolve(field.type, in: target.file)
            let value = try resolveValue(entry.value, as: fieldType, in: file, for: owner)
            values.append(ThriftConstEntry(key: .string(fieldName), value: value))
        }
        return .map(values)
    }

    /// An enum value (`Genre.FICTION`, `common.Genre.FICTION`) or another constant, as a literal of `type`.
    private mutating func resolveReference(
        _ reference: String, at location: SourceLocation, as type: ThriftType, in file: Int, for owner: String
    ) throws(CodecError) -> ThriftConstValue {
        let names = candidates(for: reference, in: file)
        if let name = names.first(where: { enumValues[$0] != nil }), let (enumIndex, value) = enumValues[name] {
            if case .enum(let expected) = type, expected != enumIndex {
                throw CodecError(
                    .schemaError,
                    "value for \"\(owner)\" must be a \(describe(type)), but \"\(reference)\" is a value of "
                        + enums[enumIndex].qualifiedName,
                    location: location)
            }
            let literal = ThriftConstSyntax(kind: .integer(Int64(value)), location: location)
            return try resolveValue(literal, as: type, in: file, for: owner)
        }
        if let name = names.first(where: { constantsByName[$0] != nil }), let index = constantsByName[name] {
            guard constantsInProgress.insert(name).inserted else {
                throw CodecError(.schemaError, "constant \"\(name)\" depends on itself", location: location)
            }
            defer { constantsInProgress.remove(name) }
            let constant = constants[index]
            return try resolveValue(constant.syntax.value, as: type, in: constant.file, for: owner)
        }
        throw CodecError(
            .schemaError,
            "no constant or enum value named \"\(reference)\"\(includeHint(for: reference, in: file))",
            location: location)
    }

    private func checked(
        _ value: Int64, _ range: ClosedRange<Int64>, _ syntax: ThriftConstSyntax, _ type: ThriftType, _ owner: String
    ) throws(CodecError) -> ThriftConstValue {
        guard range.contains(value) else {
            throw CodecError(
                .schemaError, "value \(value) for \"\(owner)\" is out of the range of \(describe(type))",
                location: syntax.location)
        }
        return .integer(value)
    }

    private func typeError(_ syntax: ThriftConstSyntax, _ type: ThriftType, _ owner: String) -> CodecError {
        let found: String =
            switch syntax.kind {
            case .integer: "an integer"
            case .double: "a double"
            case .string: type == .uuid ? "a string that is not a UUID" : "a string"
            case .identifier: "a reference"
            case .list: "a list"
            case .map: "a map"
            }
        return CodecError(
            .schemaError, "value for \"\(owner)\" must be a \(describe(type)), found \(found)",
            location: syntax.location)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits, optionally in braces.
    static func isUUID(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "{") && bytes.last == UInt8(ascii: "}") && bytes.count == 38 {
            bytes = bytes.dropFirst().dropLast()
        }
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if ThriftLexer.hexValue(byte) == nil {
                return false
            }
        }
        return true
    }
}
