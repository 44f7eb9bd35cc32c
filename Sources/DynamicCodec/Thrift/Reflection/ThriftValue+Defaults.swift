extension ThriftValue {
    /// The value at `path`, or when the bytes lack the field, its default declared in the IDL
    /// (`1: i32 retries = 5`), as generated code starts it out.
    ///
    /// Nil for fields without a declared default (Thrift has no implicit zero values), for struct fields, when the
    /// path ends at a list element or map entry, or goes through an element or entry the bytes do not have.
    /// Absent enclosing structs read as empty.
    public func getOrDefault(_ path: FieldPath) throws(CodecError) -> ThriftFieldValue? {
        if let found = try get(path) { return found }
        guard let last = path.steps.last, !last.isSubscript else { return nil }
        if let subscriptIndex = path.steps.lastIndex(where: \.isSubscript) {
            guard try get(FieldPath(Array(path.steps[...subscriptIndex]))) != nil else { return nil }
        }
        let owner = try schema.type(at: FieldPath(Array(path.steps.dropLast())), in: descriptor)
        guard case .struct(let index) = owner else {
            throw CodecError(.pathMismatch, "step \(last.pathText) needs a struct", path: path.description)
        }
        let field = try schema.structs[index].field(for: last)
        switch encoding {
        case .binary: return try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self).declaredDefault(of: field)
        case .compact:
            return try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self).declaredDefault(of: field)
        }
    }
}

extension ThriftAccess {
    /// The declared default of a non-struct field, decoded; nil when there is none.
    func declaredDefault(of field: ThriftFieldDescriptor) throws(CodecError) -> ThriftFieldValue? {
        guard let declared = field.defaultValue else { return nil }
        if case .struct = field.type { return nil }
        var writer = Writer()
        try ThriftDefaultValues<Writer>(schema: schema, maxDepth: limits.maxDepth)
            .write(declared, as: field.type, into: &writer, depth: 0)
        let holder = ThriftValue(
            storage: writer.bytes, range: 0..<writer.bytes.count, encoding: value.encoding,
            descriptor: value.descriptor, schema: schema, limits: limits)
        return try ThriftAccess(holder).decodeValue(field.type, at: 0)
    }
}
