import DynamicCodec

/// Protobuf binary against a message type of `FuzzSchemas.protoMessages` (selector byte: type in the low nibble,
/// JSON options in the high one).
///
/// Invariants: a DOM that loads marshals back to the input byte for byte; a message trimmed to its own type
/// validates and trims to itself again; JSON that the codec writes reads back, and binary -> JSON -> binary ->
/// JSON is stable (the second JSON equals the first, the second binary the first re-encoded one).
enum ProtobufBinaryCheck {
    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, bytes) = input.selectorAndPayload
        let schema = FuzzSchemas.proto
        let type = FuzzSchemas.protoMessages[(selector & 0x0F) % FuzzSchemas.protoMessages.count]
        guard let value = try? ProtoValue(bytes: bytes, descriptor: type, schema: schema) else { return }
        let valid = (try? value.validate()) != nil
        for field in type.fields {
            _ = try? value.get("\(field.number)")
        }

        var dom = ProtoDOM(schema: schema)
        if (try? dom.load(bytes, as: type)) != nil {
            let marshalled = dom.marshal()
            try require(
                marshalled == bytes,
                "\(type.fullName): DOM load + marshal changed the bytes: \(hex(bytes)) -> \(hex(marshalled))")
        }

        if valid, let trimmed = try? value.trimmed(to: type, allowMissingRequired: true) {
            do {
                try trimmed.validate()
                let again = try trimmed.trimmed(to: type, allowMissingRequired: true)
                try require(
                    again.bytes == trimmed.bytes,
                    "\(type.fullName): trimming is not idempotent: \(hex(trimmed.bytes)) -> \(hex(again.bytes))")
            } catch {
                throw FuzzInvariantViolation("\(type.fullName): trimmed message fails: \(error) (\(hex(bytes)))")
            }
        }

        let flags = selector >> 4
        let options = ProtoJSONOptions(
            emitDefaults: flags & 1 != 0, useProtoNames: flags & 2 != 0, enumsAsInts: flags & 4 != 0)
        guard let json = try? value.json(options: options) else { return }
        try ProtoJSONCheck.roundTrip(json: json, type: type, schema: schema, options: options, origin: hex(bytes))
    }
}
