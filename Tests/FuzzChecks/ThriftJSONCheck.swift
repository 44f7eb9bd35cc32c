import DynamicCodec

/// JSON -> Thrift against a struct type of `FuzzSchemas.thriftStructs` (selector byte: type in the low nibble,
/// bit 4 the protocol, bits 5-7 options).
///
/// Invariant: JSON -> Thrift -> JSON -> Thrift is stable: the Thrift bytes of accepted JSON convert to JSON, that
/// JSON converts back, and from there both are fixed points.
enum ThriftJSONCheck {
    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, json) = input.selectorAndPayload
        let schema = FuzzSchemas.thrift
        let type = FuzzSchemas.thriftStructs[(selector & 0x0F) % FuzzSchemas.thriftStructs.count]
        let encoding: ThriftProtocol = selector & 0x10 == 0 ? .binary : .compact
        let flags = selector >> 5
        let options = ThriftJSONOptions(
            enumsAsNames: flags & 1 != 0, int64AsString: flags & 2 != 0, binaryAsString: flags & 4 != 0,
            writeDefault: flags & 1 != 0, writeRequired: flags & 4 != 0, stringToNumber: flags & 2 != 0,
            ignoreUnknownFields: flags & 4 != 0)
        guard let thrift = try? ThriftJSON.decode(json, as: type, schema: schema, encoding: encoding, options: options)
        else { return }
        let written: [UInt8]
        do {
            written = try ThriftJSON.encode(thrift, as: type, schema: schema, encoding: encoding, options: options)
        } catch {
            throw FuzzInvariantViolation(
                "\(type.name) in \(encoding): Thrift from accepted JSON does not convert back: \(error)\n"
                    + "json: \(text(json))\nthrift: \(hex(thrift))")
        }
        try roundTrip(
            json: written, type: type, encoding: encoding, options: options, origin: text(json), fromThrift: false)
    }

    /// Checks that JSON the codec wrote reads back, and that JSON -> Thrift -> JSON from there is a fixed point.
    /// From arbitrary Thrift input (`fromThrift`) a missing required field may stop the way back: Thrift -> JSON
    /// does not check them, JSON -> Thrift does.
    static func roundTrip(
        json: [UInt8], type: ThriftStructDescriptor, encoding: ThriftProtocol, options: ThriftJSONOptions,
        origin: String, fromThrift: Bool
    ) throws(FuzzInvariantViolation) {
        let schema = FuzzSchemas.thrift
        let context = "\(type.name) in \(encoding) (input \(origin))"
        let thrift: [UInt8]
        do {
            thrift = try ThriftJSON.decode(json, as: type, schema: schema, encoding: encoding, options: options)
        } catch {
            if fromThrift && error.code == .missingRequiredField { return }
            throw FuzzInvariantViolation("\(context): JSON the codec wrote does not read back: \(error)\n\(text(json))")
        }
        do {
            let jsonAgain = try ThriftJSON.encode(thrift, as: type, schema: schema, encoding: encoding, options: options)
            try require(jsonAgain == json, "\(context): JSON not stable:\n\(text(json))\n-> \(text(jsonAgain))")
            let thriftAgain = try ThriftJSON.decode(
                jsonAgain, as: type, schema: schema, encoding: encoding, options: options)
            try require(
                thriftAgain == thrift, "\(context): Thrift not stable: \(hex(thrift)) -> \(hex(thriftAgain))")
        } catch let error as CodecError {
            throw FuzzInvariantViolation("\(context): JSON round trip fails: \(error)\n\(text(json))")
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation("\(context): \(error)")
        }
    }
}
