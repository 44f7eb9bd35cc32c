/// Typedefs, constants, enums, structs (unions, exceptions) and services.
extension ThriftSourceParser {
    mutating func parseTypedef() throws(CodecError) -> ThriftTypedefSyntax {
        let location = currentLocation
        advance()
        let type = try parseType()
        let name = try consumeName(of: "typedef")
        _ = try parseAnnotations()
        return ThriftTypedefSyntax(name: name, type: type, location: location)
    }

    mutating func parseConst() throws(CodecError) -> ThriftConstDefinitionSyntax {
        let location = currentLocation
        advance()
        let type = try parseType()
        let name = try consumeName(of: "constant")
        try consume("=")
        let value = try parseConstValue()
        return ThriftConstDefinitionSyntax(name: name, type: type, value: value, location: location)
    }

    /// Values without `=` continue from the previous one (the first is 0), like the Apache compiler.
    mutating func parseEnum() throws(CodecError) -> ThriftEnumSyntax {
        let location = currentLocation
        let start = position
        advance()
        let name = try consumeName(of: "enum")
        try consume("{")
        var values: [ThriftEnumSyntax.Value] = []
        var previous: Int64 = -1
        while !tryConsume("}") {
            let valueLocation = currentLocation
            let valueStart = position
            let valueName = try consumeName(of: "enum value")
            if tryConsume("=") {
                guard current.kind == .integer else {
                    throw syntaxError("expected an integer value for \"\(valueName)\", found \(current.quoted)")
                }
                guard let value = ThriftLexer.integerValue(current.text), let exact = Int32(exactly: value) else {
                    throw schemaError(
                        "value \(current.text) of \"\(valueName)\" is out of the i32 range", at: currentLocation)
                }
                previous = Int64(exact)
                advance()
            } else {
                guard previous < Int64(Int32.max) else {
                    throw schemaError("the implicit value of \"\(valueName)\" overflows i32", at: valueLocation)
                }
                previous += 1
            }
            let annotations = try parseAnnotations()
            _ = tryConsumeSeparator()
            values.append(
                ThriftEnumSyntax.Value(
                    name: valueName, value: Int32(previous), annotations: annotations, location: valueLocation,
                    documentation: documentation(startingAt: valueStart, trailing: true)))
        }
        return ThriftEnumSyntax(
            name: name, values: values, annotations: try parseAnnotations(), location: location,
            documentation: documentation(startingAt: start, trailing: false))
    }

    mutating func parseStruct() throws(CodecError) -> ThriftStructSyntax {
        let location = currentLocation
        let start = position
        let kind: ThriftStructDescriptor.Kind =
            switch current.text {
            case "union": .union
            case "exception": .exception
            default: .struct
            }
        advance()
        let name = try consumeName(of: "\(kind)")
        try rejectLegacyKeyword()
        try consume("{")
        let fields = try parseFields(until: "}", context: kind == .union ? .union : .structure)
        return ThriftStructSyntax(
            name: name, kind: kind, fields: fields, annotations: try parseAnnotations(), location: location,
            documentation: documentation(startingAt: start, trailing: false))
    }

    mutating func parseService() throws(CodecError) -> ThriftServiceSyntax {
        let location = currentLocation
        let start = position
        advance()
        let name = try consumeName(of: "service")
        var extends: (name: String, location: SourceLocation)?
        if tryConsume("extends") {
            let extendsLocation = currentLocation
            guard current.kind == .identifier, !Self.keywords.contains(current.text) else {
                throw syntaxError("expected the name of the extended service, found \(current.quoted)")
            }
            extends = (current.text, extendsLocation)
            advance()
        }
        try consume("{")
        var functions: [ThriftFunctionSyntax] = []
        while !tryConsume("}") {
            functions.append(try parseFunction())
        }
        return ThriftServiceSyntax(
            name: name, extends: extends, functions: functions, annotations: try parseAnnotations(),
            location: location, documentation: documentation(startingAt: start, trailing: false))
    }

    /// `[oneway] Type name(arguments) [throws (exceptions)] [annotations]`; `async` is the old word for `oneway`.
    private mutating func parseFunction() throws(CodecError) -> ThriftFunctionSyntax {
        let location = currentLocation
        let start = position
        let isOneway = tryConsume("oneway") || tryConsume("async")
        let returnType = tryConsume("void") ? nil : try parseType()
        let name = try consumeName(of: "method")
        try consume("(")
        let arguments = try parseFields(until: ")", context: .arguments)
        var exceptions: [ThriftFieldSyntax] = []
        let throwsLocation = currentLocation
        if tryConsume("throws") {
            try consume("(")
            exceptions = try parseFields(until: ")", context: .arguments)
            if isOneway && !exceptions.isEmpty {
                throw schemaError("oneway method \"\(name)\" cannot throw exceptions", at: throwsLocation)
            }
        }
        let annotations = try parseAnnotations()
        _ = tryConsumeSeparator()
        return ThriftFunctionSyntax(
            name: name, isOneway: isOneway, returnType: returnType, arguments: arguments, exceptions: exceptions,
            annotations: annotations, location: location,
            documentation: documentation(startingAt: start, trailing: true))
    }
}
