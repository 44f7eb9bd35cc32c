/// Interprets the option statements of one element into the binary form of its options message, as protoc's
/// `OptionInterpreter` does: each statement is encoded on its own, nested in its intermediate messages, and the
/// statements are concatenated in source order. Decoding the bytes gives standard options as known fields and custom
/// options as unknown fields, byte-identical to protoc's output.
struct ProtoOptionInterpreter {
    let context: ProtoOptionContext

    /// - Parameters:
    ///   - optionsType: Full name of the options message, e.g. `google.protobuf.FieldOptions`.
    ///   - scope: Full name of the element the options belong to; extension names are resolved from there.
    func interpret(
        _ statements: [ProtoOptionStatement], optionsType: String, scope: String
    ) throws(CodecError) -> [UInt8] {
        guard let optionsMessage = context.message(optionsType) else {
            throw CodecError(
                .schemaError, "no definition of \(optionsType) is available",
                location: statements.first?.location)
        }
        var writer = ProtoOptionValueWriter()
        var touched = Set<[Int32]>()
        for statement in statements {
            try interpret(statement, in: optionsMessage, scope: scope, touched: &touched, writer: &writer)
        }
        return writer.bytes
    }

    private func interpret(
        _ statement: ProtoOptionStatement, in optionsMessage: ProtoSchemaMessage, scope: String,
        touched: inout Set<[Int32]>, writer: inout ProtoOptionValueWriter
    ) throws(CodecError) {
        let displayName = statement.displayName
        if !statement.name[0].isExtension && statement.name[0].name == "uninterpreted_option" {
            throw CodecError(
                .schemaError, "option must not use the reserved name \"uninterpreted_option\"",
                location: statement.location)
        }
        var message = optionsMessage
        var fields: [ProtoSchemaField] = []
        for (index, part) in statement.name.enumerated() {
            let field: ProtoSchemaField
            if part.isExtension {
                guard let found = context.extensionField(part.name, relativeTo: scope) else {
                    throw CodecError(
                        .schemaError,
                        "option \"\(displayName)\" unknown; ensure that your proto definition file imports the proto "
                            + "which defines the option (an extension of \(message.fullName))",
                        location: part.location)
                }
                guard found.extendee == message.fullName else {
                    throw CodecError(
                        .schemaError,
                        "option field \"(\(part.name))\" is not a field or extension of message \"\(message.name)\" "
                            + "(it extends \(found.extendee ?? "?"))",
                        location: part.location)
                }
                field = found
            } else {
                guard let found = message.field(named: part.name) else {
                    throw CodecError(
                        .schemaError,
                        "option \"\(displayName)\" unknown: \(message.fullName) has no field \"\(part.name)\"",
                        location: part.location)
                }
                field = found
            }
            if index < statement.name.count - 1 {
                guard field.isMessage, let next = context.message(field.typeName) else {
                    throw CodecError(
                        .schemaError,
                        "option \"\(displayName)\" is invalid: \"\(field.name)\" is an atomic type, not a message",
                        location: part.location)
                }
                if field.isRepeated {
                    throw CodecError(
                        .schemaError,
                        "option field \"\(field.name)\" is a repeated message; repeated message options must be "
                            + "initialized using an aggregate value",
                        location: part.location)
                }
                message = next
            }
            fields.append(field)
        }

        let field = fields[fields.count - 1]
        let numbers = fields.map(\.number)
        if !field.isRepeated && touched.contains(numbers) {
            throw CodecError(.schemaError, "option \"\(displayName)\" was already set", location: statement.location)
        }

        var value = ProtoOptionValueWriter()
        var setPaths: [[Int32]] = [numbers]
        if field.isMessage {
            guard case .aggregate(let tokens) = statement.value else {
                throw CodecError(
                    .schemaError,
                    "option \"\(displayName)\" is a message; to set the entire message, use syntax like "
                        + "\"\(displayName) = { <proto text format> }\"; to set fields within it, use syntax like "
                        + "\"\(displayName).foo = value\"",
                    location: statement.valueLocation)
            }
            guard let type = context.message(field.typeName) else {
                throw CodecError(
                    .schemaError, "unknown message type \(field.typeName)", location: statement.valueLocation)
            }
            var parser = ProtoAggregateParser(
                tokens: tokens, context: context, endLocation: statement.valueLocation)
            let parsed = try parser.parse(type)
            value.writeMessage(field.number, parsed.payload, asGroup: field.type == .group)
            setPaths += parsed.setPaths.map { numbers + $0 }
        } else {
            let scalar = try context.scalarValue(statement.value, for: field, at: statement.valueLocation)
            value.writeTag(field.number, ProtoOptionValueWriter.wireType(of: field.type))
            value.writePayload(scalar, as: field.type)
        }
        var bytes = value.bytes
        for outer in fields.dropLast().reversed() {
            var wrapper = ProtoOptionValueWriter()
            wrapper.writeMessage(outer.number, bytes, asGroup: outer.type == .group)
            bytes = wrapper.bytes
        }
        writer.bytes += bytes
        for path in setPaths {
            for length in 1...path.count { touched.insert(Array(path.prefix(length))) }
        }
    }
}
