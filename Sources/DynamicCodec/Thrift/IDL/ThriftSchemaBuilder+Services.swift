/// Services: `extends`, methods, and the exceptions a method may throw.
extension ThriftSchemaBuilder {
    mutating func buildService(_ index: Int) throws(CodecError) -> ThriftServiceDescriptor {
        let pending = services[index]
        var extendsIndex: Int?
        if let extends = pending.syntax.extends {
            guard let name = candidates(for: extends.name, in: pending.file).first(where: { servicesByName[$0] != nil })
            else {
                throw CodecError(
                    .schemaError,
                    "service \"\(extends.name)\" is not defined\(includeHint(for: extends.name, in: pending.file))",
                    location: extends.location)
            }
            extendsIndex = servicesByName[name]
        }
        var methods: [ThriftMethodDescriptor] = []
        for method in pending.methods {
            let function = method.syntax
            let returnType = try function.returnType.map { (type) throws(CodecError) in
                try resolve(type, in: pending.file)
            }
            for exception in function.exceptions {
                let type = try resolve(exception.type, in: pending.file)
                guard case .struct(let thrown) = type, structs[thrown].syntax.kind == .exception else {
                    throw CodecError(
                        .schemaError,
                        "\"\(exception.type.text)\" in the throws clause of \"\(function.name)\" is not an exception",
                        location: exception.type.location)
                }
            }
            methods.append(
                ThriftMethodDescriptor(
                    name: function.name, isOneway: function.isOneway, argumentsIndex: method.argumentsIndex,
                    resultIndex: method.resultIndex, returnType: returnType,
                    exceptionIds: function.exceptions.map(\.id),
                    annotations: function.annotations, documentation: function.documentation))
        }
        return ThriftServiceDescriptor(
            name: pending.qualifiedName, extendsIndex: extendsIndex, methods: methods,
            annotations: pending.syntax.annotations, index: index, documentation: pending.syntax.documentation)
    }

    /// A service must not extend itself, directly or through others.
    func checkExtendsCycles(_ built: [ThriftServiceDescriptor]) throws(CodecError) {
        for service in built {
            var seen: [Int] = [service.index]
            var current = service.extendsIndex
            while let next = current {
                if next == service.index {
                    let cycle = (seen + [next]).map { built[$0].name }.joined(separator: " -> ")
                    throw CodecError(
                        .schemaError, "services extend each other in a cycle: \(cycle)",
                        location: services[service.index].syntax.extends?.location)
                }
                if seen.contains(next) { break }
                seen.append(next)
                current = built[next].extendsIndex
            }
        }
    }
}
