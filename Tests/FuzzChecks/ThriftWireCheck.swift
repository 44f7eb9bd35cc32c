import DynamicCodec

/// Thrift binary or compact against a struct type of `FuzzSchemas.thriftStructs` (selector byte: type in the low
/// nibble; bit 4 reads the input as a whole message, header included; bits 5-7 pick JSON options).
///
/// Invariants: a DOM that loads marshals back to the input byte for byte; conversion to the other protocol and back
/// is stable from the first converted bytes on; a struct trimmed to its own type validates and trims to itself;
/// JSON the codec writes reads back (unless a required field is absent, which JSON -> Thrift refuses) and Thrift ->
/// JSON -> Thrift -> JSON is stable.
enum ThriftWireCheck {
    static func run(_ input: [UInt8], encoding: ThriftProtocol) throws(FuzzInvariantViolation) {
        let (selector, bytes) = input.selectorAndPayload
        let schema = FuzzSchemas.thrift
        let type = FuzzSchemas.thriftStructs[(selector & 0x0F) % FuzzSchemas.thriftStructs.count]
        let other: ThriftProtocol = encoding == .binary ? .compact : .binary
        let context = "\(type.name) in \(encoding)"

        if selector & 0x10 != 0 {
            _ = try? ThriftMessageHeader.read(from: bytes, encoding: encoding)
            _ = try? ThriftMessageHeader.messageLength(in: bytes[...], encoding: encoding)
            try transcodingIsStable(bytes, from: encoding, to: other, isMessage: true, type: nil, context: context)
            return
        }

        guard let value = try? ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: schema) else {
            return
        }
        let valid = (try? value.validate()) != nil
        for field in type.fields {
            _ = try? value.get("\(field.id)")
        }

        var dom = ThriftDOM(schema: schema, encoding: encoding)
        if (try? dom.load(bytes, as: type)) != nil {
            let marshalled = dom.marshal()
            try require(
                marshalled == bytes,
                "\(context): DOM load + marshal changed the bytes: \(hex(bytes)) -> \(hex(marshalled))")
        }

        try transcodingIsStable(bytes, from: encoding, to: other, isMessage: false, type: type, context: context)

        if valid, let trimmed = try? value.trimmed(to: type, allowMissingRequired: true) {
            do {
                try trimmed.validate()
                let again = try trimmed.trimmed(to: type, allowMissingRequired: true)
                try require(
                    again.bytes == trimmed.bytes,
                    "\(context): trimming is not idempotent: \(hex(trimmed.bytes)) -> \(hex(again.bytes))")
            } catch {
                throw FuzzInvariantViolation("\(context): trimmed struct fails: \(error) (\(hex(bytes)))")
            }
        }

        let flags = selector >> 5
        let options = ThriftJSONOptions(
            enumsAsNames: flags & 1 != 0, int64AsString: flags & 2 != 0, binaryAsString: flags & 4 != 0)
        guard let json = try? value.json(options: options) else { return }
        try ThriftJSONCheck.roundTrip(
            json: json, type: type, encoding: encoding, options: options, origin: hex(bytes), fromThrift: true)
    }

    /// Converting to the other protocol and back is a fixed point from the first converted bytes on.
    static func transcodingIsStable(
        _ bytes: [UInt8], from source: ThriftProtocol, to target: ThriftProtocol, isMessage: Bool,
        type: ThriftStructDescriptor?, context: String
    ) throws(FuzzInvariantViolation) {
        let schema = type == nil ? nil : FuzzSchemas.thrift
        guard
            let converted = try? ThriftTranscoder.convert(
                bytes, from: source, to: target, isMessage: isMessage, type: type, schema: schema)
        else { return }
        do {
            let back = try ThriftTranscoder.convert(
                converted, from: target, to: source, isMessage: isMessage, type: type, schema: schema)
            let again = try ThriftTranscoder.convert(
                back, from: source, to: target, isMessage: isMessage, type: type, schema: schema)
            try require(
                again == converted,
                "\(context): \(source) -> \(target) not stable: \(hex(converted)) -> \(hex(again))")
            let backAgain = try ThriftTranscoder.convert(
                again, from: target, to: source, isMessage: isMessage, type: type, schema: schema)
            try require(
                backAgain == back, "\(context): \(target) -> \(source) not stable: \(hex(back)) -> \(hex(backAgain))")
        } catch let error as CodecError {
            throw FuzzInvariantViolation(
                "\(context): converted bytes do not convert back: \(error)\ninput \(hex(bytes))\n"
                    + "converted \(hex(converted))")
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation("\(context): \(error)")
        }
    }
}
