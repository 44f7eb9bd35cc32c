/// Constant values: literals, references, lists and maps.
extension ThriftSourceParser {
    mutating func parseConstValue() throws(CodecError) -> ThriftConstSyntax {
        try enterNesting()
        defer { depth -= 1 }
        let location = currentLocation
        let token = current
        switch token.kind {
        case .integer:
            guard let value = ThriftLexer.integerValue(token.text) else {
                throw syntaxError("integer \(token.text) does not fit in 64 bits")
            }
            advance()
            return ThriftConstSyntax(kind: .integer(value), location: location)
        case .double:
            guard let value = Double(token.text) else { throw syntaxError("\(token.quoted) is not a valid double") }
            advance()
            return ThriftConstSyntax(kind: .double(value), location: location)
        case .string:
            advance()
            return ThriftConstSyntax(kind: .string(token.value), location: location)
        case .identifier:
            advance()
            switch token.text {
            case "true": return ThriftConstSyntax(kind: .integer(1), location: location)
            case "false": return ThriftConstSyntax(kind: .integer(0), location: location)
            default: return ThriftConstSyntax(kind: .identifier(token.text), location: location)
            }
        case .symbol where token.text == "[":
            advance()
            var elements: [ThriftConstSyntax] = []
            while !tryConsume("]") {
                elements.append(try parseConstValue())
                _ = tryConsumeSeparator()
            }
            return ThriftConstSyntax(kind: .list(elements), location: location)
        case .symbol where token.text == "{":
            advance()
            var entries: [(key: ThriftConstSyntax, value: ThriftConstSyntax)] = []
            while !tryConsume("}") {
                let key = try parseConstValue()
                try consume(":")
                entries.append((key, try parseConstValue()))
                _ = tryConsumeSeparator()
            }
            return ThriftConstSyntax(kind: .map(entries), location: location)
        default:
            throw syntaxError("expected a constant value, found \(token.quoted)")
        }
    }
}
