/// Field lists: struct members, method arguments and `throws` clauses.
extension ThriftSourceParser {
    /// Where a field list appears; it decides how `required` and `optional` are read.
    enum FieldListContext {
        case structure
        /// Union members are always optional, whatever is written (the Apache compiler warns and ignores it).
        case union
        /// Argument and exception lists ignore `optional`, like the Apache compiler.
        case arguments
    }

    /// Fields up to and including `close`. Fields without an id, or with an id of zero or below, get the ids the
    /// Apache compiler assigns: -1, -2, ... in order within the list.
    mutating func parseFields(until close: String, context: FieldListContext) throws(CodecError) -> [ThriftFieldSyntax]
    {
        var fields: [ThriftFieldSyntax] = []
        var nextImplicitId = -1
        while !tryConsume(close) {
            let location = currentLocation
            let start = position
            var explicitId: Int?
            if current.kind == .integer, token(ahead: 1).kind == .symbol, token(ahead: 1).text == ":" {
                guard let value = ThriftLexer.integerValue(current.text), value <= Int64(Int16.max) else {
                    throw schemaError("field id \(current.text) is out of range (at most 32767)", at: location)
                }
                if value > 0 { explicitId = Int(value) }
                advance()
                advance()
            }
            let id = explicitId ?? nextImplicitId
            if explicitId == nil {
                guard nextImplicitId >= Int(Int16.min) else {
                    throw schemaError("too many fields without an id for the range of negative ids", at: location)
                }
                nextImplicitId -= 1
            }
            var requiredness = ThriftRequiredness.default
            if tryConsume("required") {
                requiredness = .required
            } else if tryConsume("optional") {
                requiredness = context == .arguments ? .default : .optional
            }
            if context == .union { requiredness = .optional }
            let type = try parseType()
            _ = tryConsume("&")
            let name = try consumeName(of: "field")
            let defaultValue = tryConsume("=") ? try parseConstValue() : nil
            try rejectLegacyKeyword()
            let annotations = try parseAnnotations()
            _ = tryConsumeSeparator()
            fields.append(
                ThriftFieldSyntax(
                    id: Int16(id), name: name, type: type, requiredness: requiredness, defaultValue: defaultValue,
                    annotations: annotations, location: location,
                    documentation: documentation(startingAt: start, trailing: true)))
        }
        return fields
    }
}
