/// Structs, unions, exceptions and the synthesized method structs.
extension ThriftSchemaBuilder {
    mutating func buildStruct(_ index: Int) throws(CodecError) -> ThriftStructDescriptor {
        let pending = structs[index]
        var fields: [ThriftFieldDescriptor] = []
        var idOwners: [Int16: String] = [:]
        var names: Set<String> = []
        for field in pending.syntax.fields {
            if let owner = idOwners[field.id] {
                throw CodecError(
                    .schemaError,
                    "field id \(field.id) of \"\(field.name)\" is already used by \"\(owner)\" in "
                        + "\"\(pending.qualifiedName)\"",
                    location: field.location)
            }
            guard names.insert(field.name).inserted else {
                throw CodecError(
                    .schemaError, "field \"\(field.name)\" is already defined in \"\(pending.qualifiedName)\"",
                    location: field.location)
            }
            idOwners[field.id] = field.name
            let type = try resolve(field.type, in: pending.file)
            let defaultValue = try field.defaultValue.map { (value) throws(CodecError) in
                try resolveValue(value, as: type, in: pending.file, for: pending.qualifiedName + "." + field.name)
            }
            fields.append(
                ThriftFieldDescriptor(
                    id: field.id, name: field.name, type: type, requiredness: field.requiredness,
                    defaultValue: defaultValue, annotations: field.annotations, declaredTypeName: field.type.text,
                    documentation: field.documentation))
        }
        return ThriftStructDescriptor(
            name: pending.qualifiedName, kind: pending.syntax.kind, fields: fields,
            annotations: pending.syntax.annotations, index: index, fileName: files[pending.file].name,
            documentation: pending.syntax.documentation)
    }
}
