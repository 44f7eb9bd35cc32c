extension ProtoSourceParser {
    /// Parses `option name = value;` for the element at `path`.
    mutating func parseOptionStatement(path: [Int32]) throws(CodecError) {
        try consume("option", "expected \"option\", found \(current.quoted)")
        try parseOptionAssignment(path: path)
        try consume(";", "expected \";\" after the option, found \(current.quoted)")
    }

    /// Parses `[ name = value, ... ]` for the element at `path`.
    mutating func parseBracketedOptions(path: [Int32]) throws(CodecError) {
        try consume("[")
        repeat {
            try parseOptionAssignment(path: path)
        } while tryConsume(",")
        try consume("]", "expected \"]\" or \",\" in the options, found \(current.quoted)")
    }

    /// Parses `name = value` (without `option` or `;`), as in statements and in `[...]` lists.
    mutating func parseOptionAssignment(path: [Int32]) throws(CodecError) {
        var name = [try parseOptionNamePart()]
        while tryConsume(".") {
            name.append(try parseOptionNamePart())
        }
        try consume("=", "expected \"=\" after the option name, found \(current.quoted)")
        let valueLocation = currentLocation
        let value = try parseOptionValue()
        result.options[path, default: []].append(
            ProtoOptionStatement(name: name, value: value, valueLocation: valueLocation))
    }

    private mutating func parseOptionNamePart() throws(CodecError) -> ProtoOptionStatement.NamePart {
        let location = currentLocation
        guard tryConsume("(") else {
            return .init(name: try consumeIdentifier("Expected option name."), isExtension: false, location: location)
        }
        var name = ""
        if current.kind == .identifier {
            name = try consumeIdentifier("Expected identifier.")
        }
        while tryConsume(".") {
            name += "." + (try consumeIdentifier("Expected identifier."))
        }
        if name.isEmpty { throw syntaxError("expected an extension name inside \"(...)\", found \(current.quoted)") }
        try consume(")", "expected \")\" after the extension name, found \(current.quoted)")
        return .init(name: name, isExtension: true, location: location)
    }

    private mutating func parseOptionValue() throws(CodecError) -> ProtoOptionStatement.Value {
        let negative = tryConsume("-")
        switch current.kind {
        case .end:
            throw syntaxError("unexpected end of input while parsing the option value")
        case .identifier:
            // protoc accepts `inf` and `nan` only in defaults and message literals, not as option values.
            if negative { throw syntaxError("invalid \"-\" symbol before identifier \(current.quoted)") }
            defer { advance() }
            return .identifier(current.text)
        case .integer:
            let max = negative ? UInt64(Int64.max) + 1 : UInt64.max
            let magnitude = try consumeInteger(max: max, "Expected integer.")
            return negative ? .negativeInteger(Int64(truncatingIfNeeded: 0 &- magnitude)) : .positiveInteger(magnitude)
        case .float:
            guard let value = ProtoLexer.floatValue(current) else {
                throw syntaxError("number \(current.text) is out of range")
            }
            advance()
            return .double(negative ? -value : value)
        case .string:
            if negative { throw syntaxError("invalid \"-\" before a string") }
            return .string(try consumeString("Expected string."))
        case .symbol:
            guard !negative, lookingAt("{") else {
                throw syntaxError("expected an option value, found \(current.quoted)")
            }
            return .aggregate(try parseAggregateTokens())
        }
    }

    /// Collects the tokens of a `{ ... }` value up to the matching brace, which text-format parsing reads later.
    private mutating func parseAggregateTokens() throws(CodecError) -> [ProtoToken] {
        let start = currentLocation
        try consume("{")
        var depth = 1
        var collected: [ProtoToken] = []
        while !atEnd {
            if lookingAt("{") {
                depth += 1
            } else if lookingAt("}") {
                depth -= 1
                if depth == 0 {
                    advance()
                    return collected
                }
            }
            collected.append(current)
            advance()
        }
        throw syntaxError("unexpected end of input while parsing the aggregate value opened at \(start)")
    }
}
